import { useState, type FormEvent } from 'react';
import type { RpcError } from '../../shared/rpc/contract';
import { Field } from '../components/Field';
import { Spinner } from '../components/States';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { useSessionStore } from '../stores/session-store';
import { formErrors, type FormErrors } from './field-errors';
import { SessionLayout } from './SessionLayout';

const FIELDS = ['keyFile', 'passphrase', 'confirm'] as const;
type ProfileField = (typeof FIELDS)[number];

const MIN_PASSPHRASE = 8;
/** The contract caps key files at 16 KiB; anything bigger is the wrong file. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

const noErrors: FormErrors<ProfileField> = { fields: {}, form: null };

function checkLocally(
  file: File | null,
  passphrase: string,
  confirm: string,
): FormErrors<ProfileField> {
  const fields: FormErrors<ProfileField>['fields'] = {};
  if (!file) fields.keyFile = 'Choose the key file of one of your organisation’s admin keys.';
  else if (file.size > MAX_KEY_FILE_BYTES)
    fields.keyFile = 'This file is too large to be a key file.';
  if (passphrase.length < MIN_PASSPHRASE) {
    fields.passphrase = `The passphrase has at least ${MIN_PASSPHRASE} characters.`;
  }
  if (confirm !== passphrase) fields.confirm = 'The two passphrases differ.';
  return { fields, form: null };
}

/**
 * The passphrase is checked here and by the contract's schema (which names the field), so a
 * refusal without field issues is about the key: not a key file, or not a member's admin key.
 */
function placeErrors(error: RpcError): FormErrors<ProfileField> {
  const placed = formErrors(error, FIELDS);
  const aboutTheKey = error.code === 'rejected' || error.code === 'bad_request';
  if (placed.form && Object.keys(placed.fields).length === 0 && aboutTheKey) {
    return { fields: { keyFile: placed.form }, form: null };
  }
  return placed;
}

/** A replica exists but no profile: bind one of the member's admin keys to this console. */
export function CreateProfileScreen() {
  const replace = useSessionStore((state) => state.replace);
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState(noErrors);
  const [saving, setSaving] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local = checkLocally(file, passphrase, confirm);
    setErrors(local);
    if (!file || Object.keys(local.fields).length > 0) return;
    setSaving(true);
    try {
      const keyFile = await file.text();
      replace(await rpc().call('session.createProfile', { keyFile, passphrase }));
    } catch (failure) {
      setErrors(placeErrors(asRpcError(failure)));
      setSaving(false);
    }
  };

  return (
    <SessionLayout title="Create your console profile">
      <p>
        A profile is your organisation’s membership plus one of its admin keys. Choose the key file
        made by <code>carechain keygen</code>. The node service keeps the key encrypted with your
        passphrase; it never reaches this window.
      </p>
      <form className="form" onSubmit={(event) => void submit(event)} noValidate>
        <Field id="key-file" label="Key file" error={errors.fields.keyFile}>
          <input
            type="file"
            onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
            disabled={saving}
          />
        </Field>
        <Field
          id="passphrase"
          label="Passphrase"
          hint={`At least ${MIN_PASSPHRASE} characters. You will need it each time you open the console.`}
          error={errors.fields.passphrase}
        >
          <input
            type="password"
            autoComplete="new-password"
            value={passphrase}
            onChange={(event) => setPassphrase(event.currentTarget.value)}
            disabled={saving}
          />
        </Field>
        <Field id="passphrase-confirm" label="Confirm passphrase" error={errors.fields.confirm}>
          <input
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(event) => setConfirm(event.currentTarget.value)}
            disabled={saving}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={saving}>
            {saving ? 'Creating profile…' : 'Create profile'}
          </button>
          {saving && <Spinner />}
        </div>
        {errors.form && (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        )}
      </form>
    </SessionLayout>
  );
}
