import { RouterProvider } from '@tanstack/react-router';
import { useEffect } from 'react';
import type { ProfileSummary } from '../../shared/rpc/contract';
import { useChainStore } from '../stores/chain-store';
import { useMembersStore } from '../stores/members-store';
import { useLiveUpdates } from './live-updates';
import { ProfileContext } from './profile';
import { router } from './router';

/**
 * The console once a profile is unlocked: live updates, and the router, whose root route lays
 * out navigation, top bar and the current page (Layout.tsx).
 */
export function Shell({ profile }: { profile: ProfileSummary }) {
  useLiveUpdates();

  useEffect(() => {
    // Status feeds the top bar and member names appear on most pages: load both up front.
    void useChainStore.getState().refresh();
    void useMembersStore.getState().refreshList();
  }, []);

  return (
    <ProfileContext value={profile}>
      <RouterProvider router={router} />
    </ProfileContext>
  );
}
