import { create } from 'zustand';
import type { MethodName, Params } from '../../shared/rpc/contract';
import { RpcError } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { createQueryCache } from './query-cache';
import { useSubmissionsStore } from './submissions-store';

/** What the Research pages read: answers fetched when shown, refetched after every block. */
export type ResearchQuery = Extract<
  MethodName,
  'research.verify' | 'research.study' | 'research.studies'
>;
const queries = createQueryCache<ResearchQuery>();
export const useResearchQuery = queries.useQuery;
export const refreshWatchedResearch = queries.refreshWatched;

/**
 * The last anchor this console signed, and what became of it: waiting for a block, recorded in
 * block N, or kept out of the chain with the node's reason.
 */
export type AnchorSubmission = {
  txId: string;
  /** "Anchor protocol v2 of study 3fa2c81d…" */
  title: string;
  study: string;
} & (
  | { state: 'pending' }
  | { state: 'committed'; height: number }
  | { state: 'refused'; reason: string }
);

interface ResearchState {
  latest: AnchorSubmission | null;
  /** Signs the anchor as the profile's member; rejects with the node's RpcError. */
  anchor(title: string, params: Params<'research.anchor'>): Promise<string>;
  dismiss(): void;
  /** After a block commits: is the pending anchor in it? */
  checkPending(): Promise<void>;
  /** The node kept a transaction out of its block. */
  noteRejected(txId: string, reason: string): void;
  /** Forgets the queries and the anchor followed: another profile is in use. */
  reset(): void;
}

export const useResearchStore = create<ResearchState>()((set, get) => ({
  latest: null,
  async anchor(title, params) {
    const { txId } = await rpc().call('research.anchor', params);
    set({ latest: { txId, title, study: params.study, state: 'pending' } });
    useSubmissionsStore.getState().noteSubmitted({ txId, type: 'research.anchor', summary: title });
    // Its block may be in before this answer arrived.
    void get().checkPending();
    return txId;
  },
  dismiss: () => set({ latest: null }),
  async checkPending() {
    const latest = get().latest;
    if (latest?.state !== 'pending') return;
    try {
      const { height } = await rpc().call('txs.get', { id: latest.txId });
      if (get().latest?.txId === latest.txId)
        set({ latest: { ...latest, state: 'committed', height } });
    } catch (error) {
      // Not in a block yet: it stays pending until the next one.
      if (!(error instanceof RpcError) || error.code !== 'not_found') return;
    }
  },
  noteRejected(txId, reason) {
    const latest = get().latest;
    if (latest?.txId === txId) set({ latest: { ...latest, state: 'refused', reason } });
  },
  reset() {
    queries.reset();
    set({ latest: null });
  },
}));
