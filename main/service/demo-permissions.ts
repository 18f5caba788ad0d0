import type { AccessRecord } from '../../shared/permissions/schemas';
import { accessRecords } from '../../shared/permissions/records';
import type { PermissionsTx } from '../../shared/permissions/txs';
import type { Provision } from '../../shared/permissions/schemas';
import { pseudonymOf } from '../permissions/pseudonym';
import type { DemoChain } from './demo-supply';

/*
 * The demo's record permissions (see buildDemo): two hospitals' patients' consents, one with
 * nested exceptions, one amended, one revoked, a research consent bound to a trial protocol
 * anchored on the chain; accesses by other members that the consents permit, one they do not
 * (a violation), and emergency accesses without consent (break-glass), one reviewed and one
 * still open. Every step is a signed transaction in a certified block.
 *
 * Patients are known to their hospital by record numbers, pseudonymised with the hospital's
 * own secret (sealed into its console profile), so a look-up of the same number in that
 * hospital's console finds them. The numbers are made up and never reach the chain.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Who plays which part: member ids of the demo. */
export interface PermissionsCast {
  stMarys: string;
  harbourside: string;
  citycare: string;
  riverside: string;
  northwind: string;
  helix: string;
}

/** Local record numbers of the demo's patients at St Mary's (the console's first profile). */
export const DEMO_PATIENTS = {
  /** Privacy consent with nested exceptions, amended; a research consent; permitted accesses. */
  withExceptions: 'MRN-100234',
  /** Consent revoked, then accessed anyway: a violation. */
  revoked: 'MRN-100871',
  /** No consent: an emergency access, reviewed. */
  emergency: 'MRN-102233',
} as const;

/** A patient of Harbourside: an emergency access at St Mary's, review still open. */
export const DEMO_HARBOURSIDE_PATIENT = 'HGH-55810';

type Envelope = 'v' | 'chainId' | 'member' | 'signer' | 'nonce';
type Body = {
  [T in PermissionsTx['type']]: Omit<Extract<PermissionsTx, { type: T }>, Envelope>;
}[PermissionsTx['type']];

/** What the history left on the chain. */
export interface PermissionsFigures {
  consents: number;
  accesses: Record<AccessRecord['outcome'], number>;
  openReviews: number;
}

/** A hash standing in for a scanned signed consent form: made up, and only its hash is shown. */
function documentHash(n: number): string {
  return n.toString(16).padStart(2, '0').repeat(32);
}

