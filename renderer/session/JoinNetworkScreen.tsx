import { useState, type FormEvent } from 'react';
import { MEMBER_KINDS } from '../../shared/members/schemas';
import { Field } from '../components/Field';
import { Spinner } from '../components/States';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { useSessionStore } from '../stores/session-store';
import { formErrors, type FormErrors } from './field-errors';
import { SessionLayout } from './SessionLayout';

const FIELDS = [
  'invitation',
  'legalName',
  'kind',
  'memberId',
  'endpoint',
  'passphrase',
  'confirm',
] as const;
type JoinField = (typeof FIELDS)[number];

const MIN_PASSPHRASE = 8;
const noErrors: FormErrors<JoinField> = { fields: {}, form: null };

interface JoinForm {
  invitation: string;
  legalName: string;
  kind: string;
  memberId: string;
  endpoint: string;
  passphrase: string;
  confirm: string;
}

/** What is wrong before anything is sent; the node service checks everything again. */
function checkLocally(form: JoinForm): FormErrors<JoinField> {
  const fields: FormErrors<JoinField>['fields'] = {};
  if (!form.invitation.trim().startsWith('carechain-invite:')) {
    fields.invitation =
      'Paste the whole invitation you were given; it starts with “carechain-invite:”.';
  }
  if (form.legalName.trim() === '') fields.legalName = 'Give your organisation’s legal name.';
  if (form.kind === '') fields.kind = 'Choose what kind of organisation yours is.';
  if (form.endpoint.trim() === '') {
    fields.endpoint = 'Give the address other members’ nodes reach this node at.';
  }
  if (form.passphrase.length < MIN_PASSPHRASE) {
    fields.passphrase = `The passphrase has at least ${MIN_PASSPHRASE} characters.`;
  }
  if (form.confirm !== form.passphrase) fields.confirm = 'The two passphrases differ.';
  return { fields, form: null };
}

/**
 * A new organisation joins a running consortium network with an invitation from one of its
 * members' nodes (docs/sync.md §9): this console makes its keys, signs its join request, sends it
 * to the inviting node and becomes its node. The members then vote in their own consoles.
 */
export function JoinNetworkScreen({ cancel }: { cancel: () => void }) {
  const replace = useSessionStore((state) => state.replace);
  const [form, setForm] = useState<JoinForm>({
    invitation: '',
    legalName: '',
    kind: '',
    memberId: '',
    endpoint: '',
    passphrase: '',
    confirm: '',
  });
  const [errors, setErrors] = useState(noErrors);
  const [sending, setSending] = useState(false);

  const set = (field: keyof JoinForm) => (value: string) =>
    setForm((current) => ({ ...current, [field]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local = checkLocally(form);
    setErrors(local);
    if (Object.keys(local.fields).length > 0) return;
    setSending(true);
    try {
      const { confirm: _confirm, ...params } = form;
      replace(await rpc().call('session.join', params));
    } catch (failure) {
      setErrors(formErrors(asRpcError(failure), FIELDS));
      setSending(false);
    }
  };

  return (
    <SessionLayout title="Join a consortium network">
      <p>
        A member of the consortium gave you an invitation from its node. This console makes your
        organisation’s admin key and node key, signs your join request and sends it to that node.
        The members then vote on it in their own consoles; once they admit you, this node connects
        to theirs and catches up with the chain.
      </p>
      <form
        className="form"
        onSubmit={(event) => void submit(event)}
        noValidate
        aria-label="Join request"
      >
        <Field
          id="join-invitation"
          label="Invitation"
          hint="One line starting with carechain-invite:. It names the inviting node, its address and the chain."
          error={errors.fields.invitation}
        >
          <textarea
            rows={4}
            spellCheck={false}
            value={form.invitation}
            onChange={(event) => set('invitation')(event.currentTarget.value)}
            disabled={sending}
          />
        </Field>
        <Field
          id="join-legal-name"
          label="Organisation’s legal name"
          error={errors.fields.legalName}
        >
          <input
            type="text"
            value={form.legalName}
            onChange={(event) => set('legalName')(event.currentTarget.value)}
            disabled={sending}
          />
        </Field>
        <Field id="join-kind" label="Kind of organisation" error={errors.fields.kind}>
          <select
            value={form.kind}
            onChange={(event) => set('kind')(event.currentTarget.value)}
            disabled={sending}
          >
            <option value="">Choose…</option>
            {MEMBER_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {kind}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="join-member-id"
          label="Member id (optional)"
          hint="How the chain names your organisation: 3–40 lowercase letters, digits or inner dashes. Left empty, it is made from the legal name."
          error={errors.fields.memberId}
        >
          <input
            type="text"
            spellCheck={false}
            value={form.memberId}
            onChange={(event) => set('memberId')(event.currentTarget.value)}
            disabled={sending}
          />
        </Field>
        <Field
          id="join-endpoint"
          label="This node’s address"
          hint="Where other members’ nodes reach this node, such as tcp://node.example.org:7400. The node listens on its port."
          error={errors.fields.endpoint}
        >
          <input
            type="text"
            spellCheck={false}
            placeholder="tcp://node.example.org:7400"
            value={form.endpoint}
            onChange={(event) => set('endpoint')(event.currentTarget.value)}
            disabled={sending}
          />
        </Field>
        <Field
          id="join-passphrase"
          label="Passphrase"
          hint={`At least ${MIN_PASSPHRASE} characters. It protects your admin key on this machine; you will need it each time you open the console.`}
          error={errors.fields.passphrase}
        >
          <input
            type="password"
            autoComplete="new-password"
            value={form.passphrase}
            onChange={(event) => set('passphrase')(event.currentTarget.value)}
            disabled={sending}
          />
        </Field>
        <Field
          id="join-passphrase-confirm"
          label="Confirm passphrase"
          error={errors.fields.confirm}
        >
          <input
            type="password"
            autoComplete="new-password"
            value={form.confirm}
            onChange={(event) => set('confirm')(event.currentTarget.value)}
            disabled={sending}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={sending}>
            {sending ? 'Sending the join request…' : 'Send the join request'}
          </button>
          <button type="button" onClick={cancel} disabled={sending}>
            Back
          </button>
        </div>
        <p className="progress" role="status" aria-live="polite">
          {sending && (
            <>
              <Spinner /> Connecting to the inviting node and sending your signed join request…
            </>
          )}
        </p>
        {errors.form && (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        )}
      </form>
    </SessionLayout>
  );
}
