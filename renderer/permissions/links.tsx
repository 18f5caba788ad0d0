import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { shortPseudonym } from '../../shared/permissions/describe';
import { shortHex } from '../components/Hex';
import { useMembersById } from '../stores/members-store';

/*
 * Links between the Permissions pages and to the chain itself: every patient shown leads to
 * its page, every consent version and access to its transaction.
 */

/** A patient by the first digits of its pseudonym, linking to its page at the custodian. */
export function PatientLink({
  custodian,
  patient,
  children,
}: {
  custodian: string;
  patient: string;
  children?: ReactNode;
}) {
  return (
    <Link
      to="/permissions/patients/$custodian/$patient"
      params={{ custodian, patient }}
      title={patient}
    >
      {children ?? <code>{shortPseudonym(patient)}</code>}
    </Link>
  );
}

export function TxLink({ id, children }: { id: string; children?: ReactNode }) {
  return (
    <Link to="/tx/$id" params={{ id }} title={id}>
      {children ?? <code>{shortHex(id, 6)}</code>}
    </Link>
  );
}

export function BlockLink({ height }: { height: number }) {
  return (
    <Link to="/blocks/$height" params={{ height }}>
      block {height}
    </Link>
  );
}

/** A member by legal name (the node's, or the members list's), linking to its page. */
export function MemberName({ id, name }: { id: string; name?: string }) {
  const member = useMembersById().get(id);
  return (
    <Link to="/members/$id" params={{ id }}>
      {name ?? member?.legalName ?? id}
    </Link>
  );
}

/** The id of a consent's card on the patient page, to link or scroll to it. */
export function consentAnchor(consent: string): string {
  return `consent-${consent.slice(0, 16)}`;
}
