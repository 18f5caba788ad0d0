import type {
  AlertKind,
  DosageForm,
  RecallClass,
  UnitStatus,
  VerificationContext,
  VerificationFailure,
  VerificationInfo,
} from '../../shared/supply/schemas';
import type {
  DECOMMISSION_REASONS,
  QUARANTINE_REASONS,
  RECALL_REASONS,
} from '../../shared/supply/schemas';

/*
 * The supply domain's codes in words for the people who use the console: pharmacists,
 * warehouse staff, quality and compliance officers. Codes stay on chain; these are only shown.
 */

export const DOSAGE_FORM_LABELS: Record<DosageForm, string> = {
  tablet: 'Tablet',
  'tablet-film-coated': 'Tablet, film coated',
  'tablet-extended-release': 'Tablet, extended release',
  capsule: 'Capsule',
  solution: 'Solution',
  suspension: 'Suspension',
  'injection-solution': 'Injection, solution',
  'injection-powder': 'Injection, powder for solution',
  syrup: 'Syrup',
  powder: 'Powder',
  cream: 'Cream',
  ointment: 'Ointment',
  gel: 'Gel',
  patch: 'Patch',
  'inhalation-aerosol': 'Inhalation aerosol',
  'nasal-spray': 'Nasal spray',
  'ophthalmic-drops': 'Eye drops',
  suppository: 'Suppository',
  lozenge: 'Lozenge',
  implant: 'Implant',
  kit: 'Kit',
};

export const UNIT_STATUS_LABELS: Record<UnitStatus, string> = {
  active: 'in stock',
  'in-transit': 'in transit',
  dispensed: 'dispensed',
  destroyed: 'destroyed',
  decommissioned: 'decommissioned',
};

export const UNIT_STATUS_TONES: Record<UnitStatus, 'good' | 'info' | 'neutral' | 'bad' | 'warn'> = {
  active: 'good',
  'in-transit': 'info',
  dispensed: 'neutral',
  destroyed: 'bad',
  decommissioned: 'warn',
};

export const CONTAINER_STATUS_LABELS: Record<string, string> = {
  packed: 'packed',
  'in-transit': 'in transit',
  unpacked: 'unpacked',
  destroyed: 'destroyed',
};

export const SHIPMENT_STATUS_LABELS: Record<string, string> = {
  'in-transit': 'in transit',
  received: 'received',
  'received-partly': 'partly received',
  cancelled: 'cancelled',
};

/** CBV 2.0 business steps, as a step of a unit's story. */
export const BIZ_STEP_LABELS: Record<string, string> = {
  commissioning: 'Commissioned',
  packing: 'Packed',
  unpacking: 'Unpacked',
  shipping: 'Shipped',
  receiving: 'Received',
  dispensing: 'Dispensed',
  decommissioning: 'Decommissioned',
  destroying: 'Destroyed',
  holding: 'Hold',
  inspecting: 'Verified',
  other: 'Recorded',
};

export const ALERT_KIND_LABELS: Record<AlertKind, string> = {
  'refused-event': 'Refused event',
  'duplicate-serial': 'Duplicate serial',
  'receipt-mismatch': 'Receipt mismatch',
  'recalled-stock-held': 'Recalled stock held',
  'expired-stock-held': 'Expired stock held',
  'custody-quiet': 'Quiet custody',
  'verification-failed': 'Verification failed',
  'repeated-verification-failures': 'Repeated verification failures',
};

/** What each kind of alert means and why a compliance officer should look at it. */
export const ALERT_KIND_DESCRIPTIONS: Record<AlertKind, string> = {
  'refused-event':
    'A member signed a supply event that breaks a rule (for example shipping stock it does not hold). Nothing changed; the attempt is on record.',
  'duplicate-serial':
    'A commissioning named a serial that already exists. A serial is commissioned once: a second one is a mark of counterfeiting.',
  'receipt-mismatch':
    'A receipt did not match its shipment: fewer units received than were sent, items that were not shipped, or a shipment to someone else.',
  'recalled-stock-held':
    'A recall was issued while the member held stock it covers: that stock must be returned or destroyed.',
  'expired-stock-held':
    'A lot expired while the member held some of it, or the member tried to dispense expired stock.',
  'custody-quiet':
    'Units a distributor received have not moved for longer than the consortium allows.',
  'verification-failed':
    'A recorded verification of a product identifier did not verify: the package may be suspect.',
  'repeated-verification-failures':
    'The same unit failed verification three times: treat it as suspect product.',
};

export const ALERT_KIND_TONES: Record<AlertKind, 'bad' | 'warn' | 'info'> = {
  'refused-event': 'warn',
  'duplicate-serial': 'bad',
  'receipt-mismatch': 'warn',
  'recalled-stock-held': 'bad',
  'expired-stock-held': 'warn',
  'custody-quiet': 'info',
  'verification-failed': 'bad',
  'repeated-verification-failures': 'bad',
};

