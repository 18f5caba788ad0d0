import type { StateView } from '../ledger/state';
import { RECORD_CLASSES, REVIEW_REASONS, purposeText } from './codes';
import { dateOf } from '../supply/work';
import type { Provision } from './schemas';
import { permissions } from './state';
import type { PermissionsTx } from './txs';

/** A pseudonym as people compare it at a glance: its first twelve hex digits. */
export function shortPseudonym(pseudonym: string): string {
  return `${pseudonym.slice(0, 12)}…`;
}

function consentLine(view: StateView, id: string): string {
  const consent = permissions(view).consent(id);
  const who = consent
    ? `patient ${shortPseudonym(consent.patient)} at ${consent.custodian}`
    : `consent ${id.slice(0, 12)}…`;
  return who;
}

export function describePermissionsTx(body: PermissionsTx, view: StateView): string {
  switch (body.type) {
    case 'consent.record':
      return `Record ${body.scope === 'research' ? 'research' : 'privacy'} consent (${body.status}) for patient ${shortPseudonym(body.patient)} at ${body.custodian}`;
    case 'consent.amend':
      return `Amend consent of ${consentLine(view, body.consent)} (now ${body.status})`;
    case 'consent.revoke':
      return `Revoke consent of ${consentLine(view, body.consent)}`;
    case 'consent.delegate':
      return body.active
        ? `Let ${body.delegate} record consents for ${body.member}'s patients`
        : `Stop ${body.delegate} recording consents for ${body.member}'s patients`;
    case 'access.record':
      return `Access: ${body.action} ${RECORD_CLASSES[body.recordClass].toLowerCase()} of patient ${shortPseudonym(body.patient)} at ${body.custodian} for ${purposeText(body.purpose)}`;
    case 'access.review': {
      const access = permissions(view).access(body.access);
      const of = access ? ` by ${access.accessor}` : '';
      return `Close break-glass review${of}: ${REVIEW_REASONS[body.reason]}`;
    }
  }
}

const list = (items: readonly string[]) =>
  items.length <= 2
    ? items.join(' and ')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/**
 * One provision in words, e.g. "permit Harbourside General Hospital to access and use
 * observations and results for treatment, from 2026-01-01" (its nested exceptions are not
 * included). `nameOf` gives a member's name.
 */
export function describeProvision(
  p: Provision,
  nameOf: (member: string) => string = (m) => m,
): string {
  const who = p.actors
    ? list(p.actors.map((a) => ('member' in a ? nameOf(a.member) : `every ${a.kind}`)))
    : 'anyone';
  const what = p.actions ? list(p.actions) : 'do anything with';
  const classes = p.classes
    ? list(p.classes.map((c) => RECORD_CLASSES[c].toLowerCase()))
    : 'any records';
  const why = p.purposes ? ` for ${list(p.purposes.map(purposeText))}` : '';
  const from = p.period?.start !== undefined ? `, from ${dateOf(p.period.start)}` : '';
  const until = p.period?.end !== undefined ? `, until ${dateOf(p.period.end)}` : '';
  return `${p.type} ${who} to ${what} ${classes}${why}${from}${until}`;
}
