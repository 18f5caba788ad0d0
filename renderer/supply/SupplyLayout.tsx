import { Outlet, useNavigate, useRouterState } from '@tanstack/react-router';
import { Suspense, useEffect } from 'react';
import type { Gs1Data } from '../../shared/supply/gs1';
import { useProfile } from '../app/profile';
import { SectionTabs, type SectionTab } from '../components/SectionTabs';
import { Loading } from '../components/States';
import { liveConnection, rpc } from '../rpc/client';
import { refreshWatchedSupply, useSupplyQueriesStore } from '../stores/supply-queries';
import { useSupplySubmissionsStore } from '../stores/supply-submissions';
import { ScanBox } from './ScanBox';

/** The Supply section's own pages, one tab each; a route names its tab in `staticData`. */
export type SupplyTab =
  'products' | 'stock' | 'shipments' | 'record' | 'verify' | 'recalls' | 'alerts' | 'epcis';

declare module '@tanstack/react-router' {
  interface StaticDataRouteOption {
    /** The Supply tab a page belongs to (highlighted while it shows). */
    supplyTab?: SupplyTab;
    /** False on pages with a scan box of their own: the section's one is not shown there. */
    supplyScan?: boolean;
  }
}

const TABS: SectionTab<SupplyTab>[] = [
  { tab: 'products', label: 'Products', to: '/supply/products' },
  { tab: 'stock', label: 'Stock', to: '/supply/stock' },
  { tab: 'shipments', label: 'Shipments', to: '/supply/shipments' },
  { tab: 'record', label: 'Record an event', to: '/supply/record' },
  { tab: 'verify', label: 'Verify', to: '/supply/verify' },
  { tab: 'recalls', label: 'Recalls', to: '/supply/recalls' },
  { tab: 'alerts', label: 'Alerts', to: '/supply/alerts' },
  { tab: 'epcis', label: 'EPCIS', to: '/supply/epcis' },
];

/**
 * Keeps the Supply pages in step with the replica: after every block, what they show is
 * fetched again and this console's pending supply transactions are looked for; a transaction
 * the node kept out of its block is marked refused. After the live connection comes back,
 * the same catch-up runs once.
 */
function useSupplyLiveUpdates(): void {
  useEffect(() => {
    void useSupplySubmissionsStore.getState().checkPending();
    return rpc().onEvent((event) => {
      if (event.type === 'block.committed') {
        refreshWatchedSupply();
        void useSupplySubmissionsStore.getState().checkPending();
      } else if (event.type === 'tx.rejected') {
        useSupplySubmissionsStore.getState().noteRejected(event.txId, event.reason);
      }
    });
  }, []);

  useEffect(() => {
    const connection = liveConnection();
    if (!connection) return;
    let wasDown = false;
    return connection.onLiveStateChange((state) => {
      if (state === 'reconnecting') wasDown = true;
      if (state === 'live' && wasDown) {
        wasDown = false;
        refreshWatchedSupply();
        void useSupplySubmissionsStore.getState().checkPending();
      }
    });
  }, []);
}

/** The member whose console last showed the Supply section. */
let shownFor: string | null = null;

/**
 * Another profile sees other stock and shipments, and did not sign the last one's submissions:
 * nothing read or followed for the last profile is kept. (Switching profile may remount the
 * console, so the member is remembered outside the component.)
 */
function useForgetOnProfileChange(memberId: string): void {
  useEffect(() => {
    if (shownFor !== null && shownFor !== memberId) {
      useSupplyQueriesStore.getState().reset();
      useSupplySubmissionsStore.getState().reset();
    }
    shownFor = memberId;
  }, [memberId]);
}

function useSupplyPage(): { tab: SupplyTab | null; scan: boolean } {
  return useRouterState({
    select: (state) => {
      const match = state.matches.at(-1);
      return {
        tab: match?.staticData.supplyTab ?? null,
        scan: match?.staticData.supplyScan !== false,
      };
    },
    structuralSharing: true,
  });
}

/** Where a scanned code leads: a container, a unit, a lot, or a product. */
function useScanNavigation(): (data: Gs1Data) => string | null {
  const navigate = useNavigate();
  return (data) => {
    if (data.sscc) {
      void navigate({ to: '/supply/containers/$sscc', params: { sscc: data.sscc } });
    } else if (data.gtin && data.serial) {
      void navigate({
        to: '/supply/units/$gtin/$serial',
        params: { gtin: data.gtin, serial: data.serial },
      });
    } else if (data.gtin && data.lot) {
      void navigate({ to: '/supply/lots/$gtin/$lot', params: { gtin: data.gtin, lot: data.lot } });
    } else if (data.gtin) {
      void navigate({ to: '/supply/products/$gtin', params: { gtin: data.gtin } });
    } else {
      return 'This code names no product, unit or container (GTIN or SSCC).';
    }
    return null;
  };
}

/** The Supply section: its tabs, a scan box that finds what is scanned, and the page. */
export function SupplyLayout() {
  const profile = useProfile();
  const { tab, scan } = useSupplyPage();
  const onScan = useScanNavigation();
  useSupplyLiveUpdates();
  useForgetOnProfileChange(profile.memberId);

  return (
    <>
      <div className="supply-bar">
        <SectionTabs label="Supply" tabs={TABS} current={tab} />
        {scan && (
          <ScanBox
            className="supply-bar-scan"
            label="Find by barcode"
            placeholder="Scan or paste a code"
            onScan={onScan}
            enterAction="open its page"
          />
        )}
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
