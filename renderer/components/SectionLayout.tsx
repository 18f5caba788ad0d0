import { Outlet } from '@tanstack/react-router';
import { Suspense, useEffect, type ReactNode } from 'react';
import { onBlocks } from '../app/on-block';
import { useProfile } from '../app/profile';
import { liveConnection, rpc } from '../rpc/client';
import { Loading } from './States';

/** What a section's layout keeps in step with the replica: its query cache and submissions. */
export interface SectionSync {
  /** Refetches what the section's pages show (after a block, or once the connection is back). */
  refreshWatched(): void;
  /** Forgets every answer the section's cache holds (another profile is in use). */
  resetQueries(): void;
  /** The section's submissions store. */
  submissions: {
    getState(): {
      checkPending(): Promise<unknown>;
      noteRejected(txId: string, reason: string): void;
      reset(): void;
    };
  };
}

/**
 * Keeps a section's pages in step with the replica: after every block what they show is
 * fetched again and this console's pending transactions are looked for; one the node kept out
 * of its block is marked refused. After the live connection comes back, the same catch-up runs.
 */
function useSectionLiveUpdates({ refreshWatched, submissions }: SectionSync): void {
  useEffect(() => {
    void submissions.getState().checkPending();
    const offBlocks = onBlocks(() => {
      refreshWatched();
      void submissions.getState().checkPending();
    });
    const offRejected = rpc().onEvent((event) => {
      if (event.type === 'tx.rejected')
        submissions.getState().noteRejected(event.txId, event.reason);
    });
    return () => {
      offBlocks();
      offRejected();
    };
  }, [refreshWatched, submissions]);

  useEffect(() => {
    const connection = liveConnection();
    if (!connection) return;
    let wasDown = false;
    return connection.onLiveStateChange((state) => {
      if (state === 'reconnecting') wasDown = true;
      if (state === 'live' && wasDown) {
        wasDown = false;
        refreshWatched();
        void submissions.getState().checkPending();
      }
    });
  }, [refreshWatched, submissions]);
}

/**
 * The member whose console last showed each section. (Switching profile may remount the
 * console, so the member is remembered outside the component.)
 */
const shownFor = new Map<string, string>();

/**
 * Another profile sees other things and did not sign the last one's submissions: nothing read
 * or followed for the last profile is kept.
 */
function useForgetOnProfileChange(
  section: string,
  memberId: string,
  { resetQueries, submissions }: SectionSync,
): void {
  useEffect(() => {
    const last = shownFor.get(section);
    if (last !== undefined && last !== memberId) {
      resetQueries();
      submissions.getState().reset();
    }
    shownFor.set(section, memberId);
  }, [section, memberId, resetQueries, submissions]);
}

/**
 * A section of the console (Supply, Permissions): its bar of tabs, kept mounted from one of its
 * pages to the next, live updates for its pages, and the page.
 */
export function SectionLayout({
  section,
  sync,
  bar,
}: {
  /** Names the section (one remembered member per section). */
  section: string;
  sync: SectionSync;
  bar: ReactNode;
}) {
  const profile = useProfile();
  useSectionLiveUpdates(sync);
  useForgetOnProfileChange(section, profile.memberId, sync);

  return (
    <>
      {bar}
      <Suspense
        fallback={
          <main className="page">
            <Loading what="the page" />
          </main>
        }
      >
        <Outlet />
      </Suspense>
    </>
  );
}
