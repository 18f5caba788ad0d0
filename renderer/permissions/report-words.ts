import { REVIEW_REASONS } from '../../shared/permissions/codes';
import type { Provision } from '../../shared/permissions/schemas';
import type {
  AccessView,
  ConsentVersionView,
  ConsentView,
  PatientReport,
} from '../../shared/rpc/permissions';
import { STANDING_LABELS } from './words';

/*
 * The patient access report in plain words: its consents grouped by consent, each access's
 * outcome as a patient would read it, and the summary line. No React: the page lays these out.
 */

/** One consent of the report: its versions, oldest first, and its number in the report. */
export interface ReportConsent {
  id: string;
  /** 1, 2, …: in the order the consents were first recorded. */
  number: number;
  versions: ConsentVersionView[];
}

/** The report's consent versions (oldest first) grouped by consent, in the order recorded. */
export function groupConsents(versions: readonly ConsentVersionView[]): ReportConsent[] {
  const byId = new Map<string, ReportConsent>();
  for (const v of versions) {
    let consent = byId.get(v.consent);
    if (!consent) {
      consent = { id: v.consent, number: byId.size + 1, versions: [] };
      byId.set(v.consent, consent);
    }
    consent.versions.push(v);
  }
  for (const consent of byId.values()) consent.versions.sort((a, b) => a.version - b.version);
  return [...byId.values()];
}

/** Where a consent version stands at the report's time: in force, outside its period, or its status. */
export function standingAt(v: ConsentVersionView, time: number): ConsentView['standing'] {
  if (v.status !== 'active') return v.status;
  if (v.period?.start !== undefined && time < v.period.start) return 'not-yet';
  if (v.period?.end !== undefined && time >= v.period.end) return 'expired';
  return 'in-force';
}

export function standingWords(v: ConsentVersionView, time: number): string {
  return STANDING_LABELS[standingAt(v, time)];
}

/** What a version did: recorded the consent, amended it, or withdrew it. */
export function versionEvent(v: ConsentVersionView, previous: ConsentVersionView | undefined) {
  if (!previous) return 'Recorded';
  if (v.status === 'inactive' && previous.status !== 'inactive') return 'Withdrawn';
  return 'Amended';
}

/** Two provision trees state the same rules (a withdrawal restates them unchanged). */
export function sameRules(a: Provision, b: Provision): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** "exception 2.1" or "base rule": where a provision is in its consent's tree. */
export function provisionPlace(path: readonly number[]): string {
  return path.length === 0 ? 'base rule' : `exception ${path.map((i) => i + 1).join('.')}`;
}

/** An access's outcome in words, with what decided it. */
export interface OutcomeWords {
  /** "Permitted", "Emergency access", "Not permitted". */
  outcome: string;
  /** "review open", "review closed: …", "raised to compliance". */
  detail: string | null;
  /** "by consent 1, version 2, exception 2" or why none decided. */
  basis: string;
}

export function outcomeWords(
  access: AccessView,
  consentNumber: (consent: string) => number | undefined,
): OutcomeWords {
  const d = access.decidedBy;
  const number = d ? consentNumber(d.consent) : undefined;
  const which = d
    ? `consent ${number ?? `${d.consent.slice(0, 12)}…`}, version ${d.version}, ${provisionPlace(d.path)}`
    : null;
  switch (access.outcome) {
    case 'permitted':
      return { outcome: 'Permitted', detail: null, basis: `by ${which ?? 'a consent'}` };
    case 'break-glass': {
      const review = access.review;
      const detail =
        review?.status === 'closed'
          ? `review closed${review.reason ? ` — ${lowerFirst(REVIEW_REASONS[review.reason])}` : ''}`
          : 'review open';
      return {
        outcome: 'Emergency access',
        detail,
        basis: which ? `no consent permitted it (${which})` : 'no consent permitted it',
      };
    }
    case 'violation':
      return {
        outcome: 'Not permitted',
        detail: 'raised to compliance',
        basis: which ? `refused by ${which}` : 'no consent in force permitted it',
      };
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
}

/** "4 accesses by 4 organisations, 0 not permitted, 1 emergency access." */
export function summaryLine(report: PatientReport): string {
  const accesses = report.accesses;
  if (accesses.length === 0) return 'No access to this patient’s records has been recorded.';
  const organisations = new Set(accesses.map((a) => a.accessor)).size;
  const refused = accesses.filter((a) => a.outcome === 'violation').length;
  const emergency = accesses.filter((a) => a.outcome === 'break-glass').length;
  const total = report.truncated
    ? `The newest ${count(accesses.length, 'access', 'accesses')}`
    : count(accesses.length, 'access', 'accesses');
  const parts = [
    `${total} by ${count(organisations, 'organisation', 'organisations')}`,
    `${refused.toLocaleString('en')} not permitted`,
  ];
  if (emergency > 0) parts.push(count(emergency, 'emergency access', 'emergency accesses'));
  return `${parts.join(', ')}.`;
}

/** "2 consents (3 versions)". */
export function consentsLine(consents: readonly ReportConsent[]): string {
  if (consents.length === 0) return 'No consent recorded';
  const versions = consents.reduce((n, c) => n + c.versions.length, 0);
  return `${count(consents.length, 'consent', 'consents')} (${count(versions, 'version', 'versions')})`;
}

/** `patient-report-<first 12 digits of the pseudonym>-<YYYY-MM-DD>.fhir.json`. */
export function reportFileName(patient: string, day: string): string {
  return `patient-report-${patient.slice(0, 12)}-${day}.fhir.json`;
}
