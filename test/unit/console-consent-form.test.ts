import { describe, expect, it } from 'vitest';
import { RpcError } from '../../shared/rpc/contract';
import { permissionsMethods } from '../../shared/rpc/permissions';
import type { Provision } from '../../shared/permissions/schemas';
import {
  consentDraftOf,
  draftProblems,
  emptyConsent,
  emptyProvision,
  fieldsOf,
  mayNest,
  provisionDraftOf,
  provisionOf,
  termsOf,
  updateAt,
  type ConsentDraft,
} from '../../renderer/permissions/consent-draft';
import { checkParams, fieldOfPath, placeErrors } from '../../renderer/permissions/form-errors';

/*
 * The console's consent form (renderer/permissions/): its draft becomes the terms a transaction
 * carries, a prefilled version is restated unchanged, and every problem, the contract schema's
 * or the node's, lands under the field it names.
 */

const DAY = 86_400_000;
const PATIENT = { custodian: 'st-marys-hospital', patient: 'ab'.repeat(32) };
const recordParams = permissionsMethods['permissions.consents.record'].params;

const nested: Provision = {
  type: 'deny',
  provisions: [
    {
      type: 'permit',
      actors: [
        { member: 'riverside-pharmacy', role: 'IRCP' },
        { kind: 'pharmacy', role: 'PRCP' },
      ],
      actions: ['access'],
      purposes: ['TREAT'],
      classes: ['Observation', 'MedicationRequest'],
      // Not at midnight: a version restated from the form keeps its exact times.
      period: { start: 1_780_000_123_456, end: 1_790_000_654_321 },
      provisions: [{ type: 'deny', classes: ['DocumentReference'] }],
    },
  ],
};

function draftWith(change: Partial<ConsentDraft>): ConsentDraft {
  return { ...emptyConsent(), document: { hash: 'cd'.repeat(32), fileName: null }, ...change };
}

describe('consent form draft', () => {
  it('restates a provision tree exactly as the chain holds it', () => {
    expect(provisionOf(provisionDraftOf(nested))).toEqual(nested);
  });

  it('prefills an amendment with the current version and restates its terms unchanged', () => {
    const version = {
      status: 'active',
      scope: 'research',
      category: 'research',
      policy: 'OPTIN',
      period: { start: 1_780_000_000_001 },
      document: 'ef'.repeat(32),
      provision: { type: 'permit', purposes: ['HRESCH'] },
      protocol: { study: '12'.repeat(32), version: 2 },
    } as const;
    const draft = consentDraftOf({
      ...version,
      provision: { type: 'permit', purposes: ['HRESCH'] },
      txId: '00'.repeat(32),
      consent: '00'.repeat(32),
      version: 1,
      custodian: PATIENT.custodian,
      patient: PATIENT.patient,
      recordedBy: PATIENT.custodian,
      height: 3,
      time: 1_780_000_000_000,
    });
    expect(termsOf(draft)).toEqual(version);
  });

  it('reads a day typed anew as midnight UTC, and leaves out criteria left empty', () => {
    const draft = draftWith({
      period: { start: { text: '2026-03-01', ms: null }, end: { text: '', ms: null } },
    });
    const terms = termsOf(draft);
    expect(terms.period).toEqual({ start: Date.UTC(2026, 2, 1) });
    expect(terms.provision).toEqual({ type: 'permit' });
    expect(terms).not.toHaveProperty('protocol');
  });

  it('binds a protocol only to a research consent', () => {
    const protocol = { study: '34'.repeat(32), version: '1' };
    expect(termsOf(draftWith({ protocol }))).not.toHaveProperty('protocol');
    expect(termsOf(draftWith({ scope: 'research', protocol })).protocol).toEqual({
      study: '34'.repeat(32),
      version: 1,
    });
  });

  it('offers exceptions only within 4 levels and 32 provisions', () => {
    expect(mayNest([], 1)).toBe(true);
    expect(mayNest([0, 0], 3)).toBe(true);
    expect(mayNest([0, 0, 0], 4)).toBe(false);
    expect(mayNest([], 32)).toBe(false);
  });

  it('says which actor is left without a member, and that the document is missing', () => {
    const draft = emptyConsent();
    draft.provision = updateAt(draft.provision, [], (p) => ({
      ...p,
      children: [
        {
          ...emptyProvision('deny'),
          actors: [{ key: 1, by: 'kind', member: '', kind: '', role: 'IRCP' }],
        },
      ],
    }));
    expect(draftProblems(draft)).toEqual({
      'provision.provisions.0.actors': 'Choose the member or the kind of member of each actor.',
      document: 'Choose the signed consent document: its SHA-256 is recorded.',
    });
  });
});

describe('consent form errors', () => {
  const draft = draftWith({ provision: provisionDraftOf(nested) });
  const fields = fieldsOf(draft);

  it('places a problem under the nearest field of the form', () => {
    expect(fieldOfPath(['provision', 'provisions', '0', 'actors', '1', 'member'], fields)).toBe(
      'provision.provisions.0.actors',
    );
    expect(
      fieldOfPath(['provision', 'provisions', '0', 'provisions', '0', 'classes'], fields),
    ).toBe('provision.provisions.0.provisions.0.classes');
    expect(fieldOfPath(['protocol', 'study'], fields)).toBe('protocol.study');
    expect(fieldOfPath(['nonsense'], fields)).toBeNull();
  });

  it('checks the terms with the contract schema before signing, at the field', () => {
    const terms = termsOf(draft);
    const period = { start: 2 * DAY, end: DAY };
    const inner = terms.provision.provisions?.[0];
    if (!inner) throw new Error('no exception');
    const checked = checkParams(
      recordParams,
      {
        ...PATIENT,
        ...terms,
        provision: { ...terms.provision, provisions: [{ ...inner, period }] },
      },
      fields,
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors.fields).toEqual({
      'provision.provisions.0.period': 'A period must end after it starts.',
    });
    expect(checkParams(recordParams, { ...PATIENT, ...terms }, fields).ok).toBe(true);
  });

  it("places the node's refusals: schema issues by path, a rule's by its message", () => {
    const members = new Map();
    const schema = new RpcError('bad_request', 'invalid params', [
      { path: 'provision.provisions.0.classes', message: 'each record class is named once' },
      { path: 'somewhere.else', message: 'something else is wrong' },
    ]);
    expect(placeErrors(schema, { fields }, members)).toEqual({
      fields: { 'provision.provisions.0.classes': 'Each record class is named once.' },
      form: 'Something else is wrong.',
    });
    const rule = new RpcError('rejected', "a OPTIN (opt-in) consent's base provision must permit");
    const placement = {
      fields,
      fieldOfRefusal: (m: string) => (/base provision/.test(m) ? 'policy' : null),
    };
    expect(placeErrors(rule, placement, members).fields).toEqual({
      policy: "A OPTIN (opt-in) consent's base provision must permit.",
    });
    const other = new RpcError('rejected', 'the consent is inactive and can no longer change');
    expect(placeErrors(other, placement, members).form).toBe(
      'Nothing was signed: the consent is inactive and can no longer change.',
    );
  });
});
