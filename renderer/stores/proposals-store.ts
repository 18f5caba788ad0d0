import { create } from 'zustand';
import type { ProposalView, RpcEvent } from '../../shared/rpc/contract';
import type { VoteChoice } from '../../shared/members/schemas';
import { describeAction } from '../../shared/members/describe';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { coalesce, failed, hasStarted, idle, loaded, reloading, type Loadable } from './loadable';
import { useMembersStore } from './members-store';
import { useSubmissionsStore } from './submissions-store';

/** Decided proposals fetched at a time. */
const DECIDED_PAGE = 50;

/** A member's legal name from the members list the console has loaded, as the node names it. */
const legalNameOf = (id: string): string | undefined =>
  useMembersStore.getState().list.data?.find((member) => member.id === id)?.legalName;

interface ProposalsState {
  open: Loadable<ProposalView[]>;
  decided: Loadable<ProposalView[]>;
  /** Whether older decided proposals than those loaded may exist (the last page was full). */
  moreDecided: boolean;
  loadingOlder: boolean;
  /** Votes this console is sending right now, by proposal id (before the node has them). */
  sending: Record<string, VoteChoice>;
  /** Vote transactions this console submitted, by proposal id, to match tx.rejected events. */
  submitted: Record<string, string>;
  /** Why the last vote on a proposal failed, shown next to its buttons. */
  voteErrors: Record<string, string>;
  /** Proposals decided while the console was open, newest first, to announce them. */
  justDecided: string[];
  refreshOpen(): Promise<void>;
  refreshDecided(): Promise<void>;
  /** Appends the next page of older decided proposals. */
  loadOlderDecided(): Promise<void>;
  refreshLoaded(): Promise<void>;
  vote(proposalId: string, choice: VoteChoice): Promise<void>;
  /** A submitted vote can still be refused when its block is built. */
  noteRejectedTx(event: Extract<RpcEvent, { type: 'tx.rejected' }>): void;
  noteDecided(event: Extract<RpcEvent, { type: 'proposal.decided' }>): void;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export const useProposalsStore = create<ProposalsState>()((set, get) => ({
  open: idle(),
  decided: idle(),
  moreDecided: false,
  loadingOlder: false,
  sending: {},
  submitted: {},
  voteErrors: {},
  justDecided: [],
  refreshOpen: coalesce(async () => {
    set({ open: reloading(get().open) });
    try {
      set({ open: loaded(await rpc().call('proposals.list', { status: 'open' })) });
    } catch (error) {
      set({ open: failed(get().open, error) });
    }
  }),
  refreshDecided: coalesce(async () => {
    const shown = get().decided.data?.length ?? 0;
    // As many as are shown (up to the node's page limit): a new block does not fold older pages.
    const limit = Math.min(200, Math.max(DECIDED_PAGE, shown));
    set({ decided: reloading(get().decided) });
    try {
      const page = await rpc().call('proposals.list', { status: 'decided', limit });
      set({ decided: loaded(page), moreDecided: page.length === limit });
    } catch (error) {
      set({ decided: failed(get().decided, error) });
    }
  }),
  async loadOlderDecided() {
    const current = get().decided.data;
    const last = current?.[current.length - 1];
    if (!current || !last || last.decidedHeight === null || get().loadingOlder) return;
    set({ loadingOlder: true });
    try {
      const page = await rpc().call('proposals.list', {
        status: 'decided',
        limit: DECIDED_PAGE,
        before: { height: last.decidedHeight, id: last.id },
      });
      const seen = new Set(current.map((p) => p.id));
      set({
        decided: loaded([...current, ...page.filter((p) => !seen.has(p.id))]),
        moreDecided: page.length === DECIDED_PAGE,
      });
    } catch (error) {
      set({ decided: failed(get().decided, error) });
    } finally {
      set({ loadingOlder: false });
    }
  },
  async refreshLoaded() {
    const { open, decided, refreshOpen, refreshDecided } = get();
    await Promise.all([
      hasStarted(open) ? refreshOpen() : undefined,
      hasStarted(decided) ? refreshDecided() : undefined,
    ]);
  },
  async vote(proposalId, choice) {
    set((state) => ({
      sending: { ...state.sending, [proposalId]: choice },
      voteErrors: without(state.voteErrors, proposalId),
    }));
    try {
      const { txId } = await rpc().call('proposals.vote', { proposalId, choice });
      set((state) => ({ submitted: { ...state.submitted, [proposalId]: txId } }));
      // Listed at once under Your submissions, as the node will describe it.
      const action = get().open.data?.find((proposal) => proposal.id === proposalId)?.action;
      useSubmissionsStore.getState().noteSubmitted({
        txId,
        type: 'governance.vote',
        summary: action
          ? `Vote ${choice}: ${describeAction(action, legalNameOf)}`
          : `Vote ${choice} on proposal ${proposalId.slice(0, 12)}…`,
      });
      // The node now reports the vote as myPendingVote until its block commits.
      await get().refreshOpen();
    } catch (error) {
      const message = asRpcError(error).message;
      set((state) => ({ voteErrors: { ...state.voteErrors, [proposalId]: message } }));
    } finally {
      set((state) => ({ sending: without(state.sending, proposalId) }));
    }
  },
  noteRejectedTx(event) {
    const entry = Object.entries(get().submitted).find(([, txId]) => txId === event.txId);
    if (!entry) return;
    const [proposalId] = entry;
    set((state) => ({
      submitted: without(state.submitted, proposalId),
      voteErrors: {
        ...state.voteErrors,
        [proposalId]: `Your vote was not included: ${event.reason}`,
      },
    }));
    void get().refreshOpen();
  },
  noteDecided(event) {
    set((state) => ({
      justDecided: [event.id, ...state.justDecided.filter((id) => id !== event.id)],
      submitted: without(state.submitted, event.id),
    }));
    void get().refreshLoaded();
  },
}));
