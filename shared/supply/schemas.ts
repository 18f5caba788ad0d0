import { z } from 'zod';
import { Hash, Height, MemberId, Millis } from '../ledger/schemas';
import { TypedText } from '../members/schemas';
import { ExpiryDate, Gln, Gtin14, Lot, Ndc, Serial, Sscc } from './gs1';

export { Gln, Gtin14, Lot, Ndc, Serial, Sscc };

/** Most units one transaction may name: 5,000 serials fit a 256 KiB transaction body. */
export const MAX_UNITS_PER_TX = 5_000;
/** Most containers one transaction may name. */
export const MAX_CONTAINERS_PER_TX = 1_000;
/** How deep containers nest: a unit in a case in a pallet in a shipping container. */
export const MAX_NESTING = 4;

/** A calendar date `YYYY-MM-DD` (UTC), e.g. an expiry: on chain as text, compared as text. */
export const IsoDate = ExpiryDate;

/**
 * Dosage forms, from the FDA's Structured Product Labeling dosage-form list (the common ones
 * for packaged medicines); a code, never free text.
 */
export const DOSAGE_FORMS = [
  'tablet',
  'tablet-film-coated',
  'tablet-extended-release',
  'capsule',
  'solution',
  'suspension',
  'injection-solution',
  'injection-powder',
  'syrup',
  'powder',
  'cream',
  'ointment',
  'gel',
  'patch',
  'inhalation-aerosol',
  'nasal-spray',
  'ophthalmic-drops',
  'suppository',
  'lozenge',
  'implant',
  'kit',
] as const;
export const DosageForm = z.enum(DOSAGE_FORMS);
export type DosageForm = z.infer<typeof DosageForm>;

/** What a manufacturer states about a product it registers. */
export const ProductInfo = z.strictObject({
  name: TypedText(120, 'the product name', 'name'),
  /** e.g. "500 mg", "10 mg/mL". */
  strength: TypedText(40, 'the strength', 'reason'),
  dosageForm: DosageForm,
  /** Units of use in one saleable pack (tablets in a bottle, vials in a box). */
  packSize: z.int().min(1, 'a pack holds at least 1').max(100_000, 'a pack holds at most 100,000'),
  ndc: Ndc.optional(),
});
export type ProductInfo = z.infer<typeof ProductInfo>;

/** Serials of one product; unique within the list. */
export const SerialsOfProduct = z.strictObject({
  gtin: Gtin14,
  serials: z
    .array(Serial)
    .min(1, 'name at least one serial')
    .max(MAX_UNITS_PER_TX, `at most ${MAX_UNITS_PER_TX} serials`),
});
export type SerialsOfProduct = z.infer<typeof SerialsOfProduct>;

/**
 * Items an event acts on: serialised units, grouped by product, and containers (by SSCC); an
 * event on a container acts on everything inside it. No item may appear twice.
 */
export const Items = z
  .strictObject({
    units: z.array(SerialsOfProduct).max(100).default([]),
    containers: z
      .array(Sscc)
      .max(MAX_CONTAINERS_PER_TX, `at most ${MAX_CONTAINERS_PER_TX} containers`)
      .default([]),
  })
  .superRefine((items, ctx) => itemProblems(items, ctx));
export type Items = z.infer<typeof Items>;

function itemProblems(items: Items, ctx: z.RefinementCtx): void {
  let count = 0;
  const seen = new Set<string>();
  items.units.forEach((group, g) => {
    group.serials.forEach((serial, i) => {
      const key = `${group.gtin} ${serial}`;
      if (seen.has(key))
        ctx.addIssue({
          code: 'custom',
          path: ['units', g, 'serials', i],
          message: `unit ${group.gtin} serial ${serial} is named twice`,
        });
      seen.add(key);
    });
    count += group.serials.length;
  });
  if (count > MAX_UNITS_PER_TX)
    ctx.addIssue({ code: 'custom', path: ['units'], message: `at most ${MAX_UNITS_PER_TX} units` });
  items.containers.forEach((sscc, i) => {
    if (seen.has(sscc))
      ctx.addIssue({
        code: 'custom',
        path: ['containers', i],
        message: `container ${sscc} is named twice`,
      });
    seen.add(sscc);
  });
  if (count === 0 && items.containers.length === 0)
    ctx.addIssue({ code: 'custom', path: [], message: 'name at least one unit or container' });
}

/**
 * What the member says about an event beyond what it does: when it happened (never after the
 * block that records it) and where (a GLN).
 */
export const EventContext = {
  eventTime: Millis.optional(),
  bizLocation: Gln.optional(),
};

