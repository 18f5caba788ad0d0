import {
  ACTOR_ROLES,
  CONSENT_ACTIONS,
  PURPOSES,
  RECORD_CLASSES,
  purposeText,
} from '../../shared/permissions/codes';
import type {
  AccessOutcome,
  Actor,
  ConsentAction,
  Purpose,
  RecordClass,
} from '../../shared/permissions/schemas';
import type { ConsentView, DecisionView } from '../../shared/rpc/permissions';

/*
 * The permissions domain's codes in words for custodians' staff and compliance officers. The
 * codes themselves (FHIR and HL7 value sets, shared/permissions/codes.ts) stay on chain; each
 * display shown here is the value set's own, with its code beside it where people look codes up.
 */

type Tone = 'good' | 'warn' | 'bad' | 'info' | 'neutral';

export const STANDING_LABELS: Record<ConsentView['standing'], string> = {
  'in-force': 'in force',
  'not-yet': 'not yet in force',
  expired: 'expired',
  draft: 'draft',
  proposed: 'proposed',
  rejected: 'rejected',
  inactive: 'inactive (withdrawn)',
  'entered-in-error': 'entered in error',
};

export const STANDING_TONES: Record<ConsentView['standing'], Tone> = {
  'in-force': 'good',
  'not-yet': 'info',
  expired: 'neutral',
  draft: 'neutral',
  proposed: 'info',
  rejected: 'bad',
  inactive: 'neutral',
  'entered-in-error': 'warn',
};

export const OUTCOME_LABELS: Record<AccessOutcome, string> = {
  permitted: 'permitted',
  'break-glass': 'break-glass',
  violation: 'violation',
};

export const OUTCOME_TONES: Record<AccessOutcome, Tone> = {
  permitted: 'good',
  'break-glass': 'warn',
  violation: 'bad',
};

export const DECISION_LABELS: Record<DecisionView['outcome'], string> = {
  permit: 'Permit',
  deny: 'Deny',
  'break-glass': 'Break-glass',
};

/** What a recorded access with this decision becomes on chain. */
export const DECISION_OUTCOMES: Record<DecisionView['outcome'], AccessOutcome> = {
  permit: 'permitted',
  deny: 'violation',
  'break-glass': 'break-glass',
};

export function actionLabel(action: ConsentAction): string {
  return CONSENT_ACTIONS[action].display.toLowerCase();
}

/** "treatment", "emergency treatment (break-glass)": HL7's words, lower case. */
export function purposeLabel(purpose: Purpose): string {
  return purposeText(purpose);
}

/** "treatment (TREAT)": HL7's words and code, where the code is looked up. */
export function purposeWithCode(purpose: Purpose): string {
  return `${PURPOSES[purpose].display.toLowerCase()} (${purpose})`;
}

export function classLabel(recordClass: RecordClass): string {
  return RECORD_CLASSES[recordClass];
}

/** "Treatment (TREAT)": a code as people choose it in a form. */
export function withCode(display: string, code: string): string {
  return `${display.charAt(0).toUpperCase()}${display.slice(1)} (${code})`;
}

export function roleLabel(actor: Actor): string {
  return ACTOR_ROLES[actor.role].display;
}

/** "a, b and c". */
export function list(items: readonly string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A day as the ledger's periods are read: `YYYY-MM-DD`, UTC. */
export function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** "from 2026-01-01 until 2027-01-01" (until is the first day it no longer applies). */
export function periodText(period: { start?: number; end?: number } | undefined): string | null {
  if (!period || (period.start === undefined && period.end === undefined)) return null;
  const from = period.start !== undefined ? `from ${day(period.start)}` : '';
  const until = period.end !== undefined ? `until ${day(period.end)}` : '';
  return [from, until].filter(Boolean).join(' ');
}
