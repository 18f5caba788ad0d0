import { Link } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import type { Params } from '../../shared/rpc/contract';
import { Badge } from '../components/Badge';
import { Spinner } from '../components/States';
export { SubmitRow, useSigningBlocked } from '../components/SubmitRow';
import { sentence } from '../components/text';
import { asRpcError } from '../rpc/rpc-response';
import { useMembersById } from '../stores/members-store';
import {
  usePermissionsSubmissionsStore,
  type PermissionsAction,
  type PermissionsSubmission,
} from '../stores/permissions-submissions';
import {
  NO_ERRORS,
  placeErrors,
  withMemberNames,
  type FormErrors,
  type Placement,
} from './form-errors';
import { BlockLink, PatientLink, TxLink } from './links';
import { OUTCOME_LABELS, OUTCOME_TONES } from './words';

/**
 * Submitting one permissions form: the node's own checks answer after the form's, each placed
 * where the user acted. Resolves to the transaction id once the node has taken it, or null.
 */
export function usePermissionsSubmit(origin: string) {
  const submitAction = usePermissionsSubmissionsStore((state) => state.submit);
  const dismiss = usePermissionsSubmissionsStore((state) => state.dismiss);
  const members = useMembersById();
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [sending, setSending] = useState(false);

  const submit = async <M extends PermissionsAction>(
    title: string,
    method: M,
    params: Params<M>,
    placement: Placement,
  ): Promise<string | null> => {
    setSending(true);
    setErrors(NO_ERRORS);
    dismiss(origin);
    try {
      const { txId } = await submitAction(origin, title, method, params);
      return txId;
    } catch (failure) {
      setErrors(placeErrors(asRpcError(failure), placement, members));
      return null;
    } finally {
      setSending(false);
    }
  };
  /** Takes back what was said about fields the user has just changed. */
  const clear = (...fields: string[]) =>
    setErrors((current) => {
      const stale = Object.keys(current.fields).filter((key) =>
        fields.some((f) => key === f || key.startsWith(`${f}.`)),
      );
      if (stale.length === 0) return current;
      const next = { ...current.fields };
      for (const key of stale) delete next[key];
      return { ...current, fields: next };
    });
  return { errors, setErrors, sending, submit, clear };
}

/** A recorded access's outcome as every replica derived it, with its review. */
export function OutcomeBadge({
  outcome,
  review,
}: {
  outcome: keyof typeof OUTCOME_LABELS;
  review?: { status: 'open' | 'closed' } | undefined;
}) {
  return (
    <span className="badges">
      <Badge tone={OUTCOME_TONES[outcome]}>{OUTCOME_LABELS[outcome]}</Badge>
      {review && (
        <Badge tone={review.status === 'open' ? 'warn' : 'neutral'}>
          {review.status === 'open' ? 'review open' : 'review closed'}
        </Badge>
      )}
    </span>
  );
}

function CommittedAccess({ submission }: { submission: PermissionsSubmission }) {
  if (submission.state !== 'committed' || !submission.access) return null;
  const access = submission.access;
  return (
    <p className="submission-outcome" data-testid="access-outcome">
      Every replica decided: <OutcomeBadge outcome={access.outcome} review={access.review} />
      {access.outcome === 'violation' &&
        ` ${access.decidedBy ? 'A consent in force refuses it' : 'No consent in force permits it'}: it is raised to the custodian and to regulators.`}
      {access.outcome === 'break-glass' &&
        ' Emergency access without a permitting consent: the custodian reviews it.'}{' '}
      <PatientLink custodian={access.custodian} patient={access.patient}>
        Open the patient
      </PatientLink>
      {access.outcome !== 'permitted' && (
        <>
          {' · '}
          <Link to="/permissions/compliance">Compliance</Link>
        </>
      )}
    </p>
  );
}

/**
 * What became of the latest transaction signed from one form: waiting for its block, recorded
 * (with links to its block and transaction, and a recorded access's outcome), or kept out.
 */
export function SubmissionNotice({
  origin,
  result,
}: {
  origin: string;
  /** A link to what the transaction made or changed, once it is in a block. */
  result?: (submission: PermissionsSubmission) => ReactNode;
}) {
  const submission = usePermissionsSubmissionsStore((state) => state.latest[origin]);
  const dismiss = usePermissionsSubmissionsStore((state) => state.dismiss);
  const members = useMembersById();
  if (!submission) return <div role="status" aria-live="polite" className="submission-slot" />;
  const dismissButton = (
    <button type="button" className="button-secondary button-small" onClick={() => dismiss(origin)}>
      Dismiss
    </button>
  );
  const tone =
    submission.state === 'committed' && submission.access
      ? submission.access.outcome === 'permitted'
        ? 'notice-success'
        : submission.access.outcome === 'violation'
          ? 'notice-violation'
          : 'notice-warn'
      : 'notice-success';
  return (
    <div role="status" aria-live="polite" className="submission-slot">
      {submission.state === 'pending' && (
        <div className="notice notice-info submission" data-testid="submission-pending">
          <p>
            <Spinner /> Signed and sent: <strong>{submission.title}</strong>. It is recorded when
            the next block commits.
          </p>
        </div>
      )}
      {submission.state === 'committed' && (
        <div className={`notice submission ${tone}`} data-testid="submission-committed">
          <div>
            <p>
              Recorded in <BlockLink height={submission.height} />:{' '}
              <strong>{submission.title}</strong>. <TxLink id={submission.txId}>Transaction</TxLink>
              {result && <> · {result(submission)}</>}
            </p>
            <CommittedAccess submission={submission} />
          </div>
          {dismissButton}
        </div>
      )}
      {submission.state === 'refused' && (
        <div className="notice notice-error submission" data-testid="submission-refused">
          <p>
            {submission.title}: the node kept it out of its block.{' '}
            {sentence(withMemberNames(submission.reason, members))}
          </p>
          {dismissButton}
        </div>
      )}
    </div>
  );
}
