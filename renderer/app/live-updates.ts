import { useEffect } from 'react';
import type { RpcEvent } from '../../shared/rpc/contract';
import { liveConnection, rpc } from '../rpc/client';
import { useBlocksStore } from '../stores/blocks-store';
import { useChainStore } from '../stores/chain-store';
import { useGovernanceStore } from '../stores/governance-store';
import { useMembersStore } from '../stores/members-store';
import { useProposalsStore } from '../stores/proposals-store';

/** Refetches everything the console has shown; after a block, any of it may have changed. */
function refreshAll(): void {
  void useChainStore.getState().refresh();
  void useMembersStore.getState().refreshLoaded();
  void useProposalsStore.getState().refreshLoaded();
  void useBlocksStore.getState().refreshLoaded();
}

function onEvent(event: RpcEvent): void {
  switch (event.type) {
    case 'block.committed':
      refreshAll();
      break;
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
      break;
  }
}

/** Keeps the stores in step with the replica while the console is open. */
export function useLiveUpdates(): void {
  useEffect(() => rpc().onEvent(onEvent), []);

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
