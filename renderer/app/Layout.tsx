import { Link, Outlet, useRouterState, type LinkProps } from '@tanstack/react-router';
import type { ProfileSummary } from '../../shared/rpc/contract';
import { KeyProblemNotice } from '../session/KeyProblemNotice';
import { ProfileSwitcher } from '../session/ProfileSwitcher';
import { useChainStore } from '../stores/chain-store';
import { LiveIndicator } from './LiveIndicator';
import { useProfile } from './profile';
import { JoinBanner } from './JoinBanner';
import { WriteBlockBanner } from './WriteBlockBanner';

/**
 * The sections of the main navigation. A route names its section in `staticData.section`
 * (see root-route.tsx), which highlights the section's entry while one of its pages is open.
 */
export type Section =
  | 'overview'
  | 'members'
  | 'blocks'
  | 'network'
  | 'supply'
  | 'permissions'
  | 'research'
  | 'submissions';

const NAV: { section: Section; label: string; to: LinkProps['to'] }[] = [
  { section: 'overview', label: 'Overview', to: '/' },
  { section: 'members', label: 'Members', to: '/members' },
  { section: 'blocks', label: 'Blocks', to: '/blocks' },
  { section: 'network', label: 'Network', to: '/network' },
  { section: 'supply', label: 'Supply', to: '/supply' },
  { section: 'permissions', label: 'Permissions', to: '/permissions' },
  { section: 'research', label: 'Research', to: '/research' },
  { section: 'submissions', label: 'Your submissions', to: '/submissions' },
];

/** The section of the page on screen; none while the not-found page is shown. */
function useSection(): Section | null {
  return useRouterState({
    select: (state) => {
      if (state.matches.some((match) => match._notFound || match.status === 'notFound')) {
        return null;
      }
      return state.matches.at(-1)?.staticData.section ?? null;
    },
  });
}

function focusContent(): void {
  document.getElementById('page-title')?.focus();
}

function TopBar({ profile }: { profile: ProfileSummary }) {
  const status = useChainStore((state) => state.status.data);
  return (
    <header className="topbar">
      <dl className="topbar-facts">
        <div>
          <dt>Chain</dt>
          <dd>
            <code>{status?.chainId ?? '…'}</code>
          </dd>
        </div>
        <div>
          <dt>Height</dt>
          <dd>
            {status ? (
              <Link
                to="/blocks/$height"
                params={{ height: status.height }}
                aria-label={`Height ${status.height}, open block`}
              >
                {status.height}
              </Link>
            ) : (
              '…'
            )}
          </dd>
        </div>
      </dl>
      <LiveIndicator />
      <p className="topbar-profile" aria-label="Signed in as" data-member={profile.memberId}>
        <span className="topbar-member">{profile.memberName}</span>
        {profile.kind && <span className="topbar-kind">{profile.kind}</span>}
      </p>
      <ProfileSwitcher current={profile} />
    </header>
  );
}

/** The root route's component: navigation, top bar, banners, and the current page. */
export function ConsoleLayout() {
  const profile = useProfile();
  const section = useSection();
  return (
    <div className="shell">
      <button type="button" className="skip-link" onClick={focusContent}>
        Skip to content
      </button>
      <aside className="sidebar">
        <p className="brand">CareChain Console</p>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.section}>
                {/* The section, not the exact address, decides the highlight. */}
                <Link
                  to={item.to}
                  activeOptions={{ exact: true }}
                  aria-current={item.section === section ? 'page' : undefined}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="main-column">
        <TopBar profile={profile} />
        <JoinBanner />
        <WriteBlockBanner />
        <KeyProblemNotice profile={profile} />
        <Outlet />
      </div>
    </div>
  );
}
