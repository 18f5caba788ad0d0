import { useState, type FormEvent } from 'react';
import {
  CONSENT_SCOPES,
  CONSENT_STATUSES,
  POLICY_RULES,
  codesOf,
} from '../../shared/permissions/codes';
import { shortPseudonym } from '../../shared/permissions/describe';
import { MAX_PROVISION_DEPTH, MAX_PROVISIONS } from '../../shared/permissions/schemas';
import type { ConsentScope, ConsentStatus, PolicyRule } from '../../shared/permissions/schemas';
import { permissionsMethods, type PatientRef } from '../../shared/rpc/permissions';
import { Field } from '../components/Field';
import { useMembersById } from '../stores/members-store';
import { CATEGORY_OPTIONS, CodeSelect } from './CodeInputs';
import {
  baseOf,
  countProvisions,
  draftProblems,
  emptyConsent,
  fieldsOf,
  provisionKey,
  termsOf,
  updateAt,
  type ConsentDraft,
  type ProvisionDraft,
} from './consent-draft';
import { DocumentHash } from './DocumentHash';
import { checkParams } from './form-errors';
import { SubmissionNotice, SubmitRow, usePermissionsSubmit, useSigningBlocked } from './forms';
import { PatientLink } from './links';
import { PeriodInputs } from './PeriodInputs';
import { ProtocolBinding } from './ProtocolBinding';
import { ProvisionEditor } from './ProvisionEditor';

/** Statuses a new consent may start in (a withdrawn, refused or void one is not recorded). */
const NEW_STATUSES: ConsentStatus[] = ['draft', 'proposed', 'active'];

export type ConsentFormMode =
  | { kind: 'record'; patient: PatientRef }
  | { kind: 'amend'; consent: string; patient: PatientRef; version: number };

export function consentFormOrigin(mode: ConsentFormMode): string {
  return mode.kind === 'record'
    ? `permissions:record-consent:${mode.patient.custodian}:${mode.patient.patient}`
    : `permissions:amend-consent:${mode.consent}`;
}

/** A rule's refusal that belongs under one field. */
function fieldOfRefusal(message: string): string | null {
  if (/base provision must/.test(message)) return 'policy';
  if (/trial protocol|protocol of study/.test(message)) return 'protocol';
  if (/keeps its scope/.test(message)) return 'scope';
  if (/cannot start/.test(message)) return 'status';
  if (/provision actor/.test(message)) return 'provision';
  return null;
}

function depthOf(p: ProvisionDraft): number {
  return 1 + Math.max(0, ...p.children.map(depthOf));
}

