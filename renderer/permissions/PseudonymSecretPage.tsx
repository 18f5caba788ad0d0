import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { pseudonymSecretMethods } from '../../shared/rpc/pseudonym-secret';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { Spinner } from '../components/States';
import { sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { fileDay } from './Download';
import { checkParams, issuesToErrors, NO_ERRORS, type FormErrors } from './form-errors';

/*
 * The profile member's pseudonym secret, backed up and restored. The passphrases and the file
 * live in these forms' state only, and are cleared once an export or import is done; nothing
 * here is signed or sent to the chain.
 */

const EXPORT_FIELDS = new Set(['passphrase', 'repeat']);
const IMPORT_FIELDS = new Set(['file', 'passphrase', 'replace']);

/** A backup is about 500 bytes; anything much larger is not one and is not even read. */
const MAX_READ = 64 * 1024;

/**
 * The node's answer placed under the field it names (`passphrase`, `file`, `replace`), as it
 * words it: it names members itself, by name and id.
 */
function placed(failure: unknown, fields: ReadonlySet<string>): FormErrors {
  const error = asRpcError(failure);
  if (error.issues?.length) return issuesToErrors(error.issues, fields);
  return { fields: {}, form: sentence(error.message) };
}

/** A passphrase, typed hidden, under its label. */
function PassphraseField({
  id,
  label,
  hint,
  error,
  autoComplete,
  value,
  disabled,
  onChange,
}: {
  id: string;
  label: string;
  hint?: string;
  error: string | undefined;
  autoComplete: 'new-password' | 'off';
  value: string;
  disabled: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <input
        type="password"
        autoComplete={autoComplete}
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.currentTarget.value)}
      />
    </Field>
  );
}

