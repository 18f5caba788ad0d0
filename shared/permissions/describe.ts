import type { StateView } from '../ledger/state';
import { PURPOSES, RECORD_CLASSES, REVIEW_REASONS } from './codes';
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
      return `Access: ${body.action} ${RECORD_CLASSES[body.recordClass].toLowerCase()} of patient ${shortPseudonym(body.patient)} at ${body.custodian} for ${PURPOSES[body.purpose].display}`;
    case 'access.review': {
      const access = permissions(view).access(body.access);
      const of = access ? ` by ${access.accessor}` : '';
      return `Close break-glass review${of}: ${REVIEW_REASONS[body.reason]}`;
    }
  }
}