function PolicyChoice({
  value,
  onChange,
  error,
  disabled,
}: {
  value: PolicyRule;
  onChange: (policy: PolicyRule) => void;
  error: string | undefined;
  disabled: boolean;
}) {
  return (
    <fieldset className={`choice policy-choice${error ? ' field-invalid' : ''}`}>
      <legend>Policy rule</legend>
      {codesOf(POLICY_RULES).map((code) => (
        <label key={code}>
          <input
            type="radio"
            name="consent-policy"
            value={code}
            checked={value === code}
            disabled={disabled}
            onChange={() => onChange(code)}
          />
          <span>
            {POLICY_RULES[code].display} <code className="muted">{code}</code>
            <span className="policy-base">
              {' '}
              base rule {POLICY_RULES[code].base === 'permit' ? 'permits' : 'denies'}
            </span>
          </span>
        </label>
      ))}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/**
 * Recording or amending a consent: its status, scope, category and policy rule, its period,
 * the hash of the signed document, a research consent's protocol, and its provision tree.
 * The terms are checked with the contract's schemas before anything is signed, and the node's
 * own refusals are shown under the field they name.
 */
export function ConsentForm({ mode, initial }: { mode: ConsentFormMode; initial?: ConsentDraft }) {
  const origin = consentFormOrigin(mode);
  const members = useMembersById();
  const [draft, setDraft] = useState<ConsentDraft>(() => initial ?? emptyConsent());
  const { errors, setErrors, sending, submit, clear } = usePermissionsSubmit(origin);
  const blocked = useSigningBlocked();
  const amending = mode.kind === 'amend';
  const total = countProvisions(draft.provision);

  const set = (change: Partial<ConsentDraft>) => {
    setDraft((d) => ({ ...d, ...change }));
    clear(...Object.keys(change));
  };
  const edit = (path: readonly number[], change: (p: ProvisionDraft) => ProvisionDraft) => {
    setDraft((d) => ({ ...d, provision: updateAt(d.provision, path, change) }));
    clear(provisionKey(path));
  };
  const setPolicy = (policy: PolicyRule) => {
    // The base rule's type follows from the policy: they cannot disagree.
    setDraft((d) => ({ ...d, policy, provision: { ...d.provision, type: baseOf(policy) } }));
    clear('policy', 'provision.type');
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const fields = fieldsOf(draft);
    const terms = termsOf(draft);
    const problems = draftProblems(draft);
    const custodianName = members.get(mode.patient.custodian)?.legalName ?? mode.patient.custodian;
    const what = draft.scope === 'research' ? 'research consent' : 'privacy consent';
    const who = `patient ${shortPseudonym(mode.patient.patient)}`;
    const placement = { fields, fieldOfRefusal };
    if (mode.kind === 'record') {
      const checked = checkParams(
        permissionsMethods['permissions.consents.record'].params,
        { ...mode.patient, ...terms },
        fields,
      );
      const found = checked.ok ? { fields: {}, form: null } : checked.errors;
      if (!checked.ok || Object.keys(problems).length > 0) {
        setErrors({ fields: { ...found.fields, ...problems }, form: found.form });
        return;
      }
      const txId = await submit(
        `Record a ${what} for ${who} at ${custodianName}`,
        'permissions.consents.record',
        checked.params,
        placement,
      );
      if (txId) setDraft(emptyConsent());
    } else {
      const checked = checkParams(
        permissionsMethods['permissions.consents.amend'].params,
        { consent: mode.consent, amends: mode.version, ...terms },
        fields,
      );
      const found = checked.ok ? { fields: {}, form: null } : checked.errors;
      if (!checked.ok || Object.keys(problems).length > 0) {
        setErrors({ fields: { ...found.fields, ...problems }, form: found.form });
        return;
      }
      await submit(
        `Amend the ${what} of ${who} (version ${mode.version + 1})`,
        'permissions.consents.amend',
        checked.params,
        placement,
      );
    }
  };

  const e = errors.fields;
  const statuses = amending ? codesOf(CONSENT_STATUSES) : NEW_STATUSES;
  return (
    <form
      className="card consent-form"
      onSubmit={(event) => void onSubmit(event)}
      noValidate
      aria-label={amending ? 'Amend the consent' : 'Record a consent'}
    >
      <div className="form-row">
        <Field
          id="consent-status"
          label="Status"
          hint={amending ? undefined : 'A new consent starts as a draft, proposed or active.'}
          error={e.status}
        >
          <CodeSelect
            options={statuses.map((code) => ({
              code,
              label: `${CONSENT_STATUSES[code]} (${code})`,
            }))}
            value={draft.status}
            onChange={(status) => status !== '' && set({ status })}
            disabled={sending}
          />
        </Field>
        <Field
          id="consent-category"
          label="Category"
          hint="What kind of consent document it is (LOINC or HL7 code)."
          error={e.category}
        >
          <CodeSelect
            options={CATEGORY_OPTIONS}
            value={draft.category}
            onChange={(category) => category !== '' && set({ category })}
            disabled={sending}
          />
        </Field>
      </div>
      <fieldset className={`choice${e.scope ? ' field-invalid' : ''}`}>
        <legend>Scope</legend>
        {codesOf(CONSENT_SCOPES).map((code: ConsentScope) => (
          <label key={code}>
            <input
              type="radio"
              name="consent-scope"
              value={code}
              checked={draft.scope === code}
              disabled={sending || amending}
              onChange={() =>
                // A research consent is of the research category, unless chosen otherwise.
                set({
                  scope: code,
                  ...(code === 'research' && draft.category === '59284-0'
                    ? { category: 'research' as const }
                    : {}),
                  ...(code !== 'research' && draft.category === 'research'
                    ? { category: '59284-0' as const }
                    : {}),
                })
              }
            />
            {CONSENT_SCOPES[code].display}
          </label>
        ))}
        {amending && <span className="muted">A consent keeps its scope.</span>}
        {e.scope && (
          <p className="field-error" role="alert">
            {e.scope}
          </p>
        )}
      </fieldset>
      <PolicyChoice value={draft.policy} onChange={setPolicy} error={e.policy} disabled={sending} />
      <PeriodInputs
        idPrefix="consent-period"
        legend="Period of the consent (optional)"
        value={draft.period}
        onChange={(period) => set({ period })}
        error={e.period}
        disabled={sending}
      />
      <DocumentHash
        id="consent-document"
        value={draft.document}
        onChange={(document) => set({ document })}
        error={e.document}
        disabled={sending}
      />
      {draft.scope === 'research' && (
        <ProtocolBinding
          value={draft.protocol}
          onChange={(protocol) => set({ protocol })}
          errors={{ study: e['protocol.study'] ?? e.protocol, version: e['protocol.version'] }}
          disabled={sending}
        />
      )}
      <section className="provision-editor-section" aria-labelledby="provisions-heading">
        <h2 id="provisions-heading">Provisions</h2>
        <p className="field-hint">
          The base rule applies to everything the consent covers; each exception overrides the rule
          it is nested in for what it names (a criterion left empty matches anything). At one depth,
          deny wins over permit. {total} of {MAX_PROVISIONS} provisions, {depthOf(draft.provision)}{' '}
          of {MAX_PROVISION_DEPTH} levels.
        </p>
        <ol className="provision-editor-tree">
          <ProvisionEditor
            draft={draft.provision}
            path={[]}
            total={total}
            baseType={baseOf(draft.policy)}
            errors={e}
            edit={edit}
            disabled={sending}
          />
        </ol>
      </section>
      <SubmitRow
        label={amending ? `Sign version ${mode.version + 1}` : 'Record the consent'}
        sending={sending}
        error={errors.form}
        blocked={blocked}
      />
      <SubmissionNotice
        origin={origin}
        result={() => (
          <PatientLink custodian={mode.patient.custodian} patient={mode.patient.patient}>
            Open the patient
          </PatientLink>
        )}
      />
    </form>
  );
}
