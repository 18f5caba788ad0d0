import { useState, type FormEvent } from 'react';
import type { ChainStatus } from '../../shared/rpc/contract';
import { THRESHOLDS, type Policy, type ProposalAction } from '../../shared/members/schemas';
import { Field } from '../components/Field';
import { decisionRule } from './actions';
import { approvers, describeAction, describeTtl } from './describe';
import {
  NO_ERRORS,
  prepareReason,
  ReasonField,
  SubmitRow,
  useProposalSubmission,
  type ProposalErrors,
} from './proposal-form';

export const POLICY_ORIGIN = 'policy';

const MAX_TTL_HOURS = 24 * 365;

const THRESHOLD_OPTIONS: Record<Policy['threshold'], string> = {
  majority: 'A majority of active members',
  'two-thirds': 'Two thirds of active members',
  all: 'All active members',
};

/** Hours as typed: a whole number from 1 to 8760, or why not. */
export function ttlProblem(text: string): string | null {
  if (text.trim() === '')
    return `Enter how many hours proposals stay open, from 1 to ${MAX_TTL_HOURS}.`;
  if (!/^\d+$/.test(text.trim())) return 'Enter a whole number of hours.';
  const hours = Number(text.trim());
  if (hours < 1 || hours > MAX_TTL_HOURS) {
    return `Proposals stay open from 1 to ${MAX_TTL_HOURS} hours (one year).`;
  }
  return null;
}

/** Proposes a new governance policy; the node refuses one equal to the policy in force. */
export function PolicyChangeForm({
  status,
  onCancel,
  onSubmitted,
}: {
  status: ChainStatus;
  onCancel: () => void;
  onSubmitted: () => void;
}) {
  const { errors, setErrors, sending, submit } = useProposalSubmission(POLICY_ORIGIN);
  const [threshold, setThreshold] = useState<Policy['threshold']>(status.policy.threshold);
  const [ttlText, setTtlText] = useState(String(status.policy.proposalTtlHours));
  const [reasonText, setReasonText] = useState('');

  const ttlValid = ttlProblem(ttlText) === null;
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const local: ProposalErrors = { fields: {}, form: null };
    const ttlError = ttlProblem(ttlText);
    if (ttlError) local.fields.proposalTtlHours = ttlError;
    const { reason, error: reasonError } = prepareReason(reasonText);
    if (reasonError) local.fields.reason = reasonError;
    if (Object.keys(local.fields).length > 0) {
      setErrors(local);
      return;
    }
    const action: ProposalAction = {
      type: 'change-policy',
      policy: { threshold, proposalTtlHours: Number(ttlText.trim()) },
    };
    if (await submit(describeAction(action, new Map()), action, reason)) onSubmitted();
  };

  return (
    <form
      id="policy-form"
      className="propose-form"
      aria-labelledby="policy-form-heading"
      onSubmit={(event) => void onSubmit(event)}
      noValidate
    >
      <h3 id="policy-form-heading">Propose a policy change</h3>
      <div className="form-row">
        <Field id="policy-threshold" label="Approval threshold" error={errors.fields.threshold}>
          <select
            value={threshold}
            onChange={(event) => setThreshold(event.currentTarget.value as Policy['threshold'])}
            disabled={sending}
          >
            {THRESHOLDS.map((value) => (
              <option key={value} value={value}>
                {THRESHOLD_OPTIONS[value]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="policy-ttl"
          label="Proposals stay open (hours)"
          hint={`A whole number from 1 to ${MAX_TTL_HOURS}.`}
          error={errors.fields.proposalTtlHours}
        >
          <input
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_TTL_HOURS}
            step={1}
            value={ttlText}
            onChange={(event) => setTtlText(event.currentTarget.value)}
            disabled={sending}
          />
        </Field>
      </div>
      <p>
        If approved, proposals need the approval of {approvers(threshold)}
        {ttlValid && <> and stay open {describeTtl(Number(ttlText.trim()))}</>}. The threshold
        applies at once, also to proposals already open; a proposal keeps the expiry it was opened
        with.
      </p>
      <p className="muted">{decisionRule(status)}</p>
      <ReasonField
        id="policy-reason"
        value={reasonText}
        onChange={setReasonText}
        error={errors.fields.reason}
        disabled={sending}
      />
      <SubmitRow
        sending={sending}
        error={errors.form}
        onCancel={() => {
          setErrors(NO_ERRORS);
          onCancel();
        }}
      />
    </form>
  );
}
