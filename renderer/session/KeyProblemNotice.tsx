import { useEffect } from 'react';
import type { ProfileSummary } from '../../shared/rpc/contract';
import { shortHex } from '../components/Hex';
import { sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { useSessionStore } from '../stores/session-store';

/**
 * What the console says about its own signing key: that the chain no longer accepts it (instead
 * of every action failing with a rule error), or that a rotation of it is under vote. The node
 * service moves to the new key by itself; re-reading the session when a proposal is decided
 * keeps this in step with it.
 */
export function KeyProblemNotice({ profile }: { profile: ProfileSummary }) {
  useEffect(
    () =>
      rpc().onEvent((event) => {
        if (event.type === 'proposal.decided' && event.member === profile.memberId) {
          void useSessionStore.getState().load();
        }
      }),
    [profile.memberId],
  );

  if (profile.keyProblem) {
    return (
      <p className="notice notice-error" role="alert">
        {sentence(profile.keyProblem)}
      </p>
    );
  }
  if (profile.nextKey) {
    return (
      <p className="notice notice-info" role="status">
        A rotation of this console’s admin key to{' '}
        <code title={profile.nextKey}>{shortHex(profile.nextKey)}</code> is under vote. The console
        signs with the new key as soon as the rotation is carried out.
      </p>
    );
  }
  return null;
}
