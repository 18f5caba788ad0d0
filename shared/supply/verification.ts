import type { StateView } from '../ledger/state';
import { lotRecords, unitRecords } from './records';
import type { UnitRecord, UnitStatus, VerificationFailure, VerificationInfo } from './schemas';
import { dateOf } from './work';

/** A product identifier as a DSCSA verification request carries it. */
export interface ProductIdentifier {
  gtin: string;
  serial: string;
  lot: string;
  expiry: string;
}

/**
 * The answer in the vocabulary of the GS1 Lightweight Messaging Standard for DSCSA verification
 * (verified, a failure reason, additional information), and what the ledger knows beyond it.
 */
export interface VerificationAnswer {
  verified: boolean;
  failure: VerificationFailure | null;
  info: VerificationInfo[];
  ledger: {
    status: UnitStatus;
    custodian: string;
    recall: string | null;
    quarantine: string | null;
    /** The transactions that decide the answer: commissioning, the last event, any hold. */
    decidingTxs: string[];
  } | null;
}

/**
 * Verifies a product identifier against the state at `time` (the block's, or the tip's for a
 * status check). Pure: every replica gives the same answer for the same state.
 *
 * Identifiers that match verify, with Expired, Recalled or Suspect (quarantined) as additional
 * information. A unit the ledger records as dispensed, destroyed or decommissioned cannot be
 * in anyone's hand as saleable product: it does not verify (Not_for_re-distribution), and a
 * destroyed or decommissioned one is flagged Illegitimate.
 */
export function verifyIdentifier(
  view: StateView,
  id: ProductIdentifier,
  time: number,
): VerificationAnswer {
  const unit = view.get(unitRecords, [id.gtin, id.serial]);
  if (!unit) return { verified: false, failure: 'No_match_GTIN_Serial', info: [], ledger: null };
  const lot = view.get(lotRecords, [unit.gtin, unit.lot]);
  const recall = unit.recall ?? lot?.recall ?? null;
  const quarantine = unit.quarantine ?? lot?.quarantine ?? null;
  const info: VerificationInfo[] = [];
  if (unit.expiry < dateOf(time)) info.push('Expired');
  if (recall) info.push('Recalled');
  if (quarantine) info.push('Suspect');
  if (unit.status === 'destroyed' || unit.status === 'decommissioned') info.push('Illegitimate');
  const ledger = {
    status: unit.status,
    custodian: unit.custodian,
    recall,
    quarantine,
    decidingTxs: decidingTxs(unit, recall, quarantine),
  };
  const failure = identifierMismatch(unit, id) ?? notForRedistribution(unit);
  return { verified: failure === null, failure, info, ledger };
}

function identifierMismatch(unit: UnitRecord, id: ProductIdentifier): VerificationFailure | null {
  const lotOk = unit.lot === id.lot;
  const expiryOk = unit.expiry === id.expiry;
  if (!lotOk && !expiryOk) return 'No_match_GTIN_Serial_Lot_Expiry';
  if (!lotOk) return 'No_match_GTIN_Serial_Lot';
  if (!expiryOk) return 'No_match_GTIN_Serial_Expiry';
  return null;
}

function notForRedistribution(unit: UnitRecord): VerificationFailure | null {
  return unit.status === 'dispensed' ||
    unit.status === 'destroyed' ||
    unit.status === 'decommissioned'
    ? 'Not_for_re-distribution'
    : null;
}

function decidingTxs(unit: UnitRecord, recall: string | null, quarantine: string | null): string[] {
  const ids = [unit.commissionedTx, unit.lastTx, recall, quarantine].filter(
    (id): id is string => id !== null,
  );
  return [...new Set(ids)];
}