/** Recall classes of the FDA: I (serious harm likely) to III (unlikely to cause harm). */
export const RecallClass = z.enum(['I', 'II', 'III']);
export type RecallClass = z.infer<typeof RecallClass>;

export const RECALL_REASONS = [
  'contamination',
  'mislabeling',
  'potency',
  'sterility',
  'packaging-defect',
  'foreign-matter',
  'counterfeit',
  'stability',
  'other-quality',
] as const;
export const RecallReason = z.enum(RECALL_REASONS);

export const QUARANTINE_REASONS = [
  'suspect-product',
  'investigation',
  'temperature-excursion',
  'damaged',
  'regulatory-hold',
] as const;
export const QuarantineReason = z.enum(QUARANTINE_REASONS);

export const DECOMMISSION_REASONS = [
  'damaged',
  'sample',
  'label-error',
  'lost',
  'stolen',
  'destroyed-elsewhere',
] as const;
export const DecommissionReason = z.enum(DECOMMISSION_REASONS);

/**
 * Why a verification is asked for, as DSCSA names the occasions: a saleable return, a suspect or
 * illegitimate product investigation, an exception, or a status check.
 */
export const VERIFICATION_CONTEXTS = [
  'saleable-return',
  'suspect-product',
  'illegitimate-product',
  'exception',
  'status-check',
] as const;
export const VerificationContext = z.enum(VERIFICATION_CONTEXTS);
export type VerificationContext = z.infer<typeof VerificationContext>;

/** The failure reasons of the GS1 Lightweight Messaging Standard for DSCSA verification. */
export const VERIFICATION_FAILURES = [
  'No_match_GTIN_Serial',
  'No_match_GTIN_Serial_Lot',
  'No_match_GTIN_Serial_Expiry',
  'No_match_GTIN_Serial_Lot_Expiry',
  'Not_for_re-distribution',
] as const;
export type VerificationFailure = (typeof VERIFICATION_FAILURES)[number];

/** Its additional information codes that our ledger can know. */
export const VERIFICATION_INFO = ['Expired', 'Recalled', 'Suspect', 'Illegitimate'] as const;
export type VerificationInfo = (typeof VERIFICATION_INFO)[number];

export const ERROR_REASONS = ['did_not_occur', 'incorrect_data'] as const;
export const ErrorReason = z.enum(ERROR_REASONS);

// ---- state records ----

export const ProductRecord = ProductInfo.extend({
  gtin: Gtin14,
  owner: MemberId,
  registeredHeight: Height,
  updatedHeight: Height,
});
export type ProductRecord = z.infer<typeof ProductRecord>;

export const UNIT_STATUSES = [
  'active',
  'in-transit',
  'dispensed',
  'destroyed',
  'decommissioned',
] as const;
export const UnitStatus = z.enum(UNIT_STATUSES);
export type UnitStatus = z.infer<typeof UnitStatus>;

export const UnitRecord = z.strictObject({
  gtin: Gtin14,
  serial: Serial,
  lot: Lot,
  expiry: IsoDate,
  status: UnitStatus,
  /** The member that holds it; while in transit, still the shipper. */
  custodian: MemberId,
  owner: MemberId,
  /** The container it is packed in, if any. */
  parent: Sscc.nullable(),
  /** The shipment it travels in, while in transit. */
  shipment: Hash.nullable(),
  /** A receipt by a distributor that began its current custody: custody-quiet alerts count it. */
  custody: Hash.nullable(),
  /** Received as a saleable return: must be verified before it is shipped again. */
  returned: z.boolean(),
  /** A recall or quarantine that names this serial (a lot-wide one is on the lot). */
  recall: Hash.nullable(),
  quarantine: Hash.nullable(),
  commissionedTx: Hash,
  lastTx: Hash,
  lastHeight: Height,
});
export type UnitRecord = z.infer<typeof UnitRecord>;

export const CONTAINER_STATUSES = ['packed', 'in-transit', 'unpacked', 'destroyed'] as const;
export const ContainerRecord = z.strictObject({
  sscc: Sscc,
  status: z.enum(CONTAINER_STATUSES),
  custodian: MemberId,
  parent: Sscc.nullable(),
  shipment: Hash.nullable(),
  /** Units and containers directly inside. */
  units: z.int().min(0),
  containers: z.int().min(0),
  packedTx: Hash,
  lastTx: Hash,
  lastHeight: Height,
});
export type ContainerRecord = z.infer<typeof ContainerRecord>;

