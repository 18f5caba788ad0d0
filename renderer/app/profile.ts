import { createContext, useContext } from 'react';
import type { ProfileSummary } from '../../shared/rpc/contract';

/** The unlocked profile, for the console's layout: the session gate hands it to the Shell. */
export const ProfileContext = createContext<ProfileSummary | null>(null);

export function useProfile(): ProfileSummary {
  const profile = useContext(ProfileContext);
  if (!profile) throw new Error('useProfile outside the Shell: no unlocked profile');
  return profile;
}
