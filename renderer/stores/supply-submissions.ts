import { create } from 'zustand';
import type { MethodName, Params, Result } from '../../shared/rpc/contract';
import type { AlertView } from '../../shared/rpc/supply';
import { RpcError } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { useSubmissionsStore } from './submissions-store';

/** The supply methods that sign a transaction as the profile's member. */
export type SupplyAction = Extract<
  MethodName,
  | 'supply.products.register'
  | 'supply.commission'
  | 'supply.pack'
  | 'supply.unpack'
  | 'supply.ship'
  | 'supply.return'
  | 'supply.receive'
  | 'supply.dispense'
  | 'supply.decommission'
  | 'supply.destroy'
  | 'supply.recall'
  | 'supply.quarantine'
  | 'supply.quarantine.lift'
>;

/**
 * A supply transaction this console signed, and what became of it: waiting for a block,
 * recorded in block N (with any alert it raised there), or kept out of the chain.
 */
export type SupplySubmission = {
  txId: string;
  /** What was done, in words: "Ship 12 units to MedLine Distribution GmbH". */
  title: string;
  method: SupplyAction | 'supply.verify';
} & (
  | { state: 'pending' }
  | { state: 'committed'; height: number; alerts: AlertView[] }
  | { state: 'refused'; reason: string }
);

interface SupplySubmissionsState {
  /** The latest submission made from each place (a form), by origin. */
  latest: Record<string, SupplySubmission>;
  /**
   * Signs and submits one supply action; resolves once the node has accepted it into its
   * mempool (journalled), and rejects with the node's RpcError otherwise.
   */
  submit<M extends SupplyAction>(
    origin: string,
    title: string,
    method: M,
    params: Params<M>,
  ): Promise<Result<M>>;
  /** A transaction signed by another call (a recorded verification), followed the same way. */
  track(origin: string, title: string, method: 'supply.verify', txId: string): void;
  dismiss(origin: string): void;
  /** Forgets every submission followed (another profile is in use). */
  reset(): void;
  /** After a block commits: learn which pending submissions it holds. */
  checkPending(): Promise<void>;
  /** The node kept a transaction out of its block. */
  noteRejected(txId: string, reason: string): void;
}

export const useSupplySubmissionsStore = create<SupplySubmissionsState>()((set, get) => {
  const update = (txId: string, change: (s: SupplySubmission) => SupplySubmission) => {
    set((state) => ({
      latest: Object.fromEntries(
        Object.entries(state.latest).map(([origin, s]) => [
          origin,
          s.txId === txId ? change(s) : s,
        ]),
      ),
    }));
  };

  const follow = (
    origin: string,
    title: string,
    method: SupplySubmission['method'],
    txId: string,
  ) => {
    set((state) => ({
      latest: { ...state.latest, [origin]: { txId, title, method, state: 'pending' } },
    }));
    useSubmissionsStore.getState().noteSubmitted({ txId, type: method, summary: title });
    // The block may already be in: a block interval is shorter than a round trip at times.
    void get().checkPending();
  };

  return {
    latest: {},
    async submit(origin, title, method, params) {
      const result = await rpc().call(method, params);
      follow(origin, title, method, result.txId);
      return result;
    },
    track(origin, title, method, txId) {
      follow(origin, title, method, txId);
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
        pending.map(async ({ txId }) => {
          try {
            const tx = await rpc().call('txs.get', { id: txId });
            let alerts: AlertView[] = [];
            try {
              alerts = await rpc().call('supply.alerts.ofTx', { txId });
            } catch {
              // The transaction is in its block either way; its alerts show on the Alerts page.
            }
            update(txId, (s) => ({ ...s, state: 'committed', height: tx.height, alerts }));
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
