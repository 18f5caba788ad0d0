import { createHashHistory, createRouter, rootRouteId } from '@tanstack/react-router';
import { blocksRoutes } from '../blocks/routes';
import { membersRoutes } from '../members/routes';
import { networkRoutes } from '../network/routes';
import { overviewRoutes } from '../overview/routes';
import { permissionsRoutes } from '../permissions/routes';
import { researchRoutes } from '../research/routes';
import { submissionsRoutes } from '../submissions/routes';
import { supplyRoutes } from '../supply/routes';
import { rootRoute } from './root-route';
import { parseSearch, stringifySearch } from './search';

/*
 * The console's routes (TanStack Router, code-based). The addresses are part of the console's
 * interface: bookmarks and the end-to-end tests use them, so they stay exactly these:
 *   #/                          overview (also #/overview)
 *   #/members                   members, open and decided proposals
 *   #/members?proposal=<id>     the same, scrolled to one open proposal
 *   #/members/<id>              one member
 *   #/blocks                    newest blocks;  #/blocks?before=<height> older pages
 *   #/blocks/<height>           one block
 *   #/tx/<id>                   one transaction
 *   #/network                   this node on the consortium network: peers, validators, sync
 *   #/submissions               this console's own submissions and what became of them
 *   #/supply/…                  the drug supply chain (its addresses: supply/routes.tsx)
 *   #/permissions/…             patients' consents and accesses (permissions/routes.tsx)
 *   #/research/…                trial documents anchored, verified (research/routes.tsx)
 * Anything else shows the not-found page inside the layout.
 *
 * Adding a section (e.g. Supply): in its own folder, write `routes.tsx` exporting its routes as a
 * tuple, each made with `createRoute({ getParentRoute: () => rootRoute, path, validateSearch,
 * staticData: { section }, component })` (see members/routes.tsx for search params validated
 * with zod, blocks/routes.tsx for a path param that is parsed or not found). Spread the tuple into
 * `addChildren` below, and add the section to `Section` and `NAV` in Layout.tsx. A section
 * with its own layout can instead export one parent route with its pages as children.
 */
const routeTree = rootRoute.addChildren([
  ...overviewRoutes,
  ...membersRoutes,
  ...blocksRoutes,
  ...networkRoutes,
  ...supplyRoutes,
  ...permissionsRoutes,
  ...researchRoutes,
  ...submissionsRoutes,
]);

/*
 * Hash history: the console is served from the app:// protocol in Electron and over HTTP by the
 * web host, and only the part after `#` is the console's own. Links are written relative to the
 * page (`#/blocks/12`), as they always were, rather than prefixed with the page's path
 * (`/index.html#/blocks/12`): the same document either way, and the addresses tests and users see
 * stay unchanged. (The history moves the address bar itself with the full URL.) The page itself
 * is always loaded without a query (the web host redirects its login link to `/`, Electron loads
 * index.html), which hash history would otherwise read as search params too.
 */
const history = createHashHistory();
history.createHref = (path) => `#${path}`;

export const router = createRouter({
  routeTree,
  history,
  parseSearch,
  stringifySearch,
  caseSensitive: true,
  // A page opens fresh whenever its params or search change (another block, another page of
  // blocks, another proposal to focus), as it did when every address change re-mounted the page.
  defaultRemountDeps: ({ routeId, params, search }) =>
    routeId === rootRouteId ? undefined : { params, search },
  // New pages open at the top; back and forward return to where the page was scrolled. Except
  // `#/members?proposal=<id>`: that page scrolls to the proposal itself (ProposalCard), and the
  // router scrolling to the top after it would undo that.
  scrollRestoration: ({ location }) => !('proposal' in location.search),
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
