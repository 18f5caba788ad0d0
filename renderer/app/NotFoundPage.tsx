import { Link, useLocation } from '@tanstack/react-router';
import { Page } from '../components/Page';

/** Any address the route tree has no page for, or a page's params that are not valid. */
export function NotFoundPage() {
  const path = useLocation({ select: (location) => location.href });
  return (
    <Page title="Page not found">
      <p>
        The console has no page at <code>#{path}</code>. <Link to="/">Go to the overview</Link>.
      </p>
    </Page>
  );
}
