import { Outlet, useRouterState } from '@tanstack/react-router';
import { Suspense, useEffect } from 'react';
import { useOnBlock } from '../app/on-block';
import { useProfile } from '../app/profile';
import { SectionTabs, type SectionTab } from '../components/SectionTabs';
import { Loading } from '../components/States';
import { rpc } from '../rpc/client';
import { refreshWatchedResearch, useResearchStore } from '../stores/research-store';

/** The Research section's own pages, one tab each; a route names its tab in `staticData`. */
export type ResearchTab = 'studies' | 'anchor' | 'verify';

declare module '@tanstack/react-router' {
  interface StaticDataRouteOption {
    /** The Research tab a page belongs to (highlighted while it shows). */
    researchTab?: ResearchTab;
  }
}

const TABS: SectionTab<ResearchTab>[] = [
  { tab: 'studies', label: 'Studies', to: '/research/studies' },
  { tab: 'anchor', label: 'Anchor a file', to: '/research/anchor' },
  { tab: 'verify', label: 'Verify a file', to: '/research/verify' },
];

/** The member whose console last showed the Research section. */
let shownFor: string | null = null;

/**
 * Keeps the Research pages in step with the replica: after every block (and once after the live
 * connection comes back) what they show is fetched again and this console's pending anchor is
 * looked for; one the node kept out of its block is marked refused. Another profile's console
 * keeps nothing of the last one's.
 */
function useResearchLiveUpdates(memberId: string): void {
  useOnBlock(() => {
    refreshWatchedResearch();
    void useResearchStore.getState().checkPending();
  });
  useEffect(
    () =>
      rpc().onEvent((event) => {
        if (event.type === 'tx.rejected')
          useResearchStore.getState().noteRejected(event.txId, event.reason);
      }),
    [],
  );
  useEffect(() => {
    if (shownFor !== null && shownFor !== memberId) useResearchStore.getState().reset();
    shownFor = memberId;
    void useResearchStore.getState().checkPending();
  }, [memberId]);
}

/** The Research section: its tabs and the page. */
export function ResearchLayout() {
  const profile = useProfile();
  const tab = useRouterState({
    select: (state) => state.matches.at(-1)?.staticData.researchTab ?? null,
  });
  useResearchLiveUpdates(profile.memberId);
  return (
    <>
      <div className="research-bar">
        <SectionTabs label="Research" tabs={TABS} current={tab} />
      </div>
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
