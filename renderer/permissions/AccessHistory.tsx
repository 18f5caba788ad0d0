import type { AccessView, PatientRef } from '../../shared/rpc/permissions';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { AccessTable } from './AccessTable';
import { useAccessPages } from './AccessPager';

/** Accesses on one page of the history, newest first; the contract allows 200. */
export const ACCESSES_PER_PAGE = 25;

/** Every access recorded to the patient's records, newest first, a page at a time. */
export function AccessHistory({ patient }: { patient: PatientRef }) {
  const pages = useAccessPages<AccessView>(ACCESSES_PER_PAGE);
  const { before } = pages;
  const query = usePermissionsQuery('permissions.access.ofPatient', {
    ...patient,
    ...(before ? { before } : {}),
    limit: ACCESSES_PER_PAGE,
  });
  const accesses = query.data;
  const { nav } = pages.pager(accesses, 'Access history pages');

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
      {nav}
    </section>
  );
}
