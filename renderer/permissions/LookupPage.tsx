import { useNavigate } from '@tanstack/react-router';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Pseudonym } from '../../shared/permissions/schemas';
import { LocalPatientId } from '../../shared/rpc/permissions';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { Spinner } from '../components/States';
import { sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { ConsentList } from './ConsentList';
import { MemberSelect } from './MemberSelect';

/**
 * The custodian's own look-up: the identifier its systems know a patient by becomes the
 * patient's pseudonym in the node service on this machine, and only the pseudonym goes on (into
 * the address, the queries, the chain). The identifier lives in this form's state alone, and
 * is cleared once the pseudonym is known.
 */
function LocalLookup() {
  const profile = useProfile();
  const navigate = useNavigate();
  const [identifier, setIdentifier] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const parsed = LocalPatientId.safeParse(identifier);
    if (!parsed.success) {
      setError(sentence(parsed.error.issues[0]?.message ?? 'not a local patient identifier'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { custodian, patient } = await rpc().call('permissions.pseudonym', {
        identifier: parsed.data,
      });
      setIdentifier('');
      void navigate({
        to: '/permissions/patients/$custodian/$patient',
        params: { custodian, patient },
      });
    } catch (failure) {
      setError(sentence(asRpcError(failure).message));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card lookup-card" aria-labelledby="lookup-own">
      <h2 id="lookup-own">Find a patient of {profile.memberName}</h2>
      <form className="lookup-form" onSubmit={(event) => void onSubmit(event)} noValidate>
        <Field
          id="lookup-identifier"
          label="Local patient identifier"
          hint="The medical record number your own systems know the patient by, e.g. MRN-100234."
          error={error}
        >
          <input
            type="text"
            className="input-mono"
            name="local-patient-identifier"
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="off"
            spellCheck={false}
            maxLength={64}
            value={identifier}
            disabled={busy}
            onChange={(event) => {
              setIdentifier(event.currentTarget.value);
              setError(null);
            }}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={busy}>
            Find patient
          </button>
          {busy && <Spinner />}
        </div>
      </form>
      <p className="privacy-note" data-testid="pseudonym-note">
        <strong>Pseudonymised on this machine</strong> with {profile.memberName}’s secret; the
        identifier is not stored, logged or sent to the chain. Only the pseudonym, a keyed hash no
        one can turn back into the identifier, is used from here on.
      </p>
    </section>
  );
}

/**
 * Another custodian's patient, by the pseudonym it gave (in a referral, for instance). Opened
 * for one custodian (from the Delegates tab), it comes with that custodian chosen and the
 * pseudonym field ready to paste into.
 */
function PseudonymLookup({ prefill }: { prefill: string | undefined }) {
  const profile = useProfile();
  const navigate = useNavigate();
  const [custodian, setCustodian] = useState(prefill ?? '');
  const pseudonymInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!prefill) return;
    // After the page has focused its heading (its effect runs after this one).
    const frame = requestAnimationFrame(() => {
      pseudonymInput.current?.scrollIntoView({ block: 'center' });
      pseudonymInput.current?.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(frame);
  }, [prefill]);
  const [patient, setPatient] = useState('');
  const [errors, setErrors] = useState<{ custodian?: string; patient?: string }>({});

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const next: { custodian?: string; patient?: string } = {};
    const pseudonym = patient.trim().toLowerCase();
    if (custodian === '') next.custodian = 'Choose the custodian that gave the pseudonym.';
    const parsed = Pseudonym.safeParse(pseudonym);
    if (!parsed.success) {
      next.patient =
        pseudonym === ''
          ? 'Paste the patient’s pseudonym.'
          : 'A pseudonym is 64 hexadecimal digits, as the custodian gave it.';
    }
    setErrors(next);
    if (next.custodian || next.patient) return;
    void navigate({
      to: '/permissions/patients/$custodian/$patient',
      params: { custodian, patient: pseudonym },
    });
  };

  return (
    <section className="card lookup-card" aria-labelledby="lookup-other">
      <h2 id="lookup-other">Open a patient by pseudonym</h2>
      <p className="muted">
        For a patient of another custodian, e.g. named in a referral: only its custodian can find a
        patient from an identifier.
      </p>
      <form className="lookup-form" onSubmit={onSubmit} noValidate>
        <Field id="lookup-custodian" label="Custodian" error={errors.custodian}>
          <MemberSelect
            value={custodian}
            onChange={(value) => {
              setCustodian(value);
              setErrors({ ...errors, custodian: undefined });
            }}
            placeholder="Choose the custodian…"
            exclude={[profile.memberId]}
          />
        </Field>
        <Field id="lookup-pseudonym" label="Patient pseudonym" error={errors.patient}>
          <input
            ref={pseudonymInput}
            type="text"
            className="input-mono"
            autoComplete="off"
            spellCheck={false}
            value={patient}
            onChange={(event) => {
              setPatient(event.currentTarget.value);
              setErrors({ ...errors, patient: undefined });
            }}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="button-secondary">
            Open patient
          </button>
        </div>
      </form>
    </section>
  );
}

/**
 * `#/permissions?custodian=<id>`: find a patient, and the consents the profile's member is part
 * of. `custodian` chooses another custodian in the by-pseudonym form.
 */
export function LookupPage({ custodian }: { custodian?: string | undefined }) {
  const profile = useProfile();
  const prefill = custodian !== profile.memberId ? custodian : undefined;
  return (
    <Page title="Patients">
      <p className="lede">
        Patients decide who may see which of their records and for what. The chain knows them only
        by pseudonym, under the custodian that holds their records.
      </p>
      <div className="lookup-grid">
        <LocalLookup />
        <PseudonymLookup prefill={prefill} />
      </div>
      <ConsentList
        relation="custodian"
        title={`Consents of ${profile.memberName}’s patients`}
        empty={`No consent has been recorded for a patient of ${profile.memberName} yet. Find a patient above to record one.`}
      />
      <ConsentList
        relation="delegate"
        title={`Consents ${profile.memberName} recorded as a delegate`}
        empty="None: no other custodian’s consent was recorded by this member."
        hideWhenEmpty
      />
      <ConsentList
        relation="grantee"
        title={`Consents that name ${profile.memberName}`}
        empty={`No consent in force names ${profile.memberName} or every ${profile.kind ?? 'member'} of its kind.`}
      />
    </Page>
  );
}
