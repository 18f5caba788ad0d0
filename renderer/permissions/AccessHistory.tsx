import { useState } from 'react';
import type { PatientRef } from '../../shared/rpc/permissions';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { AccessTable } from './AccessTable';

/** Accesses on one page of the history, newest first; the contract allows 200. */
export const ACCESSES_PER_PAGE = 25;

type Cursor = { time: number; id: string };

/** Every access recorded to the patient's records, newest first, a page at a time. */
export function AccessHistory({ patient }: { patient: PatientRef }) {
  // The pages before this one, newest first: "Newer" goes back one.
  const [cursors, setCursors] = useState<Cursor[]>([]);
  const before = cursors.at(-1);
  const query = usePermissionsQuery('permissions.access.ofPatient', {
    ...patient,
    ...(before ? { before } : {}),
    limit: ACCESSES_PER_PAGE,
  });
  const accesses = query.data;
  const last = accesses?.at(-1);
  const hasOlder = !!last && accesses?.length === ACCESSES_PER_PAGE;

  return (
    <section className="page-section" aria-labelledby="access-history">
      <h2 id="access-history">Access history</h2>
      <p className="section-note muted">
        Every access members recorded to this patient’s records, newest first, with the outcome
        every replica derived from the consents in force at its block.
      </p>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {accesses ? (
        accesses.length === 0 ? (
          <EmptyState>
            {before ? 'No older access.' : 'No access to this patient’s records has been recorded.'}
          </EmptyState>
        ) : (
          <AccessTable accesses={accesses} label="Accesses to this patient’s records" />
        )
      ) : (
        query.loading && <Loading what="the access history" />
      )}
      {(cursors.length > 0 || hasOlder) && (
        <nav className="pager" aria-label="Access history pages">
          <button
            type="button"
            className="button-secondary button-small"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            ← Newer
          </button>
          <span className="muted">Page {cursors.length + 1}</span>
          <button
            type="button"
            className="button-secondary button-small"
            disabled={!hasOlder}
            onClick={() => last && setCursors([...cursors, { time: last.time, id: last.id }])}
          >
            Older →
          </button>
        </nav>
      )}
    </section>
  );
}
