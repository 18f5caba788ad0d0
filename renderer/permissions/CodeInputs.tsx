import {
  ACTOR_ROLES,
  BREAK_GLASS_PURPOSE,
  CONSENT_ACTIONS,
  CONSENT_CATEGORIES,
  PURPOSES,
  RECORD_CLASSES,
  REVIEW_REASONS,
  codesOf,
} from '../../shared/permissions/codes';
import type {
  ActorRole,
  ConsentAction,
  ConsentCategory,
  Purpose,
  RecordClass,
  ReviewReason,
} from '../../shared/permissions/schemas';
import { withCode } from './words';

/*
 * Inputs that offer only the closed value sets' codes (shared/permissions/codes.ts), each with
 * the value set's display: nothing else can be chosen, so nothing else can be sent.
 */

export interface CodeOption<C extends string> {
  code: C;
  label: string;
}

export const ACTION_OPTIONS: CodeOption<ConsentAction>[] = codesOf(CONSENT_ACTIONS).map((code) => ({
  code,
  label: CONSENT_ACTIONS[code].display,
}));

export const PURPOSE_OPTIONS: CodeOption<Purpose>[] = codesOf(PURPOSES).map((code) => ({
  code,
  label: withCode(
    `${PURPOSES[code].display.toLowerCase()}${code === BREAK_GLASS_PURPOSE ? ', break-glass' : ''}`,
    code,
  ),
}));

export const CLASS_OPTIONS: CodeOption<RecordClass>[] = codesOf(RECORD_CLASSES).map((code) => ({
  code,
  label: RECORD_CLASSES[code],
}));

export const ROLE_OPTIONS: CodeOption<ActorRole>[] = codesOf(ACTOR_ROLES).map((code) => ({
  code,
  label: withCode(ACTOR_ROLES[code].display, code),
}));

export const CATEGORY_OPTIONS: CodeOption<ConsentCategory>[] = codesOf(CONSENT_CATEGORIES).map(
  (code) => ({ code, label: withCode(CONSENT_CATEGORIES[code].display, code) }),
);

export const REVIEW_OPTIONS: CodeOption<ReviewReason>[] = codesOf(REVIEW_REASONS).map((code) => ({
  code,
  label: REVIEW_REASONS[code],
}));

/** One code from a closed set (or none yet). Field gives it its id and aria attributes. */
export function CodeSelect<C extends string>({
  options,
  value,
  onChange,
  placeholder,
  disabled,
  ...aria
}: {
  options: readonly CodeOption<C>[];
  value: C | '';
  onChange: (code: C | '') => void;
  placeholder?: string;
  disabled?: boolean;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  'aria-label'?: string;
}) {
  return (
    <select
      {...aria}
      value={value}
      disabled={disabled}
      onChange={(event) => onChange(event.currentTarget.value as C | '')}
    >
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {options.map((o) => (
        <option key={o.code} value={o.code}>
          {o.label}
        </option>
      ))}
    </select>
  );
}

/**
 * Any number of codes from a closed set, as tick boxes. None ticked means the provision does
 * not narrow on it: it matches any.
 */
export function CodeChecklist<C extends string>({
  id,
  legend,
  options,
  value,
  onChange,
  none,
  error,
  disabled,
  columns = 1,
}: {
  id: string;
  legend: string;
  options: readonly CodeOption<C>[];
  value: readonly C[];
  onChange: (codes: C[]) => void;
  /** What ticking none means, e.g. "any action". */
  none: string;
  error?: string | undefined;
  disabled?: boolean;
  columns?: 1 | 2 | 3;
}) {
  const toggle = (code: C, on: boolean) => {
    // Kept in the value set's order, whatever order they were ticked in.
    const next = options.map((o) => o.code).filter((c) => (c === code ? on : value.includes(c)));
    onChange(next);
  };
  return (
    <fieldset
      className={`code-checklist code-columns-${columns}${error ? ' field-invalid' : ''}`}
      aria-describedby={error ? `${id}-error` : undefined}
      aria-invalid={error ? true : undefined}
    >
      <legend>
        {legend}{' '}
        <span className="code-checklist-count">
          {value.length === 0 ? `none ticked: ${none}` : `${value.length} ticked`}
        </span>
      </legend>
      <div className="code-checklist-options">
        {options.map((o) => (
          <label key={o.code}>
            <input
              type="checkbox"
              checked={value.includes(o.code)}
              disabled={disabled}
              onChange={(event) => toggle(o.code, event.currentTarget.checked)}
            />
            {o.label}
          </label>
        ))}
      </div>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
