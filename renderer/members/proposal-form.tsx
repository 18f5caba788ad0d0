import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import type { RpcError } from '../../shared/rpc/contract';
import { Reason, type ProposalAction } from '../../shared/members/schemas';
import { Field } from '../components/Field';
import { Spinner } from '../components/States';
import { sentence } from '../components/text';
import { asRpcError } from '../rpc/rpc-response';
import { formErrors, type FormErrors } from '../session/field-errors';
import { useGovernanceStore, type SubmissionOrigin } from '../stores/governance-store';

/** Fields of the proposal forms, named as the last segment of the node's issue paths. */
const PROPOSAL_FIELDS = [
  'reason',
  'oldKey',
  'newKey',
  'newKeyFile',
  'threshold',
  'proposalTtlHours',
] as const;
export type ProposalField = (typeof PROPOSAL_FIELDS)[number];
export type ProposalErrors = FormErrors<ProposalField>;

export const NO_ERRORS: ProposalErrors = { fields: {}, form: null };

const REASON_MAX = 500;

/**
 * The reason as it goes on chain: one paragraph, so line breaks typed in the box become spaces,
 * and no surrounding spaces. Empty means no reason. Checked with the ledger's own schema.
 */
export function prepareReason(text: string): { reason?: string; error?: string } {
  const reason = text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim()
    .normalize('NFC');
  if (reason === '') return {};
  const parsed = Reason.safeParse(reason);
  if (!parsed.success) {
    return { error: sentence(parsed.error.issues[0]?.message ?? 'the reason is not valid') };
  }
  return { reason };
}

/**
 * Places the node's answer where the user acted: schema issues under their fields, rule
 * refusals by the submit button, except those about the new key of a rotation (the rules say
 * "cannot propose rotate-key: the new key …"), which go under that field.
 */
function placeErrors(error: RpcError, hasNewKeyField: boolean): ProposalErrors {
  if (error.code !== 'rejected') return formErrors(error, PROPOSAL_FIELDS);
  // The form already says what is proposed: keep the rule's reason ("cannot propose X: why").
  const why = /^cannot propose [a-z-]+: (.+)$/s.exec(error.message)?.[1];
  if (why?.startsWith('the new key') && hasNewKeyField) {
    return { fields: { newKey: sentence(why) }, form: null };
  }
  return { fields: {}, form: sentence(`the node refused the proposal: ${why ?? error.message}`) };
}

/** Submitting one proposal form: the request, what is wrong, and whether it is on its way. */
export function useProposalSubmission(origin: SubmissionOrigin, hasNewKeyField = false) {
  const propose = useGovernanceStore((state) => state.propose);
  const [errors, setErrors] = useState<ProposalErrors>(NO_ERRORS);
  const [sending, setSending] = useState(false);

  /** Returns true once the node has accepted the proposal into its mempool. */
  const submit = async (
    title: string,
    action: ProposalAction,
    reason: string | undefined,
    newKeyFile?: string,
  ): Promise<boolean> => {
    setSending(true);
    setErrors(NO_ERRORS);
    try {
      await propose(origin, title, action, reason, newKeyFile);
      return true;
    } catch (failure) {
      setErrors(placeErrors(asRpcError(failure), hasNewKeyField));
      return false;
    } finally {
      setSending(false);
    }
  };
  return { errors, setErrors, sending, submit };
}

export function ReasonField({
  id,
  value,
  onChange,
  error,
  disabled,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  disabled: boolean;
}) {
  const length = value.trim().length;
  return (
    <Field
      id={id}
      label="Reason (optional)"
      hint={`Shown to every member with the proposal. One paragraph, at most ${REASON_MAX} characters${length > 0 ? ` (${length} so far)` : ''}.`}
      error={error}
    >
      <textarea
        rows={3}
        value={value}
        onChange={(event) => onChange(event.currentTarget.value)}
        disabled={disabled}
      />
    </Field>
  );
}

/** Submit and cancel, and the node's refusal right under them. */
export function SubmitRow({
  sending,
  error,
  onCancel,
}: {
  sending: boolean;
  error: string | null;
  onCancel: () => void;
}) {
  return (
    <>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={sending}>
          {sending ? 'Submitting…' : 'Submit proposal'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel} disabled={sending}>
          Cancel
        </button>
        {sending && <Spinner />}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/**
 * What became of the latest proposal made from one place: on its way into a block, open for
 * votes (with the way to its card), decided, or refused when its block was built.
 */
export function SubmissionNotice({ origin }: { origin: SubmissionOrigin }) {
  const submission = useGovernanceStore((state) => state.latest[origin]);
  const dismiss = useGovernanceStore((state) => state.dismiss);
  const dismissButton = (
    <button type="button" className="button-secondary button-small" onClick={() => dismiss(origin)}>
      Dismiss
    </button>
  );
  return (
    <div role="status" aria-live="polite" className="submission-slot">
      {submission?.state === 'pending' && (
        <div className="notice notice-info submission">
          <p>
            <Spinner /> Proposal submitted; it opens in the next block.
          </p>
          <p className="submission-title">{submission.title}</p>
        </div>
      )}
      {submission?.state === 'opened' && (
        <div className="notice notice-success submission">
          <p>
            Proposal open for votes: <strong>{submission.title}</strong>.{' '}
            <Link to="/members" search={{ proposal: submission.id }}>
              See the open proposal
            </Link>
          </p>
          {dismissButton}
        </div>
      )}
      {submission?.state === 'decided' && (
        <div
          className={`notice submission ${submission.status === 'approved' ? 'notice-success' : 'notice-info'}`}
        >
          <p>
            Proposal decided: <strong>{submission.title}</strong> was {submission.status}.{' '}
            <Link to="/members">See the decided proposals</Link>
          </p>
          {dismissButton}
        </div>
      )}
      {submission?.state === 'rejected' && (
        <div className="notice notice-error submission">
          <p>
            {submission.title}: the proposal was not included in a block.{' '}
            {sentence(submission.reason)}
          </p>
          {dismissButton}
        </div>
      )}
    </div>
  );
}
