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
}: {
  idPrefix: string;
  legend: string;
  value: PeriodDraft;
  onChange: (period: PeriodDraft) => void;
  error: string | undefined;
  disabled: boolean;
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
        <span className="field-hint">
          UTC days; until is the first day not covered. Empty: open.
        </span>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
