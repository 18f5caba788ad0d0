import type { PeriodDraft } from './consent-draft';

/**
 * A period as two days, either left empty for an open end. Days are UTC, as the ledger reads
 * them; "until" is the first day the period no longer covers.
 */
export function PeriodInputs({
  idPrefix,
  legend,
  value,
  onChange,
  error,
  disabled,
  hint = true,
}: {
  idPrefix: string;
  legend: string;
  value: PeriodDraft;
  onChange: (period: PeriodDraft) => void;
  error: string | undefined;
  disabled: boolean;
  /** Whether to say how days are read (once per form is enough). */
  hint?: boolean;
}) {
  return (
    <fieldset className={`period-inputs${error ? ' field-invalid' : ''}`}>
      <legend>{legend}</legend>
      <div className="period-row">
        <label htmlFor={`${idPrefix}-start`}>From</label>
        <input
          id={`${idPrefix}-start`}
          type="date"
          value={value.start.text}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          onChange={(event) =>
            onChange({ ...value, start: { ...value.start, text: event.currentTarget.value } })
          }
        />
        <label htmlFor={`${idPrefix}-end`}>Until</label>
        <input
          id={`${idPrefix}-end`}
          type="date"
          value={value.end.text}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          onChange={(event) =>
            onChange({ ...value, end: { ...value.end, text: event.currentTarget.value } })
          }
        />
        {hint && (
          <span className="field-hint">
            Days in UTC; “until” is the first day no longer covered. Leave either empty for an open
            end.
          </span>
        )}
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