/** The form's button (its label: `children`), and what stopped it under it. */
function SecretFormEnd({
  busy,
  error,
  children,
}: {
  busy: boolean;
  error: string | null;
  children: ReactNode;
}) {
  return (
    <>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={busy}>
          {children}
        </button>
        {busy && <Spinner />}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function ExportBackup() {
  const profile = useProfile();
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ url: string; name: string } | null>(null);

  useEffect(
    () => () => {
      if (done) URL.revokeObjectURL(done.url);
    },
    [done],
  );

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const checked = checkParams(
      pseudonymSecretMethods['permissions.secret.export'].params,
      { passphrase },
      EXPORT_FIELDS,
    );
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    if (repeat !== passphrase) {
      setErrors({
        fields: { repeat: 'The two passphrases differ: type the same one twice.' },
        form: null,
      });
      return;
    }
    setErrors(NO_ERRORS);
    setBusy(true);
    try {
      const { file } = await rpc().call('permissions.secret.export', checked.params);
      const name = `pseudonym-secret-${profile.memberId}-${fileDay(Date.now())}.json`;
      const url = URL.createObjectURL(new Blob([file], { type: 'application/json' }));
      setDone({ url, name });
      setPassphrase('');
      setRepeat('');
    } catch (failure) {
      setErrors(placed(failure, EXPORT_FIELDS));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card secret-card" aria-labelledby="secret-export-heading">
      <h2 id="secret-export-heading">Export a backup</h2>
      <p className="muted">
        The secret is sealed under a backup passphrase of your choice (not your profile’s): the file
        is useless without it. Keep the two apart.
      </p>
      <form className="secret-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        <PassphraseField
          id="secret-export-passphrase"
          label="Backup passphrase"
          hint="At least 12 characters."
          error={errors.fields.passphrase}
          autoComplete="new-password"
          value={passphrase}
          disabled={busy}
          onChange={(value) => {
            setPassphrase(value);
            setErrors(NO_ERRORS);
          }}
        />
        <PassphraseField
          id="secret-export-repeat"
          label="Repeat the backup passphrase"
          error={errors.fields.repeat}
          autoComplete="new-password"
          value={repeat}
          disabled={busy}
          onChange={(value) => {
            setRepeat(value);
            setErrors(NO_ERRORS);
          }}
        />
        <SecretFormEnd busy={busy} error={errors.form}>
          {busy ? 'Sealing…' : 'Export the secret'}
        </SecretFormEnd>
      </form>
      <div role="status" aria-live="polite">
        {done && (
          <p className="notice notice-success" data-testid="secret-export-result">
            <span>
              Sealed under your backup passphrase.{' '}
              <a href={done.url} download={done.name}>
                Download {done.name}
              </a>
            </span>
          </p>
        )}
      </div>
    </section>
  );
}

type ImportResult = { previous: 'none' | 'same' | 'different' };

function ImportBackup() {
  const profile = useProfile();
  const [file, setFile] = useState<File | null>(null);
  // A new key empties the file input after an import.
  const [fileKey, setFileKey] = useState(0);
  const [passphrase, setPassphrase] = useState('');
  const [replace, setReplace] = useState(false);
  /** The node refused to replace a different secret: the choice to replace it is offered. */
  const [askReplace, setAskReplace] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ImportResult | null>(null);

  const reset = () => {
    setErrors(NO_ERRORS);
    setDone(null);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    if (file && file.size > MAX_READ) {
      setErrors({
        fields: { file: 'A pseudonym secret backup is under 16 KiB: this is not one.' },
        form: null,
      });
      return;
    }
    if (askReplace && !replace) {
      setErrors({
        fields: {
          replace:
            'Tick the box to replace the secret, or import a backup of the secret this profile holds.',
        },
        form: null,
      });
      return;
    }
    let text: string;
    try {
      text = file ? await file.text() : '';
    } catch {
      setErrors({ fields: { file: 'The file could not be read.' }, form: null });
      return;
    }
    const checked = checkParams(
      pseudonymSecretMethods['permissions.secret.import'].params,
      { file: text, passphrase, ...(askReplace && replace ? { replace: true } : {}) },
      IMPORT_FIELDS,
    );
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors(NO_ERRORS);
    setBusy(true);
    try {
      const result = await rpc().call('permissions.secret.import', checked.params);
      setDone({ previous: result.previous });
      setFile(null);
      setFileKey((key) => key + 1);
      setPassphrase('');
      setReplace(false);
      setAskReplace(null);
    } catch (failure) {
      const next = placed(failure, IMPORT_FIELDS);
      const refusal = next.fields.replace;
      if (refusal) {
        // Asked for the first time: the warning says why; the box to tick is offered with it.
        setAskReplace(refusal);
        setErrors(NO_ERRORS);
      } else {
        setErrors(next);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card secret-card" aria-labelledby="secret-import-heading">
      <h2 id="secret-import-heading">Import a backup</h2>
      <p className="muted">
        A backup of {profile.memberName}’s secret, exported from this console or another of the same
        member. A backup of another member is refused.
      </p>
      <form className="secret-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        <Field
          id="secret-import-file"
          label="Backup file"
          hint="The .json file the export saved."
          error={errors.fields.file}
        >
          <input
            key={fileKey}
            type="file"
            accept=".json,application/json"
            disabled={busy}
            onChange={(event) => {
              setFile(event.currentTarget.files?.[0] ?? null);
              setAskReplace(null);
              setReplace(false);
              reset();
            }}
          />
        </Field>
        <PassphraseField
          id="secret-import-passphrase"
          label="Backup passphrase"
          hint="The one the backup was exported with."
          error={errors.fields.passphrase}
          autoComplete="off"
          value={passphrase}
          disabled={busy}
          onChange={(value) => {
            setPassphrase(value);
            reset();
          }}
        />
        {askReplace && (
          <div className="notice notice-warn secret-replace" data-testid="secret-replace">
            <p role="alert">
              <strong>Replace the secret?</strong> {askReplace}
            </p>
            <label className="secret-replace-choice" htmlFor="secret-import-replace">
              <input
                id="secret-import-replace"
                type="checkbox"
                checked={replace}
                disabled={busy}
                aria-invalid={errors.fields.replace ? true : undefined}
                aria-describedby={errors.fields.replace ? 'secret-import-replace-error' : undefined}
                onChange={(event) => {
                  setReplace(event.currentTarget.checked);
                  reset();
                }}
              />
              Replace this profile’s pseudonym secret with the backup’s
            </label>
            {errors.fields.replace && (
              <p className="field-error" id="secret-import-replace-error" role="alert">
                {errors.fields.replace}
              </p>
            )}
          </div>
        )}
        <SecretFormEnd busy={busy} error={errors.form}>
          {busy ? 'Opening…' : askReplace && replace ? 'Replace the secret' : 'Import the backup'}
        </SecretFormEnd>
      </form>
      <div role="status" aria-live="polite">
        {done && (
          <p className="notice notice-success" data-testid="secret-import-result">
            {done.previous === 'different'
              ? `Replaced: ${profile.memberName}’s patients are now found by pseudonyms under the backup’s secret.`
              : done.previous === 'same'
                ? 'Unchanged: the profile already held this secret.'
                : 'Restored: the profile had no pseudonym secret; it now holds the backup’s.'}
          </p>
        )}
      </div>
    </section>
  );
}

/** `#/permissions/secret`: back up the member's pseudonym secret, or restore it. */
export function PseudonymSecretPage() {
  const profile = useProfile();
  return (
    <Page title="Pseudonym secret">
      <p className="lede secret-lede">
        Patients are found by pseudonyms made from their local identifiers with {profile.memberName}
        ’s pseudonym secret, which stays on this machine, sealed in the profile. Another console of{' '}
        {profile.memberName} finds the same patients only with the same secret, and so does this one
        after a reinstall: export a backup and import it there.
      </p>
      <div className="secret-layout">
        <ExportBackup />
        <ImportBackup />
      </div>
    </Page>
  );
}
