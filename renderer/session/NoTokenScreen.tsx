import { SessionLayout } from './SessionLayout';

/**
 * Browser mode in a browser the node service has not signed in: never opened through a console
 * link, or signed in to an earlier run of `carechain serve`.
 */
export function NoTokenScreen() {
  return (
    <SessionLayout title="Open the console link">
      <p>
        This browser is not signed in to the node service. Open the link that{' '}
        <code>carechain serve</code> printed in your terminal; it looks like{' '}
        <code>http://127.0.0.1:PORT/login?code=…</code>.
      </p>
      <p>
        Each link works once, in one browser. After a link is used, <code>carechain serve</code>{' '}
        prints a new one for the next browser. When <code>carechain serve</code> restarts, open the
        link it prints then: sign-ins from an earlier run stop working.
      </p>
    </SessionLayout>
  );
}
