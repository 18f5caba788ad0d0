import { useEffect, useState, type FormEvent } from 'react';
import type { ChainStatus, MemberView } from '../../shared/rpc/contract';
import { publicKeyProblem } from '../../shared/ledger/keys';
import type { ProposalAction } from '../../shared/members/schemas';
import { Field } from '../components/Field';
import { Hex, shortHex } from '../components/Hex';
import { Spinner } from '../components/States';
import { sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { useSessionStore } from '../stores/session-store';
import { consequenceOf, decisionRule, nodeKeyRotationNote, type MemberActionType } from './actions';
import { ValidatorReadiness } from './ValidatorReadiness';
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

/** Key files are small; the contract caps them at 16 KiB. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

/** Where the new key of a rotation of this console's own admin key comes from. */
type OwnKeySource = 'generate' | 'file';

/** A chosen key file: its text goes to the node service, which checks it and keeps the secret. */
interface ChosenKeyFile {
  text: string;
  publicKey: string;
}

/**
 * Reads the public key of a key file here, to show it and to name it in the proposal; the node
 * service checks the whole file again, secret key included.
 */
async function readKeyFileChoice(file: File): Promise<ChosenKeyFile | string> {
  if (file.size > MAX_KEY_FILE_BYTES) return 'This file is too large to be a key file.';
  const text = await file.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'This file is not a key file made by carechain keygen.';
  }
  const publicKey =
    typeof parsed === 'object' && parsed !== null && 'publicKey' in parsed
      ? parsed.publicKey
      : undefined;
  if (typeof publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(publicKey)) {
    return 'This file is not a key file made by carechain keygen.';
  }
  return { text, publicKey };
}

/**
 * The new key of a rotation of the admin key this console signs with. The console must hold its
 * secret key to keep signing once the rotation is carried out, so a bare public key is not
 * offered: the node service generates the pair, or takes the key file.
 */
function OwnNewKeyFields({
  fieldId,
  source,
  onSource,
  generated,
  onGenerated,
  keyFile,
  onKeyFile,
  errors,
  disabled,
}: {
  fieldId: (name: string) => string;
  source: OwnKeySource;
  onSource: (source: OwnKeySource) => void;
  generated: string | null;
  onGenerated: (publicKey: string) => void;
  keyFile: ChosenKeyFile | null;
  onKeyFile: (file: ChosenKeyFile | null, error: string | null) => void;
  errors: ProposalErrors;
  disabled: boolean;
}) {
  const [generateError, setGenerateError] = useState<string | null>(null);

  useEffect(() => {
    if (source !== 'generate' || generated) return;
    let current = true;
    rpc()
      .call('session.newAdminKey', {})
      .then(({ publicKey }) => current && onGenerated(publicKey))
      .catch((failure: unknown) => {
        if (current) setGenerateError(sentence(asRpcError(failure).message));
      });
    return () => {
      current = false;
    };
  }, [source, generated, onGenerated]);

  return (
    <>
      <fieldset className="choice" disabled={disabled}>
        <legend>New admin key</legend>
        <label>
          <input
            type="radio"
            name={fieldId('new-key-source')}
            value="generate"
            checked={source === 'generate'}
            onChange={() => onSource('generate')}
          />
          Generate a new key
        </label>
        <label>
          <input
            type="radio"
            name={fieldId('new-key-source')}
            value="file"
            checked={source === 'file'}
            onChange={() => onSource('file')}
          />
          Use a key file
        </label>
        <p className="muted">
          This is the admin key this console signs with. Its new secret key is sealed with your
          passphrase into this console’s profile before the proposal is sent, and the console signs
          with it as soon as the rotation is carried out.
        </p>
      </fieldset>
      {source === 'generate' ? (
        <p className="key-replaced" role="status">
          <span className="muted">New admin key</span>{' '}
          {generated ? (
            <Hex value={generated} label="new admin key" short />
          ) : generateError ? (
            <span className="form-error">{generateError}</span>
          ) : (
            <Spinner />
          )}
          {errors.fields.newKey && (
            <span className="field-error" role="alert">
              {errors.fields.newKey}
            </span>
          )}
        </p>
      ) : (
        <Field
          id={fieldId('new-key-file')}
          label="Key file of the new key"
          hint="Made by carechain keygen. The node service keeps its secret key; it never reaches this window again."
          error={errors.fields.newKeyFile ?? errors.fields.newKey}
        >
          <input
            type="file"
            disabled={disabled}
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              if (!file) {
                onKeyFile(null, null);
                return;
              }
              void readKeyFileChoice(file).then((choice) =>
                typeof choice === 'string' ? onKeyFile(null, choice) : onKeyFile(choice, null),
              );
            }}
          />
        </Field>
      )}
      {source === 'file' && keyFile && (
        <p className="key-replaced">
          <span className="muted">New admin key</span>{' '}
          <Hex value={keyFile.publicKey} label="new admin key" short />
        </p>
      )}
    </>
  );
}

