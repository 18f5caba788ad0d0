import { useState, type FormEvent } from 'react';
import { CONSENT_ACTIONS } from '../../shared/permissions/codes';
import { shortPseudonym } from '../../shared/permissions/describe';
import {
  Pseudonym,
  type ConsentAction,
  type Purpose,
  type RecordClass,
} from '../../shared/permissions/schemas';
import { permissionsMethods } from '../../shared/rpc/permissions';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { ErrorNotice, Loading } from '../components/States';
import { useMembersById } from '../stores/members-store';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { ACTION_OPTIONS, CLASS_OPTIONS, CodeSelect, PURPOSE_OPTIONS } from './CodeInputs';
import { DecisionAnswer } from './DecisionAnswer';
import { checkParams } from './form-errors';
import { SubmissionNotice, SubmitRow, usePermissionsSubmit, useSigningBlocked } from './forms';
import { PatientLink } from './links';
import { MemberSelect } from './MemberSelect';
import { classLabel, purposeLabel } from './words';

const ORIGIN = 'permissions:record-access';
const FIELDS = new Set(['custodian', 'patient', 'recordClass', 'action', 'purpose']);

interface Draft {
  custodian: string;
  patient: string;
  recordClass: RecordClass | '';
  action: ConsentAction | '';
  purpose: Purpose | '';
}

/** The access as the transaction carries it, once every field holds a valid value. */
function accessOf(d: Draft) {
  const patient = d.patient.trim().toLowerCase();
  if (
    d.custodian === '' ||
    !Pseudonym.safeParse(patient).success ||
    d.recordClass === '' ||
    d.action === '' ||
    d.purpose === ''
  ) {
    return null;
  }
  return {
    custodian: d.custodian,
    patient,
    recordClass: d.recordClass,
    action: d.action,
    purpose: d.purpose,
  };
}

/** What the consents say of this access by the profile's member right now. */
function WhatConsentsSay({ access }: { access: ReturnType<typeof accessOf> }) {
  const profile = useProfile();
  const check = usePermissionsQuery(
    'permissions.check',
    access && { ...access, member: profile.memberId },
  );
  const consents = usePermissionsQuery(
    'permissions.consents.ofPatient',
    access && { custodian: access.custodian, patient: access.patient },
  );
  if (!access) {
    return (
      <p className="empty check-empty">
        Fill in the access: what the patient’s consents say of it shows here before you sign.
      </p>
    );
  }
  return (
    <>
      {check.error && <ErrorNotice error={check.error} retry={check.reload} />}
      {check.data ? (
        <DecisionAnswer decision={check.data} consents={consents.data} recording />
      ) : (
        check.loading && <Loading what="what the consents say" />
      )}
    </>
  );
}

/**
 * `#/permissions/access?custodian&patient`: the profile's member records that it accessed a
 * class of a patient's records for a purpose. What the consents say shows before signing;
 * once in a block, every replica derives the access's outcome, which the notice shows.
 */
export function RecordAccessPage({
  prefill,
}: {
  prefill: { custodian?: string | undefined; patient?: string | undefined };
}) {
  const profile = useProfile();
  const members = useMembersById();
  const [draft, setDraft] = useState<Draft>({
    custodian: prefill.custodian ?? '',
    patient: prefill.patient ?? '',
    recordClass: '',
    action: '',
    purpose: '',
  });
  const { errors, setErrors, sending, submit, clear } = usePermissionsSubmit(ORIGIN);
  const blocked = useSigningBlocked();
  const access = accessOf(draft);

  const set = (change: Partial<Draft>) => {
    setDraft({ ...draft, ...change });
    clear(...Object.keys(change));
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkParams(
      permissionsMethods['permissions.access.record'].params,
      { ...draft, patient: draft.patient.trim().toLowerCase() },
      FIELDS,
    );
    const a = accessOf(draft);
    if (!checked.ok || !a) {
      const fields = checked.ok ? {} : { ...checked.errors.fields };
      if (draft.custodian === '')
        fields.custodian = 'Choose the custodian of the patient’s records.';
      if (draft.patient.trim() === '') fields.patient = 'Give the patient’s pseudonym.';
      else if (fields.patient) fields.patient = 'A pseudonym is 64 hexadecimal digits.';
      if (draft.recordClass === '') fields.recordClass = 'Choose the class of records.';
      if (draft.action === '') fields.action = 'Choose what was done.';
      if (draft.purpose === '') fields.purpose = 'Choose the purpose of use.';
      setErrors({ fields, form: null });
      return;
    }
    const custodianName = members.get(a.custodian)?.legalName ?? a.custodian;
    const what = `${CONSENT_ACTIONS[a.action].display} ${classLabel(a.recordClass).toLowerCase()}`;
    await submit(
      `${what} of patient ${shortPseudonym(a.patient)} at ${custodianName}, for ${purposeLabel(a.purpose)}`,
      'permissions.access.record',
      a,
      { fields: FIELDS },
    );
  };

  const e = errors.fields;
  return (
    <Page title="Record an access">
      <p className="lede">
        {profile.memberName} records that it accessed a class of a patient’s records, and why. Every
        replica decides the outcome from the consents in force at its block: permitted, break-glass
        (reviewed by the custodian) or a violation (raised to the custodian and regulators). An
        access is recorded whatever the consents say.
      </p>
      <SubmissionNotice origin={ORIGIN} />
      <div className="check-layout">
        <form
          className="card check-form"
          onSubmit={(event) => void onSubmit(event)}
          noValidate
          aria-label="The access"
        >
          <Field id="access-custodian" label="Custodian" error={e.custodian}>
            <MemberSelect
              value={draft.custodian}
              onChange={(custodian) => set({ custodian })}
              placeholder="Choose the custodian…"
              disabled={sending}
            />
          </Field>
          <Field
            id="access-patient"
            label="Patient pseudonym"
            hint="The custodian’s pseudonym of the patient (64 hexadecimal digits)."
            error={e.patient}
          >
            <input
              type="text"
              className="input-mono"
              autoComplete="off"
              spellCheck={false}
              value={draft.patient}
              disabled={sending}
              onChange={(event) => set({ patient: event.currentTarget.value })}
            />
          </Field>
          <Field id="access-class" label="Record class" error={e.recordClass}>
            <CodeSelect
              options={CLASS_OPTIONS}
              value={draft.recordClass}
              onChange={(recordClass) => set({ recordClass })}
              placeholder="Choose…"
              disabled={sending}
            />
          </Field>
          <Field id="access-action" label="Action" error={e.action}>
            <CodeSelect
              options={ACTION_OPTIONS}
              value={draft.action}
              onChange={(action) => set({ action })}
              placeholder="Choose…"
              disabled={sending}
            />
          </Field>
          <Field id="access-purpose" label="Purpose of use" error={e.purpose}>
            <CodeSelect
              options={PURPOSE_OPTIONS}
              value={draft.purpose}
              onChange={(purpose) => set({ purpose })}
              placeholder="Choose…"
              disabled={sending}
            />
          </Field>
          <SubmitRow
            label="Sign and record the access"
            sending={sending}
            error={errors.form}
            blocked={blocked}
          />
          {access && (
            <p className="muted">
              <PatientLink custodian={access.custodian} patient={access.patient}>
                Open the patient’s page
              </PatientLink>
            </p>
          )}
        </form>
        <section className="check-answer" aria-label="What the consents say now" aria-live="polite">
          <WhatConsentsSay access={access} />
        </section>
      </div>
    </Page>
  );
}
