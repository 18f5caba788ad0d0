import { z } from 'zod';
import type { ActionName } from '../actions';
import { Hash, Height, MemberId, Millis } from '../ledger/schemas';
import {
  AlertKind,
  AlertRecord,
  ContainerRecord,
  Gtin14,
  HoldingRecord,
  IsoDate,
  Lot,
  LotRecord,
  ProductRecord,
  RecallRecord,
  Serial,
  ShipmentRecord,
  Sscc,
  UnitRecord,
  UnitStatus,
  VERIFICATION_FAILURES,
  VERIFICATION_INFO,
  VerificationContext,
} from '../supply/schemas';
import {
  AmendProductBody,
  CommissionBody,
  DecommissionBody,
  DeclareErrorBody,
  DestroyBody,
  DispenseBody,
  LiftQuarantineBody,
  PackBody,
  QuarantineBody,
  RecallBody,
  ReceiveBody,
  RegisterProductBody,
  ShipBody,
  SupplySettingsBody,
  UnpackBody,
} from '../supply/txs';
import { Evidence, Submitted } from './common';

export { Evidence };

/** A transaction body as the console sends it: the node adds the envelope and signs. */
const envelope = {
  v: true,
  chainId: true,
  member: true,
  signer: true,
  nonce: true,
  type: true,
} as const;

/** A signing method: its params are the body without envelope; it answers the tx id. */
function action<S extends z.ZodObject, A extends ActionName>(body: S, signs: A) {
  return { params: body.omit(envelope), result: Submitted, signs } as const;
}

const Limit = (max: number) => z.int().min(1).max(max);

/** The longest EPCIS document an import takes (10,000 events are a few MiB). */
export const MAX_EPCIS_CHARS = 24 * 1024 * 1024;

/** One step of a unit's, container's or shipment's story: the event and where it is on chain. */
export const SupplyStep = z.strictObject({
  txId: Hash,
  height: Height,
  index: z.int().min(0),
  time: Millis,
  /** When the member says it happened (EPCIS eventTime), if it said so. */
  eventTime: Millis.nullable(),
  type: z.string(),
  /** The CBV 2.0 business step, e.g. shipping. */
  bizStep: z.string(),
  member: MemberId,
  memberName: z.string(),
  summary: z.string(),
  bizLocation: z.string().nullable(),
  /** An EPCIS error declaration made later on this event. */
  declaredInError: z.boolean(),
});
export type SupplyStep = z.infer<typeof SupplyStep>;

export const ProductView = ProductRecord.extend({ ownerName: z.string() });
export type ProductView = z.infer<typeof ProductView>;

export const HolderView = z.strictObject({
  member: MemberId,
  memberName: z.string(),
  quantity: z.int().min(0),
});
export type HolderView = z.infer<typeof HolderView>;

export const UnitView = UnitRecord.extend({
  productName: z.string().nullable(),
  /** The containers it is in, innermost first. */
  containers: z.array(Sscc),
  recalled: z.boolean(),
  quarantined: z.boolean(),
  expired: z.boolean(),
});
export type UnitView = z.infer<typeof UnitView>;

export const LotView = z.strictObject({
  lot: LotRecord,
  product: ProductView.nullable(),
  /** Units by status. */
  counts: z.record(UnitStatus, z.int().min(0)),
  holders: z.array(HolderView),
  /** Units on their way, by receiver. */
  inTransit: z.array(HolderView),
  recalls: z.array(RecallRecord),
  expired: z.boolean(),
});
export type LotView = z.infer<typeof LotView>;

export const LotUnit = z.strictObject({
  serial: Serial,
  status: UnitStatus,
  custodian: MemberId,
  custodianName: z.string(),
  parent: Sscc.nullable(),
});

export const ShipmentView = ShipmentRecord.extend({
  fromName: z.string(),
  toName: z.string(),
  steps: z.array(SupplyStep),
});
export type ShipmentView = z.infer<typeof ShipmentView>;

