/**
 * Record permissions start to end through real blocks, as the console's stories go: a custodian
 * records a patient's consent under its pseudonym, grants access to a member, the member's access
 * is permitted, the patient withdraws, the same access is then a violation; an emergency access
 * is break-glass and its review is closed; a delegate records for the custodian. A fresh replica
 * replays every chain to the same state.
 */
import { describe, expect, it } from 'vitest';
import { accessRecords } from '../../shared/permissions/records';
import { permissions } from '../../shared/permissions/state';
import {
  accessed,
  accessOf,
  amendConsent,
  CLINIC,
  consentOf,
  delegation,
  HOSPITAL,
  optOut,
  permissionsChain,
  PHARMACY,
  pseudonym,
  recordAccess,
  recordConsent,
  REGULATOR,
  replicasAgreeAfterEach,
  reviewAccess,
  revokeConsent,
  versionsOf,
} from './helpers/permissions';
import {
  CLINIC as SUPPLY_CLINIC,
  expectReplicaAgrees,
  HOSPITAL as SUPPLY_HOSPITAL,
  supplyChain,
} from './helpers/supply';

replicasAgreeAfterEach();

const P = 'ab'.repeat(32);
const DOC = 'cd'.repeat(32);

describe('record permissions, start to end', () => {
  it('records a consent, a permitted access, a revocation and a violation', () => {
    const chain = supplyChain({ more: true });
    const rec = chain.act(SUPPLY_HOSPITAL, {
      type: 'consent.record',
      custodian: SUPPLY_HOSPITAL,
      patient: P,
      status: 'active',
      scope: 'patient-privacy',
      category: '59284-0',
      policy: 'OPTOUTE',
      document: DOC,
      provision: {
        type: 'deny',
        provisions: [
          {
            type: 'permit',
            actors: [{ member: SUPPLY_CLINIC, role: 'PRCP' }],
            purposes: ['TREAT'],
          },
        ],
      },
    });
    chain.commitOk([rec]);
    const access = () =>
      chain.act(SUPPLY_CLINIC, {
        type: 'access.record',
        custodian: SUPPLY_HOSPITAL,
        patient: P,
        recordClass: 'Observation',
        action: 'access',
        purpose: 'TREAT',
      });
    const a1 = access();
    chain.commitOk([a1]);
    expect(chain.state.get(accessRecords, [a1.id])?.outcome).toBe('permitted');
    chain.commitOk([chain.act(SUPPLY_HOSPITAL, { type: 'consent.revoke', consent: rec.id })]);
    expect(permissions(chain.state).consent(rec.id)?.status).toBe('inactive');
    const a2 = access();
    chain.commitOk([a2]);
    expect(chain.state.get(accessRecords, [a2.id])?.outcome).toBe('violation');
    expectReplicaAgrees(chain);
  });

  it('a patient looked up by local identifier: grant, access, amend, withdraw, violation raised', () => {
    const chain = permissionsChain();
    // The console pseudonymises the identifier on the spot; the chain only ever sees the HMAC.
    const patient = pseudonym(HOSPITAL, 'mrn-0042');
    expect(patient).toBe(pseudonym(HOSPITAL, 'MRN-0042'));
    expect(patient).not.toBe(pseudonym(CLINIC, 'MRN-0042'));
    expect(patient).toMatch(/^[0-9a-f]{64}$/);

    const grant = recordConsent(
      chain,
      HOSPITAL,
      patient,
      optOut([
        {
          type: 'permit',
          actors: [{ member: CLINIC, role: 'PRCP' }],
          purposes: ['TREAT'],
          classes: ['Observation', 'DiagnosticReport'],
        },
      ]),
    );
    chain.commitOk([grant]);
    const permitted = accessed(chain, CLINIC, { patient });
    expect(permitted).toMatchObject({
      outcome: 'permitted',
      decidedBy: { consent: grant.id, version: 1, path: [0], type: 'permit' },
    });
    expect(accessed(chain, CLINIC, { patient, recordClass: 'Condition' }).outcome).toBe(
      'violation',
    );

    // The patient widens the grant to conditions: version 2 decides from the next block.
    const widened = amendConsent(
      chain,
      HOSPITAL,
      grant.id,
      optOut([
        {
          type: 'permit',
          actors: [{ member: CLINIC, role: 'PRCP' }],
          purposes: ['TREAT'],
          classes: ['Observation', 'DiagnosticReport', 'Condition'],
        },
      ]),
    );
    chain.commitOk([widened]);
    expect(accessed(chain, CLINIC, { patient, recordClass: 'Condition' })).toMatchObject({
      outcome: 'permitted',
      decidedBy: { consent: grant.id, version: 2, versionTx: widened.id },
    });

    // Withdrawn: the same access is now a violation, and compliance sees it.
    const withdraw = revokeConsent(chain, HOSPITAL, grant.id);
    chain.commitOk([withdraw]);
    expect(consentOf(chain, grant.id)).toMatchObject({ status: 'inactive', version: 3 });
    const again = recordAccess(chain, CLINIC, { patient });
    chain.commitOk([again]);
    expect(accessOf(chain, again.id)).toMatchObject({ outcome: 'violation', accessor: CLINIC });
    expect(accessOf(chain, again.id).decidedBy).toBeUndefined();
    const violations = chain.state
      .list(accessRecords, 'all')
      .filter((a) => a.custodian === HOSPITAL && a.outcome === 'violation')
      .map((a) => a.id);
    expect(violations).toContain(again.id);
    expect(versionsOf(chain, grant.id).map((v) => [v.version, v.status])).toEqual([
      [1, 'active'],
      [2, 'active'],
      [3, 'inactive'],
    ]);
  });

  it('a break-glass access and its review; a delegate records a consent for the custodian', () => {
    const chain = permissionsChain();
    const patient = pseudonym(HOSPITAL, 'MRN-7');
    const glass = recordAccess(chain, PHARMACY, { patient, purpose: 'ETREAT' });
    chain.commitOk([glass]);
    expect(accessOf(chain, glass.id)).toMatchObject({
      outcome: 'break-glass',
      review: { status: 'open' },
    });
    const review = reviewAccess(chain, HOSPITAL, glass.id, 'justified');
    chain.commitOk([review]);
    expect(accessOf(chain, glass.id).review).toMatchObject({
      status: 'closed',
      reason: 'justified',
      closedBy: HOSPITAL,
      closedTx: review.id,
    });

    chain.commitOk([delegation(chain, HOSPITAL, REGULATOR, true)]);
    const byDelegate = recordConsent(chain, REGULATOR, patient, undefined, {
      custodian: HOSPITAL,
    });
    chain.commitOk([byDelegate]);
    expect(versionsOf(chain, byDelegate.id)[0]).toMatchObject({
      custodian: HOSPITAL,
      recordedBy: REGULATOR,
    });
    expect(accessed(chain, PHARMACY, { patient }).outcome).toBe('permitted');
  });
});
