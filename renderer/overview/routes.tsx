import { createRoute } from '@tanstack/react-router';
import { rootRoute } from '../app/root-route';
import { OverviewPage } from './OverviewPage';

/** `#/`: the overview. */
const overviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  staticData: { section: 'overview' },
  component: OverviewPage,
});

/** `#/overview`: the same page, as the console has always also accepted it. */
const overviewByNameRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/overview',
  staticData: { section: 'overview' },
  component: OverviewPage,
});

export const overviewRoutes = [overviewRoute, overviewByNameRoute] as const;
