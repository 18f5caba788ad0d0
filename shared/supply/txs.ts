import { z } from 'zod';
import { TX_ENVELOPE } from '../ledger/envelope';
import { Hash, MemberId } from '../ledger/schemas';
import {
  DecommissionReason,
  ErrorReason,
  EventContext,
  Gtin14,
  IsoDate,
  Items,
  Lot,
  MAX_CONTAINERS_PER_TX,
  MAX_UNITS_PER_TX,
  ProductInfo,
  QuarantineReason,
  RecallClass,
  RecallReason,
  Serial,
  Sscc,
  SupplySettings,
  VerificationContext,
} from './schemas';

/** A manufacturer registers a product it makes under its GTIN. */
export const RegisterProductBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('supply.product.register'),
  gtin: Gtin14,
  product: ProductInfo,
});

/** The product's owner restates its details (the GTIN stays). */
export const AmendProductBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('supply.product.amend'),
  gtin: Gtin14,
  product: ProductInfo,
});

/**
 * EPCIS ObjectEvent ADD, bizStep commissioning, disposition active, with ILMD lot and expiry:
 * the product's owner gives serials of one lot their identity.
 */
export const CommissionBody = z.strictObject({
  ...TX_ENVELOPE,
  ...EventContext,
  type: z.literal('supply.commission'),
  gtin: Gtin14,
  lot: Lot,
  expiry: IsoDate,
  serials: z
    .array(Serial)
    .min(1, 'name at least one serial')
    .max(MAX_UNITS_PER_TX, `at most ${MAX_UNITS_PER_TX} serials`)
    .refine((s) => new Set(s).size === s.length, 'a serial is named twice'),
});

/** One parent and what goes into it. */
export const Pack = z.strictObject({ parent: Sscc, children: Items });

/**
 * EPCIS AggregationEvent ADD, bizStep packing: units and containers go into new containers
 * (cases into pallets). Packs apply in order, so a case packed first can go into a pallet next.
 */
export const PackBody = z.strictObject({
  ...TX_ENVELOPE,
  ...EventContext,
  type: z.literal('supply.pack'),
  packs: z
    .array(Pack)
    .min(1)
    .max(MAX_CONTAINERS_PER_TX)
    .superRefine((packs, ctx) => {
      const total = packs.reduce(
        (n, p) =>
          n +
          p.children.containers.length +
          p.children.units.reduce((m, u) => m + u.serials.length, 0),
        0,
      );
      if (total > MAX_UNITS_PER_TX)
        ctx.addIssue({ code: 'custom', message: `at most ${MAX_UNITS_PER_TX} children in all` });
      const parents = new Set<string>();
      packs.forEach((p, i) => {
        if (parents.has(p.parent))
          ctx.addIssue({
            code: 'custom',
            path: [i, 'parent'],
            message: `container ${p.parent} is packed twice`,
          });
        parents.add(p.parent);
      });
    }),
});

/** EPCIS AggregationEvent DELETE, bizStep unpacking: containers are emptied. */
export const UnpackBody = z.strictObject({
  ...TX_ENVELOPE,
  ...EventContext,
  type: z.literal('supply.unpack'),
  containers: z
    .array(Sscc)
    .min(1)
    .max(MAX_CONTAINERS_PER_TX)
    .refine((s) => new Set(s).size === s.length, 'a container is named twice'),
});

/**
 * EPCIS ObjectEvent OBSERVE, bizStep shipping, disposition in_transit (returned for a return),
 * with source and destination owning and possessing parties: the custodian sends items to a
 * member.
 */
export const ShipBody = z.strictObject({
  ...TX_ENVELOPE,
  ...EventContext,
  type: z.literal('supply.ship'),
  to: MemberId,
  items: Items,
  /** A return of product to where it came from (DSCSA saleable or non-saleable return). */
  isReturn: z.boolean().optional(),
});

/**
 * EPCIS ObjectEvent OBSERVE, bizStep receiving: the addressee takes custody and ownership of
 * what it received of one shipment. Receiving less than was shipped raises an alert.
 */
export const ReceiveBody = z.strictObject({
  ...TX_ENVELOPE,
  ...EventContext,
  type: z.literal('supply.receive'),
  shipment: Hash,
  items: Items,
});

/** EPCIS ObjectEvent OBSERVE, bizStep dispensing, disposition dispensed: to a patient. */
export const DispenseBody = z.strictObject({
  ...TX_ENVELOPE,
  ...EventContext,
  type: z.literal('supply.dispense'),
  items: Items,
});

/** EPCIS ObjectEvent DELETE, bizStep decommissioning, disposition inactive. */
export const DecommissionBody = z.strictObject({
  ...TX_ENVELOPE,
  ...EventContext,
  type: z.literal('supply.decommission'),
  items: Items,
  reason: DecommissionReason,
});

/** EPCIS ObjectEvent DELETE, bizStep destroying, disposition destroyed. */
export const DestroyBody = z.strictObject({
  ...TX_ENVELOPE,
  ...EventContext,
  type: z.literal('supply.destroy'),
  items: Items,
});

const lotTarget = {
  gtin: Gtin14,
  lot: Lot,
  /** Only these serials of the lot; absent for the whole lot. */
  serials: z
    .array(Serial)
    .min(1)
    .max(MAX_UNITS_PER_TX)
    .refine((s) => new Set(s).size === s.length, 'a serial is named twice')
    .optional(),
};

/** A recall by the product's owner or a regulator: recalled units no longer move. */
export const RecallBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('supply.recall'),
  ...lotTarget,
  recallClass: RecallClass,
  reason: RecallReason,
});

/** A quarantine (hold) by the product's owner or a regulator, until it is lifted. */
export const QuarantineBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('supply.quarantine'),
  ...lotTarget,
  reason: QuarantineReason,
});

export const LiftQuarantineBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('supply.quarantine.lift'),
  quarantine: Hash,
});

/**
 * A DSCSA verification of a product identifier. Recorded for a saleable return or a suspect,
 * illegitimate or exception investigation: the product's owner sees who asked, and the ledger's
 * answer is part of the record.
 */
export const VerifyBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('supply.verify'),
  context: VerificationContext,
  gtin: Gtin14,
  serial: Serial,
  lot: Lot,
  expiry: IsoDate,
});

/**
 * An EPCIS error declaration on an earlier event of the same member: the event is marked as in
 * error; a shipment not yet received is cancelled (custody returns to the shipper), and units
 * commissioned by it that have not moved since are decommissioned. Any other correction is a
 * new, corrective event.
 */
export const DeclareErrorBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('supply.error'),
  event: Hash,
  reason: ErrorReason,
});

/** A regulator sets the supply rules' settings. */
export const SupplySettingsBody = z.strictObject({
  ...TX_ENVELOPE,
  type: z.literal('supply.settings'),
  settings: SupplySettings,
});

export const SUPPLY_TXS = [
  RegisterProductBody,
  AmendProductBody,
  CommissionBody,
  PackBody,
  UnpackBody,
  ShipBody,
  ReceiveBody,
  DispenseBody,
  DecommissionBody,
  DestroyBody,
  RecallBody,
  QuarantineBody,
  LiftQuarantineBody,
  VerifyBody,
  DeclareErrorBody,
  SupplySettingsBody,
] as const;

export type SupplyTx = z.infer<(typeof SUPPLY_TXS)[number]>;
export type SupplyTxOf<T extends SupplyTx['type']> = Extract<SupplyTx, { type: T }>;

/** Unit count an item list names directly (containers count as themselves). */
export function namedUnits(items: Items): number {
  return items.units.reduce((n, u) => n + u.serials.length, 0);
}