/**
 * The new key of a rotation of this node's own node key: generated on the node (kept beside its
 * current key, never leaving it), so the node can switch to it at H + 2. Asked once the form
 * shows it; the node answers with the same key if asked again.
 */
function useNextNodeKey(wanted: boolean): { key: string | null; error: string | null } {
  const [state, setState] = useState<{ key: string | null; error: string | null }>({
    key: null,
    error: null,
  });
  useEffect(() => {
    if (!wanted || state.key) return;
    let current = true;
    rpc()
      .call('network.nextNodeKey', {})
      .then(({ publicKey }) => current && setState({ key: publicKey, error: null }))
      .catch((failure: unknown) => {
        if (current) setState({ key: null, error: sentence(asRpcError(failure).message) });
      });
    return () => {
      current = false;
    };
  }, [wanted, state.key]);
  return state;
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
  const profile = useSessionStore((state) => state.data?.profile ?? null);
  const [ownSource, setOwnSource] = useState<OwnKeySource>('generate');
  const [generated, setGenerated] = useState<string | null>(null);
  const [keyFile, setKeyFile] = useState<ChosenKeyFile | null>(null);

  const oldKey = role === 'admin' ? adminKey : member.nodeKey;
  // Rotating the node key of this console's own member: its node makes the new key.
  const ownNode = rotating && role === 'node' && profile !== null && profile.memberId === member.id;
  const nextNodeKey = useNextNodeKey(ownNode);
  // Rotating the key this console signs with: the console must hold the new secret key.
  const ownKey =
    rotating &&
    role === 'admin' &&
    profile !== null &&
    profile.memberId === member.id &&
    oldKey === profile.publicKey;
  const headingId = `propose-${type}-heading`;
  const fieldId = (name: string) => `propose-${type}-${name}`;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const local: ProposalErrors = { fields: {}, form: null };
    const { reason, error: reasonError } = prepareReason(reasonText);
    if (reasonError) local.fields.reason = reasonError;
    let newKey = newKeyText.trim();
    let newKeyFile: string | undefined;
    if (ownKey && ownSource === 'generate') {
      newKey = generated ?? '';
      if (!generated) local.fields.newKey = 'Wait for the new key to be generated.';
    } else if (ownKey) {
      newKey = keyFile?.publicKey ?? '';
      newKeyFile = keyFile?.text;
      if (!keyFile) {
        local.fields.newKeyFile =
          errors.fields.newKeyFile ?? 'Choose the key file of the new admin key.';
      } else if (keyFile.publicKey === oldKey) {
        local.fields.newKeyFile = 'This key file holds the key it would replace.';
      }
    } else if (ownNode) {
      newKey = nextNodeKey.key ?? '';
      if (!nextNodeKey.key) {
        local.fields.newKey = nextNodeKey.error ?? 'Wait for the new node key to be generated.';
      }
    } else if (rotating) {
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
    if (await submit(describeAction(action, members), action, reason, newKeyFile)) {
      // The console switches to its new key on its own: show it when the rotation lands.
      if (ownKey) void useSessionStore.getState().load();
      onSubmitted();
    }
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
                  onChange={() => setRole(value)}
                />
                {value === 'admin' ? 'An admin key' : 'The node key'}
              </label>
            ))}
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
          {ownKey ? (
            <OwnNewKeyFields
              fieldId={fieldId}
              source={ownSource}
              onSource={setOwnSource}
              generated={generated}
              onGenerated={setGenerated}
              keyFile={keyFile}
              onKeyFile={(file, error) => {
                setKeyFile(file);
                setErrors({
                  fields: error ? { newKeyFile: sentence(error) } : {},
                  form: null,
                });
              }}
              errors={errors}
              disabled={sending}
            />
          ) : ownNode ? (
            <p className="key-replaced" role="status">
              <span className="muted">New node key, generated on this node</span>{' '}
              {nextNodeKey.key ? (
                <Hex value={nextNodeKey.key} label="new node key" short />
              ) : nextNodeKey.error ? null : (
                <Spinner />
              )}
              {(errors.fields.newKey ?? nextNodeKey.error) && (
                <span className="field-error" role="alert">
                  {errors.fields.newKey ?? nextNodeKey.error}
                </span>
              )}
            </p>
          ) : (
            <Field
              id={fieldId('new-key')}
              label="New public key"
              hint={
                role === 'node'
                  ? 'The public key of the new node key: 64 lowercase hex digits, as carechain next-node-key prints it on that member’s node.'
                  : 'The public key of the new key pair: 64 lowercase hex digits, as carechain keygen prints it.'
              }
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
          )}
          <p>
            {role === 'admin'
              ? `If approved, this admin key of ${member.legalName} is replaced by the new key: the old key can no longer sign for it.`
              : nodeKeyRotationNote(member, ownNode)}{' '}
            Until the vote ends, the new key is reserved for {member.legalName}.
          </p>
        </>
      ) : (
        <>
          <p>{consequenceOf(type, member)}</p>
          {type === 'add-validator' && <ValidatorReadiness member={member} />}
        </>
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
