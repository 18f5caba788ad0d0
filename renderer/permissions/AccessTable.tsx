import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { REVIEW_REASONS } from '../../shared/permissions/codes';
import type { AccessView } from '../../shared/rpc/permissions';
import { absoluteTime } from '../components/Time';
import { OutcomeBadge } from './forms';
import { BlockLink, consentAnchor, MemberName, PatientLink, TxLink } from './links';
import { actionLabel, classLabel, purposeLabel } from './words';

/** "permit by consent v2, exception 1.1": the provision that decided an access, in short. */
function basisText(d: NonNullable<AccessView['decidedBy']>): string {
  const where =
    d.path.length === 0 ? 'base rule' : `exception ${d.path.map((i) => i + 1).join('.')}`;
  return `${d.type} by consent v${d.version}, ${where}`;
}

/**
 * The consent provision that decided an access, or why none did. On the patient's page it
 * scrolls to the consent's card; elsewhere it opens the patient's page.
 */
function Basis({ access, onPatientPage }: { access: AccessView; onPatientPage: boolean }) {
  const d = access.decidedBy;
  if (!d) {
    return (
      <span className="muted">
        {access.outcome === 'break-glass' ? 'no consent: emergency' : 'no consent in force'}
      </span>
    );
  }
  const title = `consent ${d.consent}, version ${d.version}`;
  if (onPatientPage) {
    return (
      <button
        type="button"
        className="link-button"
        title={title}
        onClick={() =>
          document.getElementById(consentAnchor(d.consent))?.scrollIntoView({ block: 'start' })
        }
      >
        {basisText(d)}
      </button>
    );
  }
  return (
    <Link
      to="/permissions/patients/$custodian/$patient"
      params={{ custodian: access.custodian, patient: access.patient }}
      title={title}
    >
      {basisText(d)}
    </Link>
  );
}

function Review({ access }: { access: AccessView }) {
  const review = access.review;
  if (!review) return null;
  if (review.status === 'open') return null;
  return (
    <span className="cell-sub">
      {review.reason ? REVIEW_REASONS[review.reason] : 'closed'}
      {review.closedTx && (
        <>
          {' · '}
          <TxLink id={review.closedTx}>review</TxLink>
        </>
      )}
    </span>
  );
}

/**
 * Recorded accesses, newest first: when, who, what for, and the outcome every replica derived.
 * `showPatient` adds the patient and custodian (the compliance lists span patients); `action`
 * gives a row its own control (closing a review).
 */
export function AccessTable({
  accesses,
  label,
  showPatient = false,
  action,
}: {
  accesses: AccessView[];
  label: string;
  showPatient?: boolean;
  action?: (access: AccessView) => ReactNode;
}) {
  return (
    <div className="table-wrap">
      <table className="table access-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">When</th>
            {showPatient && <th scope="col">Patient</th>}
            <th scope="col">Accessed by</th>
            <th scope="col">What</th>
            <th scope="col">Purpose</th>
            <th scope="col">Outcome</th>
            <th scope="col">Decided by</th>
            {action && <th scope="col">Review</th>}
          </tr>
        </thead>
        <tbody>
          {accesses.map((a) => (
            <tr key={a.id} data-access={a.id} data-outcome={a.outcome}>
              <td className="nowrap">
                {absoluteTime(a.time)}
                <span className="cell-sub">
                  <BlockLink height={a.height} /> · <TxLink id={a.id}>transaction</TxLink>
                </span>
              </td>
              {showPatient && (
                <td>
                  <PatientLink custodian={a.custodian} patient={a.patient} />
                  <span className="cell-sub">
                    at <MemberName id={a.custodian} name={a.custodianName} />
                  </span>
                </td>
              )}
              <td>
                <MemberName id={a.accessor} name={a.accessorName} />
              </td>
              <td>
                {actionLabel(a.action)} · {classLabel(a.recordClass)}
              </td>
              <td>
                {purposeLabel(a.purpose)} <code className="muted">{a.purpose}</code>
              </td>
              <td>
                <OutcomeBadge outcome={a.outcome} review={a.review} />
                <Review access={a} />
              </td>
              <td>
                <Basis access={a} onPatientPage={!showPatient} />
              </td>
              {action && <td>{action(a)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
