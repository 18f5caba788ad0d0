import { useState, type FormEvent } from 'react';
import type { ChainStatus, MemberView } from '../../shared/rpc/contract';
import { publicKeyProblem } from '../../shared/ledger/keys';
import type { ProposalAction } from '../../shared/members/schemas';
import { Field } from '../components/Field';
import { Hex, shortHex } from '../components/Hex';
import { sentence } from '../components/text';
import {
  consequenceOf,
  decisionRule,
  SINGLE_VALIDATOR_NOTE,
  type MemberActionType,
} from './actions';
import { describeAction, type MembersById } from './describe';
import {
  NO_ERRORS,
  prepareReason,
  ReasonField,
  SubmitRow,
  useProposalSubmission,
  type ProposalErrors,
} from './proposal-form';

type KeyRole = 'admin' | 'node';

/** Client-side check of a pasted public key; the node checks it again, and its point too. */
export function newKeyProblem(key: string, oldKey: string): string | null {
  if (key === '') return 'Paste the new public key.';
  if (/^[0-9a-fA-F]{64}$/.test(key) && key !== key.toLowerCase()) {
    return 'Write the key in lowercase hex digits (0-9, a-f), as carechain keygen prints it.';
  }
  if (!/^[0-9a-f]*$/.test(key)) {
    return 'A public key has only the hex digits 0-9 and a-f.';
  }
  if (key.length !== 64) {
    return `A public key is 64 hex digits; this one has ${key.length}.`;
  }
  if (key === oldKey) return 'The new key is the key it would replace.';
  const problem = publicKeyProblem(key);
  return problem ? sentence(problem) : null;
}

interface MemberActionFormProps {
  type: MemberActionType;
  member: MemberView;
  status: ChainStatus;
  members: MembersById;
  /** Submissions from this form are announced on the member's page under this origin. */
  origin: string;
  onCancel: () => void;
  onSubmitted: () => void;
}

/** One proposal about a member: what it does, what it needs, an optional reason, submit. */
export function MemberActionForm({
  type,
  member,
  status,
  members,
  origin,
  onCancel,
  onSubmitted,
}: MemberActionFormProps) {
  const rotating = type === 'rotate-key';
  const { errors, setErrors, sending, submit } = useProposalSubmission(origin, rotating);
  const [reasonText, setReasonText] = useState('');
  const [role, setRole] = useState<KeyRole>('admin');
  const [adminKey, setAdminKey] = useState(member.adminKeys[0] ?? '');
  const [newKeyText, setNewKeyText] = useState('');

  const oldKey = role === 'admin' ? adminKey : member.nodeKey;
  const headingId = `propose-${type}-heading`;
  const fieldId = (name: string) => `propose-${type}-${name}`;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const local: ProposalErrors = { fields: {}, form: null };
    const { reason, error: reasonError } = prepareReason(reasonText);
    if (reasonError) local.fields.reason = reasonError;
    const newKey = newKeyText.trim();
    if (rotating) {
      const keyError = newKeyProblem(newKey, oldKey);
      if (keyError) local.fields.newKey = keyError;
    }
    if (Object.keys(local.fields).length > 0) {
      setErrors(local);
      return;
    }
    const action: ProposalAction = rotating
      ? { type, member: member.id, role, oldKey, newKey }
      : { type, member: member.id };
    if (await submit(describeAction(action, members), action, reason)) onSubmitted();
  };

  const title = rotating
    ? `Rotate a key of ${member.legalName}`
    : describeAction({ type, member: member.id }, members);

  return (
    <form
      id="propose-form"
      className="propose-form"
      aria-labelledby={headingId}
      onSubmit={(event) => void onSubmit(event)}
      noValidate
    >
      <h3 id={headingId}>{title}</h3>
      {rotating ? (
        <>
          <fieldset className="choice" disabled={sending}>
            <legend>Key to rotate</legend>
            {(['admin', 'node'] as const).map((value) => (
              <label key={value}>
                <input
                  type="radio"
                  name={fieldId('role')}
                  value={value}
                  checked={role === value}
                  disabled={value === 'node' && member.validator}
                  onChange={() => setRole(value)}
                />
                {value === 'admin' ? 'An admin key' : 'The node key'}
              </label>
            ))}
            {member.validator && <p className="muted">{SINGLE_VALIDATOR_NOTE}</p>}
          </fieldset>
          {role === 'admin' && member.adminKeys.length > 1 ? (
            <Field
              id={fieldId('old-key')}
              label="Admin key to replace"
              error={errors.fields.oldKey}
            >
              <select
                value={adminKey}
                onChange={(event) => setAdminKey(event.currentTarget.value)}
                disabled={sending}
              >
                {member.adminKeys.map((key, index) => (
                  <option key={key} value={key}>
                    Admin key {index + 1}: {shortHex(key)}
                  </option>
                ))}
              </select>
            </Field>
          ) : (
            <p className="key-replaced">
              <span className="muted">Replaces {role === 'admin' ? 'admin key' : 'node key'}</span>{' '}
              <Hex value={oldKey} label={`current ${role} key`} short />
            </p>
          )}
          <Field
            id={fieldId('new-key')}
            label="New public key"
            hint="The public key of the new key pair: 64 lowercase hex digits, as carechain keygen prints it."
            error={errors.fields.newKey}
          >
            <input
              type="text"
              className="input-mono"
              spellCheck={false}
              autoComplete="off"
              value={newKeyText}
              onChange={(event) => setNewKeyText(event.currentTarget.value)}
              disabled={sending}
            />
          </Field>
          <p>
            {role === 'admin'
              ? `If approved, this admin key of ${member.legalName} is replaced by the new key: the old key can no longer sign for it.`
              : `If approved, the node key of ${member.legalName} is replaced by the new key: its node must then run with the new key${member.validator ? ' to keep signing blocks' : ''}.`}{' '}
            Until the vote ends, the new key is reserved for {member.legalName}.
          </p>
        </>
      ) : (
        <p>{consequenceOf(type, member)}</p>
      )}
      <p className="muted">{decisionRule(status)}</p>
      <ReasonField
        id={fieldId('reason')}
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
