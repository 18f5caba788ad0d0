import { SessionLayout } from './SessionLayout';

/** Browser mode opened without the per-run token (or with one from an earlier run). */
export function NoTokenScreen({ rejected = false }: { rejected?: boolean }) {
  return (
    <SessionLayout title={rejected ? 'This console link has expired' : 'Open the console link'}>
      <p>
        {rejected
          ? 'The node service did not accept this link. Each run of the console uses a new secret token, so links from an earlier run stop working.'
          : 'This page needs the secret token of the running node service, which is part of the link it prints.'}
      </p>
      <p>
        Open the URL printed by <code>carechain serve</code> in your terminal. It looks like{' '}
        <code>http://127.0.0.1:PORT/#token=…</code>.
      </p>
    </SessionLayout>
  );
}