export function writePermissionsHistory(
  chain: DemoChain,
  cast: PermissionsCast,
  secrets: ReadonlyMap<string, Uint8Array>,
  start: number,
  /** A trial protocol version anchored on the chain that a research consent is bound to. */
  protocol: { study: string; version: number },
): PermissionsFigures {
  const secretOf = (member: string) => {
    const secret = secrets.get(member);
    if (!secret) throw new Error(`demo: no pseudonym secret for ${member}`);
    return secret;
  };
  const patientAt = (custodian: string, identifier: string) =>
    pseudonymOf(secretOf(custodian), identifier);
  let time = start;
  const act = (member: string, body: Body): string => chain.node.submit(chain.sign(member, body));
  const block = (advance: number) => {
    time += advance;
    chain.at(time);
    chain.commit();
  };

  const a = patientAt(cast.stMarys, DEMO_PATIENTS.withExceptions);
  const b = patientAt(cast.stMarys, DEMO_PATIENTS.revoked);
  const c = patientAt(cast.stMarys, DEMO_PATIENTS.emergency);
  const d = patientAt(cast.harbourside, DEMO_HARBOURSIDE_PATIENT);
  const privacy = {
    scope: 'patient-privacy',
    category: '59284-0',
    status: 'active',
  } as const;

  // Opt-out with exceptions: nobody, except Harbourside for treatment (but not its clinical
  // notes), and any pharmacy to read prescriptions.
  const shared: Provision = {
    type: 'deny',
    provisions: [
      {
        type: 'permit',
        actors: [{ member: cast.harbourside, role: 'PRCP' }],
        purposes: ['TREAT'],
        actions: ['access', 'use'],
        provisions: [{ type: 'deny', classes: ['DocumentReference'] }],
      },
      {
        type: 'permit',
        actors: [{ kind: 'pharmacy', role: 'IRCP' }],
        purposes: ['TREAT'],
        actions: ['access'],
        classes: ['MedicationRequest', 'AllergyIntolerance'],
      },
    ],
  };
  const consentA = act(cast.stMarys, {
    type: 'consent.record',
    custodian: cast.stMarys,
    patient: a,
    ...privacy,
    policy: 'OPTOUTE',
    period: { start: start - 30 * DAY },
    document: documentHash(1),
    provision: shared,
  });
  const consentB = act(cast.stMarys, {
    type: 'consent.record',
    custodian: cast.stMarys,
    patient: b,
    ...privacy,
    policy: 'OPTINR',
    period: { start: start - 90 * DAY, end: start + 365 * DAY },
    document: documentHash(2),
    provision: {
      type: 'permit',
      purposes: ['TREAT', 'HPAYMT', 'HOPERAT'],
      provisions: [{ type: 'deny', actors: [{ kind: 'manufacturer', role: 'IRCP' }] }],
    },
  });
  // The patient also joined Helix's trial: research use of results, bound to its protocol.
  act(cast.stMarys, {
    type: 'consent.record',
    custodian: cast.stMarys,
    patient: a,
    status: 'active',
    scope: 'research',
    category: 'research',
    policy: 'OPTIN',
    period: { start: start - 7 * DAY, end: start + 2 * 365 * DAY },
    document: documentHash(3),
    protocol,
    provision: {
      type: 'permit',
      actors: [{ member: cast.helix, role: 'PRCP' }],
      purposes: ['HRESCH'],
      actions: ['access', 'use'],
      classes: ['Observation', 'Condition', 'MedicationStatement'],
    },
  });
  block(HOUR);

  // Treatment at Harbourside and a prescription read by a pharmacy: permitted.
  act(cast.harbourside, {
    type: 'access.record',
    custodian: cast.stMarys,
    patient: a,
    recordClass: 'Observation',
    action: 'access',
    purpose: 'TREAT',
  });
  act(cast.citycare, {
    type: 'access.record',
    custodian: cast.stMarys,
    patient: a,
    recordClass: 'MedicationRequest',
    action: 'access',
    purpose: 'TREAT',
  });
  act(cast.helix, {
    type: 'access.record',
    custodian: cast.stMarys,
    patient: a,
    recordClass: 'Observation',
    action: 'use',
    purpose: 'HRESCH',
  });
  block(5 * HOUR);

  // The patient lets Riverside Pharmacy see their immunizations too: version 2.
  act(cast.stMarys, {
    type: 'consent.amend',
    consent: consentA,
    amends: 1,
    ...privacy,
    policy: 'OPTOUTE',
    period: { start: start - 30 * DAY },
    document: documentHash(4),
    provision: {
      ...shared,
      provisions: [
        ...(shared.provisions ?? []),
        {
          type: 'permit',
          actors: [{ member: cast.riverside, role: 'IRCP' }],
          purposes: ['TREAT'],
          actions: ['access'],
          classes: ['Immunization'],
        },
      ],
    },
  });
  // An emergency at Harbourside for a St Mary's patient with no consent on file.
  act(cast.harbourside, {
    type: 'access.record',
    custodian: cast.stMarys,
    patient: c,
    recordClass: 'AllergyIntolerance',
    action: 'access',
    purpose: 'ETREAT',
  });
  block(3 * HOUR);
  act(cast.riverside, {
    type: 'access.record',
    custodian: cast.stMarys,
    patient: a,
    recordClass: 'Immunization',
    action: 'access',
    purpose: 'TREAT',
  });
  // The second patient withdraws their consent.
  act(cast.stMarys, { type: 'consent.revoke', consent: consentB });
  block(8 * HOUR);

  // St Mary's compliance officer closes the emergency review; Harbourside's patient is seen
  // in St Mary's emergency department (review still open at Harbourside).
  const emergency = latestAccess(chain, cast.harbourside, c);
  act(cast.stMarys, { type: 'access.review', access: emergency, reason: 'justified' });
  act(cast.stMarys, {
    type: 'access.record',
    custodian: cast.harbourside,
    patient: d,
    recordClass: 'Condition',
    action: 'access',
    purpose: 'ETREAT',
  });
  block(4 * HOUR);

  // Northwind uses the conditions of the patient who withdrew their consent for its operations:
  // no consent in force permits it, so it is a violation, raised to St Mary's and regulators.
  act(cast.northwind, {
    type: 'access.record',
    custodian: cast.stMarys,
    patient: b,
    recordClass: 'Condition',
    action: 'use',
    purpose: 'HOPERAT',
  });
  block(2 * HOUR);

  const accesses = chain.node.replica.view.list(accessRecords, 'all');
  const count = (outcome: AccessRecord['outcome']) =>
    accesses.filter((x) => x.outcome === outcome).length;
  const figures: PermissionsFigures = {
    consents: 3,
    accesses: {
      permitted: count('permitted'),
      'break-glass': count('break-glass'),
      violation: count('violation'),
    },
    openReviews: accesses.filter((x) => x.review?.status === 'open').length,
  };
  if (figures.accesses.permitted !== 4 || figures.accesses.violation !== 1)
    throw new Error(
      `demo: record access outcomes were not as scripted: ${JSON.stringify(figures)}`,
    );
  if (figures.accesses['break-glass'] !== 2 || figures.openReviews !== 1)
    throw new Error(`demo: break-glass reviews were not as scripted: ${JSON.stringify(figures)}`);
  return figures;
}

/** The newest access the accessor recorded to a patient's records (the demo just made it). */
function latestAccess(chain: DemoChain, accessor: string, patient: string): string {
  const found = chain.node.replica.view
    .list(accessRecords, 'all')
    .filter((x) => x.accessor === accessor && x.patient === patient)
    .sort((x, y) => y.height - x.height)[0];
  if (!found) throw new Error(`demo: no access by ${accessor} to be reviewed`);
  return found.id;
}
