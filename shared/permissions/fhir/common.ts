/** Codings and references the Consent and AuditEvent exports share. */
import type { z } from 'zod';
import type { MemberKind } from '../../members/schemas';
import type { CodeInfo } from '../codes';
import type { FhirCodeableConcept, FhirCoding, FhirReference } from './types';
import {
  MEMBER_KIND_GROUPS,
  memberKindSystem,
  memberSystem,
  pseudonymSystem,
  type FhirContext,
} from './vocabulary';

/** A code of one of codes.ts's value sets as a Coding: its system, the code, its display. */
export function coding<T extends Record<string, CodeInfo>>(
  set: T,
  code: keyof T & string,
): FhirCoding {
  const info = set[code];
  if (!info) throw new Error(`FHIR export: ${code} is not a code of this value set`);
  return { system: info.system, code, display: info.display };
}

export function concept<T extends Record<string, CodeInfo>>(
  set: T,
  code: keyof T & string,
): FhirCodeableConcept {
  return { coding: [coding(set, code)] };
}

/**
 * A member organisation, by its member id on the chain (a logical reference: members are not
 * FHIR resources anyone serves), with its name where the context knows it.
 */
export function memberReference(context: FhirContext, member: string): FhirReference {
  const name = context.memberNames?.get(member);
  return {
    type: 'Organization',
    identifier: { system: memberSystem(context.chainId), value: member },
    ...(name ? { display: name } : {}),
  };
}

/**
 * Every member of a kind: a Group, as Consent.provision.actor asks for actors named "by some
 * property they share". Its identifier is the kind in the chain's member-kind system.
 */
export function kindReference(context: FhirContext, kind: MemberKind): FhirReference {
  return {
    type: 'Group',
    identifier: { system: memberKindSystem(context.chainId), value: kind },
    display: MEMBER_KIND_GROUPS[kind],
  };
}

/**
 * The patient: only ever the custodian's pseudonym, as a logical reference. There is no Patient
 * resource to point to (its demographics never leave the custodian), and no local identifier.
 */
export function patientReference(
  context: FhirContext,
  custodian: string,
  pseudonym: string,
): FhirReference {
  return {
    type: 'Patient',
    identifier: { system: pseudonymSystem(context.chainId, custodian), value: pseudonym },
  };
}

/** A record checked against its ledger schema; the error names the field that is wrong. */
export function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const at = issue?.path.length ? ` at ${issue.path.map(String).join('.')}` : '';
  throw new Error(`FHIR export: not a ${what}${at}: ${issue?.message ?? 'invalid'}`);
}
