import { Link, Outlet, useRouterState, type LinkProps } from '@tanstack/react-router';
import { Suspense, useEffect } from 'react';
import { useProfile } from '../app/profile';
import { Loading } from '../components/States';
import { liveConnection, rpc } from '../rpc/client';
import { refreshWatchedPermissions, resetPermissionsQueries } from '../stores/permissions-queries';
import { usePermissionsSubmissionsStore } from '../stores/permissions-submissions';

/** The Permissions section's own pages, one tab each; a route names its tab in `staticData`. */
export type PermissionsTab = 'patients' | 'access' | 'compliance' | 'delegates' | 'secret';

declare module '@tanstack/react-router' {
  interface StaticDataRouteOption {
    /** The Permissions tab a page belongs to (highlighted while it shows). */
    permissionsTab?: PermissionsTab;
  }
}

const TABS: { tab: PermissionsTab; label: string; to: LinkProps['to'] }[] = [
  { tab: 'patients', label: 'Patients', to: '/permissions' },
  { tab: 'access', label: 'Record an access', to: '/permissions/access' },
  { tab: 'compliance', label: 'Compliance', to: '/permissions/compliance' },
  { tab: 'delegates', label: 'Delegates', to: '/permissions/delegates' },
  { tab: 'secret', label: 'Pseudonym secret', to: '/permissions/secret' },
];

/**
 * Keeps the Permissions pages in step with the replica: after every block what they show is
 * fetched again and this console's pending transactions are looked for; one the node kept out
 * of its block is marked refused. After the live connection comes back, the same catch-up runs.
 */
function usePermissionsLiveUpdates(): void {
  useEffect(() => {
    void usePermissionsSubmissionsStore.getState().checkPending();
    return rpc().onEvent((event) => {
      if (event.type === 'block.committed') {
        refreshWatchedPermissions();
        void usePermissionsSubmissionsStore.getState().checkPending();
      } else if (event.type === 'tx.rejected') {
        usePermissionsSubmissionsStore.getState().noteRejected(event.txId, event.reason);
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
        refreshWatchedPermissions();
        void usePermissionsSubmissionsStore.getState().checkPending();
      }
    });
  }, []);
}

/** The member whose console last showed the Permissions section. */
let shownFor: string | null = null;

/**
 * Another profile has other patients, other delegates and did not sign the last one's
 * submissions: nothing read or followed for the last profile is kept.
 */
function useForgetOnProfileChange(memberId: string): void {
  useEffect(() => {
    if (shownFor !== null && shownFor !== memberId) {
      resetPermissionsQueries();
      usePermissionsSubmissionsStore.getState().reset();
    }
    shownFor = memberId;
  }, [memberId]);
}

function usePermissionsTab(): PermissionsTab | null {
  return useRouterState({
    select: (state) => state.matches.at(-1)?.staticData.permissionsTab ?? null,
  });
}

/** The Permissions section: its tabs and the page. */
export function PermissionsLayout() {
  const profile = useProfile();
  const tab = usePermissionsTab();
  usePermissionsLiveUpdates();
  useForgetOnProfileChange(profile.memberId);

  return (
    <>
      <div className="permissions-bar">
        <nav aria-label="Permissions" className="permissions-tabs">
          <ul>
            {TABS.map((item) => (
              <li key={item.tab}>
                <Link
                  to={item.to}
                  activeOptions={{ exact: true }}
                  aria-current={item.tab === tab ? 'page' : undefined}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
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
