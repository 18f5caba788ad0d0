import { createRootRoute } from '@tanstack/react-router';
import { ConsoleLayout, type Section } from './Layout';
import { NotFoundPage } from './NotFoundPage';

declare module '@tanstack/react-router' {
  interface StaticDataRouteOption {
    /** The main-navigation section a page belongs to: its entry is highlighted while it shows. */
    section?: Section;
  }
}

/**
 * The root of the route tree: the console's layout around every page. Section routes hang
 * below it (`getParentRoute: () => rootRoute`); router.tsx composes them into one tree. An
 * address no route matches, and a route whose params fail to parse (`throw notFound()`), show
 * the not-found page in the layout's main area.
 */
export const rootRoute = createRootRoute({
  component: ConsoleLayout,
  notFoundComponent: NotFoundPage,
});
