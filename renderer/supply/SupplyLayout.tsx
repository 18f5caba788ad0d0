import { useNavigate, useRouterState } from '@tanstack/react-router';
import type { Gs1Data } from '../../shared/supply/gs1';
import { SectionLayout, type SectionSync } from '../components/SectionLayout';
import { SectionTabs, type SectionTab } from '../components/SectionTabs';
import { refreshWatchedSupply, resetSupplyQueries } from '../stores/supply-queries';
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

/** What the section keeps in step with the replica, and forgets for another profile. */
const SYNC: SectionSync = {
  refreshWatched: refreshWatchedSupply,
  resetQueries: resetSupplyQueries,
  submissions: useSupplySubmissionsStore,
};

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
  const { tab, scan } = useSupplyPage();
  const onScan = useScanNavigation();
  return (
    <SectionLayout
      section="supply"
      sync={SYNC}
      bar={
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
      }
    />
  );
}
