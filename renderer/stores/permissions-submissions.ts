import { create } from 'zustand';
import type { MethodName, Params, Result } from '../../shared/rpc/contract';
import { RpcError } from '../../shared/rpc/contract';
import type { AccessView } from '../../shared/rpc/permissions';
import { rpc } from '../rpc/client';
import { useSubmissionsStore } from './submissions-store';

/** The permissions methods that sign a transaction as the profile's member. */
export type PermissionsAction = Extract<
  MethodName,
  | 'permissions.consents.record'
  | 'permissions.consents.amend'
  | 'permissions.consents.revoke'
  | 'permissions.delegates.set'
  | 'permissions.access.record'
  | 'permissions.access.review'
>;

/**
 * A permissions transaction this console signed, and what became of it: waiting for a block,
 * recorded in block N (a recorded access with the outcome every replica derived), or kept out
 * of the chain.
 */
export type PermissionsSubmission = {
  txId: string;
  /** What was done, in words: "Record an access to observations and results of patient …". */
  title: string;
  method: PermissionsAction;
} & (
  | { state: 'pending' }
  | { state: 'committed'; height: number; access: AccessView | null }
  | { state: 'refused'; reason: string }
);

interface PermissionsSubmissionsState {
  /** The latest submission made from each place (a form), by origin. */
  latest: Record<string, PermissionsSubmission>;
  /**
   * Signs and submits one action; resolves once the node has accepted it into its mempool
   * (journalled), and rejects with the node's RpcError otherwise.
   */
  submit<M extends PermissionsAction>(
    origin: string,
    title: string,
    method: M,
    params: Params<M>,
  ): Promise<Result<M>>;
  dismiss(origin: string): void;
  /** Forgets every submission followed (another profile is in use). */
  reset(): void;
  /** After a block commits: learn which pending submissions it holds. */
  checkPending(): Promise<void>;
  /** The node kept a transaction out of its block. */
  noteRejected(txId: string, reason: string): void;
}

export const usePermissionsSubmissionsStore = create<PermissionsSubmissionsState>()((set, get) => {
  const update = (
    txId: string,
    change: (s: PermissionsSubmission) => PermissionsSubmission,
  ): void => {
    set((state) => ({
      latest: Object.fromEntries(
        Object.entries(state.latest).map(([origin, s]) => [
          origin,
          s.txId === txId ? change(s) : s,
        ]),
      ),
    }));
  };

  /** A recorded access's outcome, as the block decided it. */
  const accessOf = async (s: PermissionsSubmission): Promise<AccessView | null> => {
    if (s.method !== 'permissions.access.record') return null;
    try {
      return await rpc().call('permissions.access.get', { id: s.txId });
    } catch {
      // It is in its block either way; its outcome shows on the patient's page.
      return null;
    }
  };

  return {
    latest: {},
    async submit(origin, title, method, params) {
      const result = await rpc().call(method, params);
      set((state) => ({
        latest: {
          ...state.latest,
          [origin]: { txId: result.txId, title, method, state: 'pending' },
        },
      }));
      useSubmissionsStore
        .getState()
        .noteSubmitted({ txId: result.txId, type: method, summary: title });
      // The block may already be in: a block interval is shorter than a round trip at times.
      void get().checkPending();
      return result;
    },
    dismiss(origin) {
      set((state) => {
        const latest = { ...state.latest };
        delete latest[origin];
        return { latest };
      });
    },
    reset() {
      set({ latest: {} });
    },
    async checkPending() {
      const pending = Object.values(get().latest).filter((s) => s.state === 'pending');
      await Promise.all(
        pending.map(async (s) => {
          try {
            const tx = await rpc().call('txs.get', { id: s.txId });
            const access = await accessOf(s);
            update(s.txId, (current) =>
              current.state === 'pending'
                ? { ...current, state: 'committed', height: tx.height, access }
                : current,
            );
          } catch (error) {
            // Not in a block yet: it stays pending until the next one.
            if (!(error instanceof RpcError) || error.code !== 'not_found') return;
          }
        }),
      );
    },
    noteRejected(txId, reason) {
      update(txId, (s) => ({ ...s, state: 'refused', reason }));
    },
  };
});
