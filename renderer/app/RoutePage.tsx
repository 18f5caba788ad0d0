import { BlockPage } from '../blocks/BlockPage';
import { BlocksPage } from '../blocks/BlocksPage';
import { TxPage } from '../blocks/TxPage';
import { Page } from '../components/Page';
import { MemberPage } from '../members/MemberPage';
import { MembersPage } from '../members/MembersPage';
import { OverviewPage } from '../overview/OverviewPage';
import { SubmissionsPage } from '../submissions/SubmissionsPage';
import { href, type Route } from './routes';

export function RoutePage({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
      return <OverviewPage />;
    case 'members':
      return <MembersPage focus={route.proposal} />;
    case 'member':
      return <MemberPage id={route.id} />;
    case 'blocks':
      return <BlocksPage before={route.before} />;
    case 'block':
      return <BlockPage height={route.height} />;
    case 'tx':
      return <TxPage id={route.id} />;
    case 'submissions':
      return <SubmissionsPage />;
    case 'not-found':
      return (
        <Page title="Page not found">
          <p>
            The console has no page at <code>#{route.path}</code>.{' '}
            <a href={href.overview()}>Go to the overview</a>.
          </p>
        </Page>
      );
  }
}
