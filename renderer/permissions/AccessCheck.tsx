import { useEffect, useState, type FormEvent } from 'react';
import type { ConsentAction, Purpose, RecordClass } from '../../shared/permissions/schemas';
import type { Params } from '../../shared/rpc/contract';
import type { DecidingProvision } from '../../shared/permissions/schemas';
import type { ConsentView, PatientRef } from '../../shared/rpc/permissions';
import { Field } from '../components/Field';
import { ErrorNotice, Loading } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { ACTION_OPTIONS, CLASS_OPTIONS, CodeSelect, PURPOSE_OPTIONS } from './CodeInputs';
import { DecisionAnswer } from './DecisionAnswer';
import { MemberSelect } from './MemberSelect';

interface Draft {
  member: string;
  action: ConsentAction | '';
  recordClass: RecordClass | '';
  purpose: Purpose | '';
  /** `datetime-local` text; empty for now. */
  when: string;
}

const EMPTY: Draft = { member: '', action: '', recordClass: '', purpose: '', when: '' };
type CheckField = keyof Draft;

/** The question as the check method takes it, or what is missing. */
function questionOf(
  draft: Draft,
  patient: PatientRef,
): { params: Params<'permissions.check'> | null; errors: Partial<Record<CheckField, string>> } {
  const errors: Partial<Record<CheckField, string>> = {};
  if (draft.member === '') errors.member = 'Choose the member that would access the records.';
  if (draft.action === '') errors.action = 'Choose what it would do.';
  if (draft.recordClass === '') errors.recordClass = 'Choose the class of records.';
  if (draft.purpose === '') errors.purpose = 'Choose the purpose of use.';
  const time = draft.when === '' ? undefined : new Date(draft.when).getTime();
  if (time !== undefined && Number.isNaN(time))
    errors.when = 'Give a date and time, or leave it empty for now.';
  if (
    Object.keys(errors).length > 0 ||
    draft.action === '' ||
    draft.recordClass === '' ||
    draft.purpose === ''
  ) {
    return { params: null, errors };
  }
  return {
    params: {
      ...patient,
      member: draft.member,
      action: draft.action,
      recordClass: draft.recordClass,
      purpose: draft.purpose,
      ...(time !== undefined ? { time } : {}),
    },
    errors,
  };
}

/**
 * "May this member do this, on this class of this patient's records, for this purpose?" The
 * answer (permit, deny or break-glass), its basis in words, and the deciding provision
 * highlighted in its consent's tree (here and on the consent's card, through `onDecided`).
 * The answer follows the chain: it is asked again after every block while shown.
 */
export function AccessCheck({
  patient,
  consents,
  onDecided,
}: {
  patient: PatientRef;
  consents: ConsentView[] | null;
  onDecided: (decided: DecidingProvision | null) => void;
}) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Partial<Record<CheckField, string>>>({});
  const [asked, setAsked] = useState<Params<'permissions.check'> | null>(null);
  const query = usePermissionsQuery('permissions.check', asked);
  const decided = query.data?.decidedBy ?? null;

  useEffect(() => {
    onDecided(asked ? decided : null);
  }, [asked, decided, onDecided]);

  const set = (change: Partial<Draft>) => {
    setDraft({ ...draft, ...change });
    const next = { ...errors };
    for (const key of Object.keys(change) as CheckField[]) delete next[key];
    setErrors(next);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const question = questionOf(draft, patient);
    setErrors(question.errors);
    setAsked(question.params);
  };

  return (
    <section className="page-section" aria-labelledby="access-check">
      <h2 id="access-check">Check an access</h2>
      <div className="check-layout">
        <form
          className="card check-form"
          onSubmit={onSubmit}
          noValidate
          aria-label="Access question"
        >
          <Field id="check-member" label="Member" error={errors.member}>
            <MemberSelect
              value={draft.member}
              onChange={(member) => set({ member })}
              placeholder="Choose a member…"
            />
          </Field>
          <Field id="check-action" label="Action" error={errors.action}>
            <CodeSelect
              options={ACTION_OPTIONS}
              value={draft.action}
              onChange={(action) => set({ action })}
              placeholder="Choose…"
            />
          </Field>
          <Field id="check-class" label="Record class" error={errors.recordClass}>
            <CodeSelect
              options={CLASS_OPTIONS}
              value={draft.recordClass}
              onChange={(recordClass) => set({ recordClass })}
              placeholder="Choose…"
            />
          </Field>
          <Field id="check-purpose" label="Purpose of use" error={errors.purpose}>
            <CodeSelect
              options={PURPOSE_OPTIONS}
              value={draft.purpose}
              onChange={(purpose) => set({ purpose })}
              placeholder="Choose…"
            />
          </Field>
          <Field
            id="check-when"
            label="At (optional)"
            hint="Leave empty for now; a time asks what the consents said or will say then."
            error={errors.when}
          >
            <input
              type="datetime-local"
              value={draft.when}
              onChange={(event) => set({ when: event.currentTarget.value })}
            />
          </Field>
          <div className="form-actions">
            <button type="submit" className="button-primary">
              Check
            </button>
          </div>
        </form>
        <div className="check-answer" aria-live="polite">
          {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
          {query.data ? (
            <DecisionAnswer decision={query.data} consents={consents} />
          ) : query.loading ? (
            <Loading what="the answer" />
          ) : (
            <p className="empty check-empty">
              Ask whether a member may act on this patient’s records: the answer names the consent
              and provision that decide it.
            </p>
          )}
        </div>
      </div>
    </section>
  );
}