export const VERIFICATION_CONTEXT_LABELS: Record<VerificationContext, string> = {
  'saleable-return': 'Saleable return',
  'suspect-product': 'Suspect product investigation',
  'illegitimate-product': 'Illegitimate product investigation',
  exception: 'Exception (data does not match the package)',
  'status-check': 'Status check',
};

export const VERIFICATION_CONTEXT_HINTS: Record<VerificationContext, string> = {
  'saleable-return':
    'Before a returned package is resold. Recorded on chain; a verified return by its holder clears it to ship again.',
  'suspect-product':
    'You suspect the package may be counterfeit, diverted or tampered with. Recorded on chain.',
  'illegitimate-product':
    'You have credible evidence the package is illegitimate. Recorded on chain.',
  exception: 'The data you received does not match the package. Recorded on chain.',
  'status-check': 'Only look it up: nothing is recorded on chain.',
};

/** The LMS failure reasons, for a pharmacist: what it means and what to do. */
export const VERIFICATION_FAILURE_TEXT: Record<
  VerificationFailure,
  { title: string; meaning: string }
> = {
  No_match_GTIN_Serial: {
    title: 'Unknown product identifier',
    meaning:
      'No unit with this GTIN and serial number was ever commissioned on the chain. The manufacturer never made this package as labelled: treat it as suspect, do not dispense or resell it.',
  },
  No_match_GTIN_Serial_Lot: {
    title: 'Lot does not match',
    meaning:
      'The serial number exists, but the lot printed on the package is not the lot it was made in. The label may have been altered: treat the package as suspect.',
  },
  No_match_GTIN_Serial_Expiry: {
    title: 'Expiry date does not match',
    meaning:
      'The serial number exists, but the expiry date on the package is not the one it was made with. The label may have been altered: treat the package as suspect.',
  },
  No_match_GTIN_Serial_Lot_Expiry: {
    title: 'Lot and expiry date do not match',
    meaning:
      'The serial number exists, but neither the lot nor the expiry date on the package match what it was made with. Treat the package as suspect.',
  },
  'Not_for_re-distribution': {
    title: 'Not for re-distribution',
    meaning:
      'The ledger records this package as already dispensed, destroyed or decommissioned. It cannot be saleable product: do not dispense or resell it.',
  },
};

export const VERIFICATION_INFO_TEXT: Record<VerificationInfo, string> = {
  Expired: 'Expired: the package is past its expiry date.',
  Recalled: 'Recalled: the package is under a recall and must not be sold or dispensed.',
  Suspect: 'Suspect: the package is quarantined (on hold) while it is investigated.',
  Illegitimate: 'Illegitimate: the ledger records the package as destroyed or decommissioned.',
};

export const RECALL_CLASS_LABELS: Record<RecallClass, string> = {
  I: 'Class I: use may cause serious harm or death',
  II: 'Class II: may cause temporary or reversible harm',
  III: 'Class III: unlikely to cause harm',
};

export const RECALL_REASON_LABELS: Record<(typeof RECALL_REASONS)[number], string> = {
  contamination: 'Contamination',
  mislabeling: 'Mislabelling',
  potency: 'Potency out of specification',
  sterility: 'Sterility not assured',
  'packaging-defect': 'Packaging defect',
  'foreign-matter': 'Foreign matter',
  counterfeit: 'Counterfeit product',
  stability: 'Stability failure',
  'other-quality': 'Other quality problem',
};

export const QUARANTINE_REASON_LABELS: Record<(typeof QUARANTINE_REASONS)[number], string> = {
  'suspect-product': 'Suspect product',
  investigation: 'Under investigation',
  'temperature-excursion': 'Temperature excursion',
  damaged: 'Damaged',
  'regulatory-hold': 'Regulatory hold',
};

export const DECOMMISSION_REASON_LABELS: Record<(typeof DECOMMISSION_REASONS)[number], string> = {
  damaged: 'Damaged',
  sample: 'Taken as a sample',
  'label-error': 'Label error',
  lost: 'Lost',
  stolen: 'Stolen',
  'destroyed-elsewhere': 'Destroyed outside this chain',
};

/** A recall's or quarantine's reason code in words (either list), else the code itself. */
export function holdReasonLabel(reason: string): string {
  return (
    (RECALL_REASON_LABELS as Record<string, string>)[reason] ??
    (QUARANTINE_REASON_LABELS as Record<string, string>)[reason] ??
    reason
  );
}

/** "12 units", "1 unit". */
export function units(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'unit' : 'units'}`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