export const RecallView = RecallRecord.extend({
  issuerName: z.string(),
  product: ProductView.nullable(),
  /** Active stock the recall covers, by holder. */
  holders: z.array(HolderView),
  inTransit: z.array(HolderView),
  /** Units the recall covers that are destroyed, decommissioned, or back with the product's owner. */
  recovered: z.int().min(0),
  /** Units it covers in all (commissioned in the lot, or serials named). */
  covered: z.int().min(0),
  dispensed: z.int().min(0),
});
export type RecallView = z.infer<typeof RecallView>;

export const AlertView = AlertRecord.extend({ memberName: z.string() });
export type AlertView = z.infer<typeof AlertView>;

export const VerificationView = z.strictObject({
  verified: z.boolean(),
  failure: z.enum(VERIFICATION_FAILURES).nullable(),
  info: z.array(z.enum(VERIFICATION_INFO)),
  ledger: z
    .strictObject({
      status: UnitStatus,
      custodian: MemberId,
      custodianName: z.string(),
      recall: Hash.nullable(),
      quarantine: Hash.nullable(),
    })
    .nullable(),
  evidence: z.array(Evidence),
  /** The block height the answer is as of. */
  asOfHeight: Height,
  /** The recorded verification's transaction, for a context that is recorded on chain. */
  txId: Hash.nullable(),
});
export type VerificationView = z.infer<typeof VerificationView>;

/** Contexts whose verifications go on the record as the requester's transaction. */
export const RECORDED_CONTEXTS: readonly VerificationContext[] = [
  'saleable-return',
  'suspect-product',
  'illegitimate-product',
  'exception',
];

