import { create } from 'zustand';
import type { RpcEvent } from '../../shared/rpc/contract';
import type { ProposalAction, ProposalStatus } from '../../shared/members/schemas';
import { rpc } from '../rpc/client';

/**
 * A proposal this console signed and submitted. Its id is the transaction id; it is pending
 * until a block opens it (`proposal.opened`) or refuses it when the block is built
 * (`tx.rejected`, e.g. when another console's equal proposal landed first).
 */
export type Submission = {
  id: string;
  /** What the proposal asks, as its card will be headed. */
  title: string;
} & (
  | { state: 'pending' }
  | { state: 'opened' }
  | { state: 'rejected'; reason: string }
  | { state: 'decided'; status: ProposalStatus }
);

/** Where a proposal was made: a member's page (`member:<id>`) or the policy card (`policy`). */
export type SubmissionOrigin = string;

/** Events of proposals opened while a submission was on its way back to this console. */
const REMEMBERED_OPENINGS = 50;

interface GovernanceState {
  /** The latest submission made from each place, shown there until another is started. */
  latest: Record<SubmissionOrigin, Submission>;
  /** Ids of proposals opened recently, newest first, in case the event beats the answer. */
  opened: string[];
  /** Signs and submits; throws the node's RpcError when it refuses. Returns the proposal id. */
  propose(
    origin: SubmissionOrigin,
    title: string,
    action: ProposalAction,
    reason: string | undefined,
    /** Rotating the profile's own admin key with a key file: the file's text. */
    newKeyFile?: string,
  ): Promise<string>;
  dismiss(origin: SubmissionOrigin): void;
  noteOpened(event: Extract<RpcEvent, { type: 'proposal.opened' }>): void;
  noteRejectedTx(event: Extract<RpcEvent, { type: 'tx.rejected' }>): void;
  noteDecided(event: Extract<RpcEvent, { type: 'proposal.decided' }>): void;
  /** After the event connection was down: asks the node what became of pending submissions. */
  catchUp(): Promise<void>;
}

function updateById(
  latest: Record<SubmissionOrigin, Submission>,
  id: string,
  change: (submission: Submission) => Submission,
): Record<SubmissionOrigin, Submission> | null {
  const entry = Object.entries(latest).find(([, submission]) => submission.id === id);
  if (!entry) return null;
  const [origin, submission] = entry;
  return { ...latest, [origin]: change(submission) };
}

export const useGovernanceStore = create<GovernanceState>()((set, get) => ({
  latest: {},
  opened: [],
  async propose(origin, title, action, reason, newKeyFile) {
    const { txId } = await rpc().call('proposals.create', {
      action,
      ...(reason === undefined ? {} : { reason }),
      ...(newKeyFile === undefined ? {} : { newKeyFile }),
    });
    const state = get().opened.includes(txId) ? 'opened' : 'pending';
    set((current) => ({ latest: { ...current.latest, [origin]: { id: txId, title, state } } }));
    return txId;
  },
  dismiss(origin) {
    set((current) => {
      const latest = { ...current.latest };
      delete latest[origin];
      return { latest };
    });
  },
  noteOpened(event) {
    set((current) => {
      const opened = [event.id, ...current.opened].slice(0, REMEMBERED_OPENINGS);
      const latest = updateById(current.latest, event.id, (submission) => ({
        id: submission.id,
        title: submission.title,
        state: 'opened',
      }));
      return latest ? { opened, latest } : { opened };
    });
  },
  noteRejectedTx(event) {
    const latest = updateById(get().latest, event.txId, (submission) => ({
      id: submission.id,
      title: submission.title,
      state: 'rejected',
      reason: event.reason,
    }));
    if (latest) set({ latest });
  },
  async catchUp() {
    const pending = Object.values(get().latest).filter((s) => s.state === 'pending');
    await Promise.all(
      pending.map(async ({ id }) => {
        try {
          const proposal = await rpc().call('proposals.get', { id });
          const latest = updateById(get().latest, id, ({ title }) =>
            proposal.status === 'open'
              ? { id, title, state: 'opened' }
              : { id, title, state: 'decided', status: proposal.status },
          );
          if (latest) set({ latest });
        } catch {
          // Not in a block yet (or refused meanwhile): it stays pending.
        }
      }),
    );
  },
  noteDecided(event) {
    const latest = updateById(get().latest, event.id, (submission) => ({
      id: submission.id,
      title: submission.title,
      state: 'decided',
      status: event.status,
    }));
    if (latest) set({ latest });
  },
}));
