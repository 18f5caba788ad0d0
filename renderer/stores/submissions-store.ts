import { create } from 'zustand';
import type { SubmissionView } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { coalesce, failed, hasStarted, idle, loaded, reloading, type Loadable } from './loadable';

/** How many of the newest submissions the console asks for (the node keeps them all). */
export const SUBMISSIONS_SHOWN = 100;

interface SubmissionsState {
  /** This node's own signed submissions, newest first. */
  list: Loadable<SubmissionView[]>;
  refresh(): Promise<void>;
  /**
   * The node has just accepted (and journalled) a submission of this console: it is listed at
   * once as pending, then the list is refetched for the node's own account of it.
   */
  noteSubmitted(submission: Pick<SubmissionView, 'txId' | 'type' | 'summary'>): void;
  /** After a block, a refusal or a reconnect: refetch if the list has been shown. */
  refreshLoaded(): Promise<void>;
}

export const useSubmissionsStore = create<SubmissionsState>()((set, get) => ({
  list: idle(),
  refresh: coalesce(async () => {
    set({ list: reloading(get().list) });
    try {
      set({ list: loaded(await rpc().call('submissions.list', { limit: SUBMISSIONS_SHOWN })) });
    } catch (error) {
      set({ list: failed(get().list, error) });
    }
  }),
  noteSubmitted(submission) {
    const { list } = get();
    if (!hasStarted(list)) return;
    if (list.data && !list.data.some((known) => known.txId === submission.txId)) {
      const pending: SubmissionView = {
        ...submission,
        submittedAt: Date.now(),
        status: 'pending',
        height: null,
        reason: null,
        decidedAt: null,
      };
      set({ list: { ...list, data: [pending, ...list.data] } });
    }
    void get().refresh();
  },
  async refreshLoaded() {
    const { list, refresh } = get();
    if (hasStarted(list)) await refresh();
  },
}));
