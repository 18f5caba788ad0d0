import { describe, expect, it } from 'vitest';
import { accessRecords } from '../../shared/permissions/records';
import { permissions } from '../../shared/permissions/state';
import { supplyChain, HOSPITAL, CLINIC } from './helpers/supply';

const P = 'ab'.repeat(32);
const DOC = 'cd'.repeat(32);

describe('record permissions, start to end', () => {
  it('records a consent, a permitted access, a revocation and a violation', () => {
    const chain = supplyChain({ more: true });
    const rec = chain.act(HOSPITAL, {
      type: 'consent.record',
      custodian: HOSPITAL,
      patient: P,
      status: 'active',
      scope: 'patient-privacy',
      category: '59284-0',
      policy: 'OPTOUTE',
      document: DOC,
      provision: {
        type: 'deny',
        provisions: [
          { type: 'permit', actors: [{ member: CLINIC, role: 'PRCP' }], purposes: ['TREAT'] },
        ],
      },
    });
    chain.commitOk([rec]);
    const access = () =>
      chain.act(CLINIC, {
        type: 'access.record',
        custodian: HOSPITAL,
        patient: P,
        recordClass: 'Observation',
        action: 'access',
        purpose: 'TREAT',
      });
    const a1 = access();
    chain.commitOk([a1]);
    expect(chain.state.get(accessRecords, [a1.id])?.outcome).toBe('permitted');
    chain.commitOk([chain.act(HOSPITAL, { type: 'consent.revoke', consent: rec.id })]);
    expect(permissions(chain.state).consent(rec.id)?.status).toBe('inactive');
    const a2 = access();
    chain.commitOk([a2]);
    expect(chain.state.get(accessRecords, [a2.id])?.outcome).toBe('violation');
  });
});
