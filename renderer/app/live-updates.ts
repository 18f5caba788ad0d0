import { useEffect } from 'react';
import type { RpcEvent } from '../../shared/rpc/contract';
import { liveConnection, rpc } from '../rpc/client';
import { onBlocks } from './on-block';
import { useBlocksStore } from '../stores/blocks-store';
import { useChainStore } from '../stores/chain-store';
import { useGovernanceStore } from '../stores/governance-store';
import { useMembersStore } from '../stores/members-store';
import { useProposalsStore } from '../stores/proposals-store';
import { useSubmissionsStore } from '../stores/submissions-store';

/** Refetches everything the console has shown; after a block, any of it may have changed. */
function refreshAll(): void {
  void useChainStore.getState().refresh();
  void useMembersStore.getState().refreshLoaded();
  void useProposalsStore.getState().refreshLoaded();
  void useBlocksStore.getState().refreshLoaded();
  void useSubmissionsStore.getState().refreshLoaded();
}

function onEvent(event: RpcEvent): void {
  switch (event.type) {
    case 'proposal.opened':
      useGovernanceStore.getState().noteOpened(event);
      void useProposalsStore.getState().refreshLoaded();
      break;
    case 'proposal.decided':
      useProposalsStore.getState().noteDecided(event);
      useGovernanceStore.getState().noteDecided(event);
      break;
    case 'tx.rejected':
      useProposalsStore.getState().noteRejectedTx(event);
      useGovernanceStore.getState().noteRejectedTx(event);
      void useSubmissionsStore.getState().refreshLoaded();
      break;
  }
}

/**
 * A proposal the node has just accepted is listed at once under Your submissions: the
 * governance store records each one it sends, and a new one refetches the list. (Votes are
 * noted by the proposals store itself.)
 */
function watchOwnProposals(): () => void {
  return useGovernanceStore.subscribe((state, previous) => {
    const before = new Set(Object.values(previous.latest).map((submission) => submission.id));
    if (Object.values(state.latest).some((submission) => !before.has(submission.id))) {
      void useSubmissionsStore.getState().refreshLoaded();
    }
  });
}

/** Keeps the stores in step with the replica while the console is open. */
export function useLiveUpdates(): void {
  useEffect(() => rpc().onEvent(onEvent), []);
  useEffect(() => onBlocks(refreshAll), []);
  useEffect(watchOwnProposals, []);

  // Events sent while the connection was down are lost: catch up once it is back.
  useEffect(() => {
    const connection = liveConnection();
    if (!connection) return;
    let wasDown = false;
    return connection.onLiveStateChange((state) => {
      if (state === 'reconnecting') wasDown = true;
      if (state === 'live' && wasDown) {
        wasDown = false;
        refreshAll();
        void useGovernanceStore.getState().catchUp();
      }
    });
  }, []);
}
