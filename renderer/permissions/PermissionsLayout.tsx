import { Link, useRouterState, type LinkProps } from '@tanstack/react-router';
import { SectionLayout, type SectionSync } from '../components/SectionLayout';
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

/** What the section keeps in step with the replica, and forgets for another profile. */
const SYNC: SectionSync = {
  refreshWatched: refreshWatchedPermissions,
  resetQueries: resetPermissionsQueries,
  submissions: usePermissionsSubmissionsStore,
};

function usePermissionsTab(): PermissionsTab | null {
  return useRouterState({
    select: (state) => state.matches.at(-1)?.staticData.permissionsTab ?? null,
  });
}

/** The Permissions section: its tabs and the page. */
export function PermissionsLayout() {
  const tab = usePermissionsTab();
  return (
    <SectionLayout
      section="permissions"
      sync={SYNC}
      bar={
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
      }
    />
  );
}
