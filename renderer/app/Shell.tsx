import { useEffect } from 'react';
import type { ProfileSummary } from '../../shared/rpc/contract';
import { useChainStore } from '../stores/chain-store';
import { useMembersStore } from '../stores/members-store';
import { useLiveUpdates } from './live-updates';
import { LiveIndicator } from './LiveIndicator';
import { RoutePage } from './RoutePage';
import { href, hrefFor, useRoute, type Route } from './routes';
import { WriteBlockBanner } from './WriteBlockBanner';
import { KeyProblemNotice } from '../session/KeyProblemNotice';

type Section = 'overview' | 'members' | 'blocks' | 'submissions';

function sectionOf(route: Route): Section | null {
  switch (route.page) {
    case 'overview':
      return 'overview';
    case 'members':
    case 'member':
      return 'members';
    case 'blocks':
    case 'block':
    case 'tx':
      return 'blocks';
    case 'submissions':
      return 'submissions';
    case 'not-found':
      return null;
  }
}

const NAV: { section: Section; label: string; href: string }[] = [
  { section: 'overview', label: 'Overview', href: href.overview() },
  { section: 'members', label: 'Members', href: href.members() },
  { section: 'blocks', label: 'Blocks', href: href.blocks() },
  { section: 'submissions', label: 'Your submissions', href: href.submissions() },
];

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
              <a
                href={href.block(status.height)}
                aria-label={`Height ${status.height}, open block`}
              >
                {status.height}
              </a>
            ) : (
              '…'
            )}
          </dd>
        </div>
      </dl>
      <LiveIndicator />
      <p className="topbar-profile" aria-label="Signed in as">
        <span className="topbar-member">{profile.memberName}</span>
        {profile.kind && <span className="topbar-kind">{profile.kind}</span>}
      </p>
    </header>
  );
}

/** The console once a profile is unlocked: navigation, top bar and the current page. */
export function Shell({ profile }: { profile: ProfileSummary }) {
  useLiveUpdates();
  const route = useRoute();
  const section = sectionOf(route);

  useEffect(() => {
    // Status feeds the top bar and member names appear on most pages: load both up front.
    void useChainStore.getState().refresh();
    void useMembersStore.getState().refreshList();
  }, []);

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
                <a href={item.href} aria-current={item.section === section ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="main-column">
        <TopBar profile={profile} />
        <WriteBlockBanner />
        <KeyProblemNotice profile={profile} />
        <RoutePage key={hrefFor(route)} route={route} />
      </div>
    </div>
  );
}
