import { createRoute } from '@tanstack/react-router';
import { z } from 'zod';
import { rootRoute } from '../app/root-route';
import { hexIdParam, searchValidator } from '../app/search';
import { MemberPage } from './MemberPage';
import { MembersPage } from './MembersPage';

/** `?proposal=<64-hex>`: an open proposal to scroll to and highlight; anything else is ignored. */
const MembersSearch = z.object({ proposal: hexIdParam.optional().catch(undefined) });

/** `#/members`, `#/members?proposal=<id>`: members, open and decided proposals. */
const membersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/members',
  validateSearch: searchValidator(MembersSearch),
  staticData: { section: 'members' },
  component: function MembersRoute() {
    const { proposal } = membersRoute.useSearch();
    return <MembersPage focus={proposal ?? null} />;
  },
});

/** `#/members/<id>`: one member (an unknown id is the member page's own "not found"). */
const memberRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/members/$id',
  staticData: { section: 'members' },
  component: function MemberRoute() {
    const { id } = memberRoute.useParams();
    return <MemberPage id={id} />;
  },
});

export const membersRoutes = [membersRoute, memberRoute] as const;
