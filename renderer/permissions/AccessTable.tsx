import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { REVIEW_REASONS } from '../../shared/permissions/codes';
import type { AccessView } from '../../shared/rpc/permissions';
import { absoluteTime } from '../components/Time';
import { FhirLink } from './Download';
import { OutcomeBadge } from './forms';
import { BlockLink, consentAnchor, MemberName, PatientLink, TxLink } from './links';
import { actionLabel, classLabel, purposeWithCode } from './words';

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

/** A closed review: the reason the custodian gave, and its transaction. */
export function ReviewClosed({ access }: { access: AccessView }) {
  const review = access.review;
  if (review?.status !== 'closed') return null;
  return (
    <span className="review-closed">
      {review.reason ? REVIEW_REASONS[review.reason] : 'Closed'}
      {review.closedTx && (
        <span className="cell-sub">
          {review.closedTime !== undefined && <>{absoluteTime(review.closedTime)} · </>}
          <TxLink id={review.closedTx}>review transaction</TxLink>
        </span>
      )}
    </span>
  );
}

/** "access · observations and results, for treatment (TREAT)". */
function whatText(a: AccessView): string {
  return `${actionLabel(a.action)} · ${classLabel(a.recordClass).toLowerCase()}, for ${purposeWithCode(a.purpose)}`;
}

/**
 * Recorded accesses, newest first: when, who did what for which purpose, and the outcome every
 * replica derived with the provision that decided it. `showPatient` adds the patient and its
 * custodian (the compliance lists span patients); `action` gives each row a review cell.
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
            <th scope="col">Access</th>
            <th scope="col">Outcome</th>
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
                <span className="cell-sub">
                  <FhirLink
                    method="permissions.fhir.auditEvent"
                    params={{ id: a.id }}
                    file={`auditevent-${a.id.slice(0, 12)}.fhir.json`}
                    title="This access as a FHIR R4 AuditEvent resource (JSON), with its decision"
                  >
                    FHIR AuditEvent
                  </FhirLink>
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
                <span className="cell-sub">{whatText(a)}</span>
              </td>
              <td>
                <OutcomeBadge outcome={a.outcome} review={a.review} />
                <span className="cell-sub">
                  <Basis access={a} onPatientPage={!showPatient} />
                </span>
                {!action && <ReviewClosed access={a} />}
              </td>
              {action && <td className="review-cell">{action(a)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
