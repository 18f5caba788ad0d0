import { Field } from '../components/Field';
import { ErrorNotice } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';

/** Studies offered, the most recently anchored first; the contract allows 200. */
const STUDIES = 200;

export interface ProtocolDraft {
  study: string;
  version: string;
}

/**
 * A research consent's binding to a version of a trial protocol anchored on the chain: only
 * studies with an anchored protocol, and only the versions anchored, are offered.
 */
export function ProtocolBinding({
  value,
  onChange,
  errors,
  disabled,
}: {
  value: ProtocolDraft;
  onChange: (value: ProtocolDraft) => void;
  errors: { study?: string | undefined; version?: string | undefined };
  disabled: boolean;
}) {
  const query = usePermissionsQuery('research.studies', { limit: STUDIES });
  const studies = (query.data ?? []).filter((s) => s.versions.protocol > 0);
  const selected = studies.find((s) => s.study === value.study);
  // A prefilled study beyond the newest ones is still offered as it is.
  const latest = selected?.versions.protocol ?? (Number(value.version) || 0);
  const versions = Array.from({ length: latest }, (_, i) => i + 1);
  return (
    <fieldset className="protocol-binding">
      <legend>Research protocol (optional)</legend>
      <p className="field-hint">
        Bind the consent to the version of the trial’s protocol the patient agreed to, as anchored
        on the chain (see Research).
      </p>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      <div className="form-row">
        <Field id="consent-study" label="Study" error={errors.study}>
          <select
            value={value.study}
            disabled={disabled}
            onChange={(event) => {
              const study = event.currentTarget.value;
              const chosen = studies.find((s) => s.study === study);
              onChange({ study, version: chosen ? String(chosen.versions.protocol) : '' });
            }}
          >
            <option value="">
              {query.loading && !query.data ? 'Loading studies…' : 'Not bound to a protocol'}
            </option>
            {studies.map((s) => (
              <option key={s.study} value={s.study}>
                {s.sponsorName} · study {s.study.slice(0, 12)}…
              </option>
            ))}
            {value.study !== '' && !selected && (
              <option value={value.study}>study {value.study.slice(0, 12)}…</option>
            )}
          </select>
        </Field>
        <Field id="consent-protocol-version" label="Protocol version" error={errors.version}>
          <select
            value={value.version}
            disabled={disabled || value.study === ''}
            onChange={(event) => onChange({ ...value, version: event.currentTarget.value })}
          >
            <option value="">Choose…</option>
            {versions.map((v) => (
              <option key={v} value={String(v)}>
                version {v}
                {v === latest && selected ? ' (latest)' : ''}
              </option>
            ))}
          </select>
        </Field>
      </div>
    </fieldset>
  );
}
