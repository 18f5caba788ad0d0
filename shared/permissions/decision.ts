import type { MemberKind } from '../members/schemas';
import { BREAK_GLASS_PURPOSE } from './codes';
import { provisionsOf, type ConsentVersionRecord, type DecidingProvision } from './schemas';
import type { ConsentAction, Period, Provision, Purpose, RecordClass } from './schemas';

/** "May member M do action A on class C for purpose P for this patient at time T?" */
export interface AccessQuestion {
  member: string;
  /** The member's kind at that time: provisions may speak of every member of a kind. */
  memberKind: MemberKind;
  action: ConsentAction;
  recordClass: RecordClass;
  purpose: Purpose;
  time: number;
}

export type DecisionOutcome = 'permit' | 'deny' | 'break-glass';

/**
 * The answer, and why:
 * - `consent`: a consent in force decided it (`decidedBy` names the consent and provision);
 * - `no-consent`: no consent in force speaks to the question, so the answer is deny;
 * - `emergency`: emergency treatment that no consent permits goes ahead as break-glass
 *   (`decidedBy` is the refusing provision, if a consent refused).
 */
export interface Decision {
  outcome: DecisionOutcome;
  basis: 'consent' | 'no-consent' | 'emergency';
  decidedBy?: DecidingProvision;
}

export function inPeriod(period: Period | undefined, time: number): boolean {
  if (!period) return true;
  return (
    (period.start === undefined || period.start <= time) &&
    (period.end === undefined || time < period.end)
  );
}

/** Whether a consent version is in force at a time: active, and within its period. */
export function inForce(consent: ConsentVersionRecord, time: number): boolean {
  return consent.status === 'active' && inPeriod(consent.period, time);
}

/**
 * Whether a consent of this scope speaks to a purpose: a research consent governs research use
 * only; a privacy consent governs every purpose (research included).
 */
export function scopeCovers(consent: ConsentVersionRecord, purpose: Purpose): boolean {
  return consent.scope === 'patient-privacy' || purpose === 'HRESCH';
}

/** Whether every criterion a provision states matches the question (absent ones match all). */
export function provisionMatches(p: Provision, q: AccessQuestion): boolean {
  if (!inPeriod(p.period, q.time)) return false;
  if (p.actions && !p.actions.includes(q.action)) return false;
  if (p.purposes && !p.purposes.includes(q.purpose)) return false;
  if (p.classes && !p.classes.includes(q.recordClass)) return false;
  if (
    p.actors &&
    !p.actors.some((a) => ('member' in a ? a.member === q.member : a.kind === q.memberKind))
  )
    return false;
  return true;
}

interface ProvisionAnswer {
  provision: Provision;
  path: number[];
}

/**
 * What one consent says: the deepest matching provision whose ancestors all match; at the same
 * depth deny wins over permit, and among equals the first in document order. Nothing, if its base
 * does not match.
 */
export function consentAnswer(base: Provision, q: AccessQuestion): ProvisionAnswer | undefined {
  let best: ProvisionAnswer | undefined;
  const visit = (p: Provision, path: number[]): void => {
    if (!provisionMatches(p, q)) return;
    if (
      !best ||
      path.length > best.path.length ||
      (path.length === best.path.length && p.type === 'deny' && best.provision.type === 'permit')
    ) {
      best = { provision: p, path };
    }
    (p.provisions ?? []).forEach((child, i) => visit(child, [...path, i]));
  };
  visit(base, []);
  return best;
}

/**
 * The decision over a patient's consents at one custodian. Each consent in force whose scope
 * covers the purpose answers on its own (consentAnswer). For research, the patient's research
 * consents, where one of them answers, are their decision about research and are the ones that
 * count; otherwise their privacy consents decide. A deny from any consent that counts wins over
 * a permit from another (the most restrictive consent holds), and the first in the order given
 * decides among equals. The caller passes the consents in the ledger's order (by the height
 * they were recorded, then id), so every replica names the same deciding provision.
 */
export function decideAccess(
  consents: readonly ConsentVersionRecord[],
  q: AccessQuestion,
): Decision {
  let answers: { consent: ConsentVersionRecord; answer: ProvisionAnswer }[] = [];
  for (const consent of consents) {
    if (!inForce(consent, q.time) || !scopeCovers(consent, q.purpose)) continue;
    const answer = consentAnswer(consent.provision, q);
    if (answer) answers.push({ consent, answer });
  }
  if (answers.some((a) => a.consent.scope === 'research'))
    answers = answers.filter((a) => a.consent.scope === 'research');

  let permit: DecidingProvision | undefined;
  let deny: DecidingProvision | undefined;
  let emergencyDeny: DecidingProvision | undefined;
  for (const { consent, answer } of answers) {
    const decided: DecidingProvision = {
      consent: consent.consent,
      version: consent.version,
      versionTx: consent.txId,
      path: answer.path,
      type: answer.provision.type,
    };
    if (answer.provision.type === 'permit') permit ??= decided;
    else {
      deny ??= decided;
      if (answer.provision.purposes?.includes(BREAK_GLASS_PURPOSE)) emergencyDeny ??= decided;
    }
  }
  if (q.purpose === BREAK_GLASS_PURPOSE) {
    // A patient's explicit refusal of emergency access holds. Any other refusal, or the lack of
    // a consent, does not stop emergency treatment: it goes ahead and is reviewed afterwards.
    if (emergencyDeny) return { outcome: 'deny', basis: 'consent', decidedBy: emergencyDeny };
    if (deny) return { outcome: 'break-glass', basis: 'emergency', decidedBy: deny };
    if (permit) return { outcome: 'permit', basis: 'consent', decidedBy: permit };
    return { outcome: 'break-glass', basis: 'emergency' };
  }
  if (deny) return { outcome: 'deny', basis: 'consent', decidedBy: deny };
  if (permit) return { outcome: 'permit', basis: 'consent', decidedBy: permit };
  return { outcome: 'deny', basis: 'no-consent' };
}

/** Every provision of a consent with its path, for views that list them. */
export function provisionList(base: Provision): { provision: Provision; path: number[] }[] {
  return [...provisionsOf(base)];
}
