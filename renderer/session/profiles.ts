import { useEffect, useState } from 'react';
import type { ProfileChoice } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';

/**
 * The console profiles of this data folder (the demo keeps one per member), as the node service
 * lists them, by member name; null until they are known, or when they cannot be read: the switch
 * is then not offered (it is a convenience, never in the way of the console).
 */
export function useProfiles(): ProfileChoice[] | null {
  const [profiles, setProfiles] = useState<ProfileChoice[] | null>(null);
  useEffect(() => {
    let current = true;
    rpc()
      .call('session.profiles', {})
      .then(
        (listed) => current && setProfiles(listed),
        () => current && setProfiles(null),
      );
    return () => {
      current = false;
    };
  }, []);
  return profiles;
}

/**
 * Makes another profile the console's profile. The node service locks the console as it
 * switches; the console is then loaded afresh, so nothing shown or kept for the profile before
 * (votes being sent, errors, submissions) carries over to the next one, which opens on the
 * unlock screen. Throws the node service's refusal (an RpcError) if it does not switch.
 */
export async function switchProfile(memberId: string): Promise<void> {
  await rpc().call('session.switchProfile', { memberId });
  window.location.reload();
}