export const supplyMethods = {
  'supply.products.list': {
    params: z.strictObject({
      /** Part of a name, or the start of a GTIN. */
      query: z.string().max(120).optional(),
      owner: MemberId.optional(),
      limit: Limit(500),
    }),
    result: z.array(ProductView),
  },
  'supply.products.get': {
    params: z.strictObject({ gtin: Gtin14 }),
    result: z.strictObject({ product: ProductView, lots: z.array(LotRecord) }),
  },
  'supply.units.get': {
    params: z.strictObject({ gtin: Gtin14, serial: Serial }),
    result: z.strictObject({ unit: UnitView, steps: z.array(SupplyStep) }),
  },
  'supply.containers.get': {
    params: z.strictObject({ sscc: Sscc }),
    result: z.strictObject({
      container: ContainerRecord,
      units: z.array(z.strictObject({ gtin: Gtin14, serial: Serial })),
      containers: z.array(Sscc),
      steps: z.array(SupplyStep),
    }),
  },
  'supply.lots.get': {
    params: z.strictObject({ gtin: Gtin14, lot: Lot }),
    result: LotView,
  },
  /** A lot's units and where each is now, by serial, a page at a time. */
  'supply.lots.units': {
    params: z.strictObject({
      gtin: Gtin14,
      lot: Lot,
      after: Serial.optional(),
      limit: Limit(500),
    }),
    result: z.array(LotUnit),
  },
  'supply.shipments.get': { params: z.strictObject({ id: Hash }), result: ShipmentView },
  'supply.shipments.list': {
    params: z.strictObject({
      member: MemberId.optional(),
      direction: z.enum(['incoming', 'outgoing']),
      status: z.enum(['in-transit', 'all']),
      limit: Limit(200),
    }),
    result: z.array(ShipmentView.omit({ steps: true })),
  },
  /** A member's active stock by product and lot (the profile's member when none is named). */
  'supply.stock': {
    params: z.strictObject({ member: MemberId.optional() }),
    result: z.array(HoldingRecord.extend({ productName: z.string().nullable(), expiry: IsoDate })),
  },
  'supply.recalls.list': {
    params: z.strictObject({ kind: z.enum(['recall', 'quarantine', 'all']), limit: Limit(200) }),
    result: z.array(RecallView.omit({ holders: true, inTransit: true })),
  },
  'supply.recalls.get': { params: z.strictObject({ id: Hash }), result: RecallView },
  'supply.alerts.list': {
    params: z.strictObject({
      kind: AlertKind.optional(),
      member: MemberId.optional(),
      /** Only alerts raised at or after this time. */
      since: Millis.optional(),
      /** Paging: alerts before this one (by time, then id), newest first. */
      before: z.strictObject({ time: Millis, id: z.string().max(200) }).optional(),
      limit: Limit(200),
    }),
    result: z.array(AlertView),
  },
  /** Alerts a transaction raised (a refused attempt raises one and changes nothing else). */
  'supply.alerts.ofTx': { params: z.strictObject({ txId: Hash }), result: z.array(AlertView) },
  /**
   * Verifies a product identifier against the replica. For a saleable return or an
   * investigation the verification is also recorded on chain as the profile member's
   * transaction (its answer is the same: the state it is checked against is the tip's plus what
   * is pending).
   */
  'supply.verify': {
    params: z.strictObject({
      gtin: Gtin14,
      serial: Serial,
      lot: Lot,
      expiry: IsoDate,
      context: VerificationContext,
    }),
    result: VerificationView,
    signs: 'supply.verify',
  },
  /**
   * Records an EPCIS 2.0 JSON-LD document's events as the profile member's supply transactions,
   * all or nothing: a document with a bad event is refused with each bad event's index, field
   * and reason (issues paths `eventList.<index>.<field>`), and nothing is signed. `dryRun`
   * checks without signing.
   */
  'supply.epcis.import': {
    params: z.strictObject({
      document: z
        .string()
        .min(1, 'choose an EPCIS document')
        .max(MAX_EPCIS_CHARS, `an EPCIS document is at most ${MAX_EPCIS_CHARS / 1024 / 1024} MiB`),
      dryRun: z.boolean().optional(),
    }),
    result: z.strictObject({
      events: z.int().min(0),
      transactions: z.int().min(0),
      txIds: z.array(Hash),
      /** What was read but not recorded (read points, sensor data, …). */
      notes: z.array(z.strictObject({ index: z.int(), field: z.string(), reason: z.string() })),
    }),
    signs: 'supply.epcis.import',
  },
  /** An EPCIS 2.0 document of the events of one unit, lot, shipment or member. */
  'supply.epcis.export': {
    params: z.strictObject({
      scope: z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('unit'), gtin: Gtin14, serial: Serial }),
        z.strictObject({ kind: z.literal('lot'), gtin: Gtin14, lot: Lot }),
        z.strictObject({ kind: z.literal('shipment'), id: Hash }),
        z.strictObject({ kind: z.literal('member'), member: MemberId }),
      ]),
    }),
    result: z.strictObject({
      document: z.string(),
      events: z.int().min(0),
      /** The scope held more transactions than one export carries (the newest are left out). */
      truncated: z.boolean(),
    }),
  },
  'supply.products.register': action(RegisterProductBody, 'supply.product.register'),
  'supply.products.amend': action(AmendProductBody, 'supply.product.amend'),
  'supply.commission': action(CommissionBody, 'supply.commission'),
  'supply.pack': action(PackBody, 'supply.pack'),
  'supply.unpack': action(UnpackBody, 'supply.unpack'),
  'supply.ship': action(ShipBody.omit({ isReturn: true }), 'supply.ship'),
  'supply.return': action(ShipBody.omit({ isReturn: true }), 'supply.return'),
  'supply.receive': action(ReceiveBody, 'supply.receive'),
  'supply.dispense': action(DispenseBody, 'supply.dispense'),
  'supply.decommission': action(DecommissionBody, 'supply.decommission'),
  'supply.destroy': action(DestroyBody, 'supply.destroy'),
  'supply.recall': action(RecallBody, 'supply.recall'),
  'supply.quarantine': action(QuarantineBody, 'supply.quarantine'),
  'supply.quarantine.lift': action(LiftQuarantineBody, 'supply.quarantine.lift'),
  'supply.declareError': action(DeclareErrorBody, 'supply.error'),
  'supply.settings': action(SupplySettingsBody, 'supply.settings'),
} as const;
