import { createRoute } from '@tanstack/react-router';
import { rootRoute } from '../app/root-route';
import { SubmissionsPage } from './SubmissionsPage';

/** `#/submissions`: this console's own submissions and what became of them. */
const submissionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/submissions',
  staticData: { section: 'submissions' },
  component: SubmissionsPage,
});

export const submissionsRoutes = [submissionsRoute] as const;