export const LotRecord = z.strictObject({
  gtin: Gtin14,
  lot: Lot,
  expiry: IsoDate,
  owner: MemberId,
  commissioned: z.int().min(0),
  /** The recall or quarantine in force for the whole lot. */
  recall: Hash.nullable(),
  quarantine: Hash.nullable(),
  /** Whether the expiry alert was raised (once, at the first block after the expiry date). */
  expiryChecked: z.boolean(),
});
export type LotRecord = z.infer<typeof LotRecord>;

export const SHIPMENT_STATUSES = [
  'in-transit',
  'received',
  'received-partly',
  'cancelled',
] as const;
export const ShipmentRecord = z.strictObject({
  id: Hash,
  from: MemberId,
  to: MemberId,
  status: z.enum(SHIPMENT_STATUSES),
  /** A return of product to the member it came from. */
  isReturn: z.boolean(),
  /** What was shipped: top-level items as named, and the units they hold in all. */
  items: z.strictObject({ units: z.array(SerialsOfProduct), containers: z.array(Sscc) }),
  unitCount: z.int().min(0),
  receivedCount: z.int().min(0),
  shippedHeight: Height,
  shippedTime: Millis,
  receivedTx: Hash.nullable(),
});
export type ShipmentRecord = z.infer<typeof ShipmentRecord>;

/** Active units a member holds of one lot: the stock and recall queries read these. */
export const HoldingRecord = z.strictObject({
  member: MemberId,
  gtin: Gtin14,
  lot: Lot,
  quantity: z.int().min(0),
});
export type HoldingRecord = z.infer<typeof HoldingRecord>;

export const RecallRecord = z.strictObject({
  id: Hash,
  kind: z.enum(['recall', 'quarantine']),
  gtin: Gtin14,
  lot: Lot,
  /** Only these serials; absent for the whole lot. */
  serials: z.array(Serial).optional(),
  recallClass: RecallClass.optional(),
  reason: z.string(),
  issuer: MemberId,
  status: z.enum(['active', 'lifted']),
  height: Height,
  time: Millis,
  liftedTx: Hash.nullable(),
});
export type RecallRecord = z.infer<typeof RecallRecord>;

/** Custody of a distributor from one receipt, until every unit of it has moved on. */
export const CustodyRecord = z.strictObject({
  member: MemberId,
  receipt: Hash,
  receivedTime: Millis,
  remaining: z.int().min(0),
  alerted: z.boolean(),
});
export type CustodyRecord = z.infer<typeof CustodyRecord>;

export const ALERT_KINDS = [
  'refused-event',
  'duplicate-serial',
  'receipt-mismatch',
  'recalled-stock-held',
  'expired-stock-held',
  'custody-quiet',
  'verification-failed',
  'repeated-verification-failures',
] as const;
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

export const AlertRecord = z.strictObject({
  id: z.string(),
  kind: AlertKind,
  /** The member whose act or stock the alert is about. */
  member: MemberId,
  /** The transaction that raised it; null when the block's time did (expiry, quiet custody). */
  txId: Hash.nullable(),
  height: Height,
  time: Millis,
  gtin: Gtin14.nullable(),
  lot: Lot.nullable(),
  serial: Serial.nullable(),
  quantity: z.int().min(0).nullable(),
  detail: z.string(),
});
export type AlertRecord = z.infer<typeof AlertRecord>;

export const VerificationRecord = z.strictObject({
  id: Hash,
  requester: MemberId,
  context: VerificationContext,
  gtin: Gtin14,
  serial: Serial,
  lot: Lot,
  expiry: IsoDate,
  verified: z.boolean(),
  failure: z.enum(VERIFICATION_FAILURES).nullable(),
  info: z.array(z.enum(VERIFICATION_INFO)),
  height: Height,
  time: Millis,
});
export type VerificationRecord = z.infer<typeof VerificationRecord>;

/** Every supply event a member signed that took effect, so a later error declaration can name it. */
export const EventRecord = z.strictObject({
  id: Hash,
  type: z.string(),
  member: MemberId,
  height: Height,
  time: Millis,
  error: z.strictObject({ reason: ErrorReason, declaredTx: Hash }).nullable(),
});
export type EventRecord = z.infer<typeof EventRecord>;

/** Settings of the supply rules that the consortium's regulators set. */
export const SupplySettings = z.strictObject({
  /** Days a distributor may hold received units with none moving before it is alerted. */
  custodyQuietDays: z.int().min(1).max(3650),
});
export type SupplySettings = z.infer<typeof SupplySettings>;
export const DEFAULT_SUPPLY_SETTINGS: SupplySettings = { custodyQuietDays: 30 };
