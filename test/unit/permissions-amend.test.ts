/**
 * Rules of a consent's terms and versions beyond the common ones (permissions-rules.test.ts).
 * A consent whose period and base provision's period never overlap could never be in force (and
 * has no exact FHIR form): it is refused, at record and at amend. Periods that touch at one end
 * do not overlap (a period ends before its end). An amendment never takes a consent back to an
 * earlier stage (active to draft, proposed or rejected; proposed to draft).
 */
import { describe, it } from 'vitest';
import {
  DAY_MS,
  GENESIS_TIME,
  HOSPITAL,
  PATIENT,
  amendConsent,
  expectRefused,
  permissionsChain,
  recordConsent,
  replicasAgreeAfterEach,
  terms,
} from './helpers/permissions';

const NEVER =
  "the base provision's period and the consent's period do not overlap: the consent could never be in force";
const from = (days: number) => GENESIS_TIME + days * DAY_MS;

describe('consent and base provision periods', () => {
  replicasAgreeAfterEach();

  it('refuses a base provision that ends when the consent starts', () => {
    const chain = permissionsChain();
    const t = terms({
      period: { start: from(10), end: from(20) },
      provision: { type: 'permit', period: { start: from(1), end: from(10) } },
    });
    expectRefused(chain, recordConsent(chain, HOSPITAL, PATIENT, t), NEVER);
  });

  it('refuses a base provision that starts when the consent ends, on amend too', () => {
    const chain = permissionsChain();
    const recorded = recordConsent(chain, HOSPITAL, PATIENT, terms({ period: { end: from(30) } }));
    chain.commitOk([recorded]);
    const t = terms({
      period: { end: from(30) },
      provision: { type: 'permit', period: { start: from(30) } },
    });
    expectRefused(chain, amendConsent(chain, HOSPITAL, recorded.id, t), NEVER);
  });

  it('accepts periods that overlap by a millisecond, or an open-ended one', () => {
    const chain = permissionsChain();
    chain.commitOk([
      recordConsent(
        chain,
        HOSPITAL,
        PATIENT,
        terms({
          period: { start: from(10), end: from(20) },
          provision: { type: 'permit', period: { start: from(1), end: from(10) + 1 } },
        }),
      ),
      recordConsent(
        chain,
        HOSPITAL,
        PATIENT,
        terms({
          period: { start: from(10) },
          provision: { type: 'permit', period: { end: from(40) } },
        }),
      ),
    ]);
  });
});

describe('where an amendment may take a consent', () => {
  replicasAgreeAfterEach();

  it.each([
    ['active', 'draft'],
    ['active', 'proposed'],
    ['active', 'rejected'],
    ['proposed', 'draft'],
  ] as const)('refuses %s back to %s', (from, to) => {
    const chain = permissionsChain();
    const recorded = recordConsent(chain, HOSPITAL, PATIENT, terms({ status: from }));
    chain.commitOk([recorded]);
    expectRefused(
      chain,
      amendConsent(chain, HOSPITAL, recorded.id, terms({ status: to })),
      `a consent that is ${from} cannot become ${to}`,
    );
  });

  it.each([
    ['draft', 'proposed'],
    ['draft', 'active'],
    ['proposed', 'active'],
    ['proposed', 'rejected'],
    ['proposed', 'inactive'],
    ['active', 'active'],
    ['active', 'inactive'],
    ['active', 'entered-in-error'],
  ] as const)('takes %s to %s', (from, to) => {
    const chain = permissionsChain();
    const recorded = recordConsent(chain, HOSPITAL, PATIENT, terms({ status: from }));
    chain.commitOk([recorded]);
    chain.commitOk([amendConsent(chain, HOSPITAL, recorded.id, terms({ status: to }))]);
  });
});
