import { createRoute } from '@tanstack/react-router';
import { rootRoute } from '../app/root-route';
import { lazyPages, SectionSuspense } from '../components/section-routes';

const page = lazyPages(() => import('./pages'));
const NetworkPage = page('NetworkPage');

/** `#/network`: peers, consensus, validators' participation, commit times and sync. */
const networkRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/network',
  staticData: { section: 'network' },
  component: function NetworkRoute() {
    return (
      <SectionSuspense what="the Network page">
        <NetworkPage />
      </SectionSuspense>
    );
  },
});

export const networkRoutes = [networkRoute] as const;
