import type { MemberKind } from '../../shared/members/schemas';

/*
 * What the profile's member may do in the supply chain, by its kind, as the supply rules decide
 * it (shared/supply/rules.ts). The console offers only these; the node checks every rule again
 * against the item's state before it signs.
 */

/** Record forms, one per supply event. */
export const RECORD_ACTIONS = [
  'commission',
  'pack',
  'unpack',
  'ship',
  'receive',
  'dispense',
  'return',
  'decommission',
  'destroy',
] as const;
export type RecordAction = (typeof RECORD_ACTIONS)[number];

export const RECORD_ACTION_LABELS: Record<RecordAction, string> = {
  commission: 'Commission a lot',
  pack: 'Pack',
  unpack: 'Unpack',
  ship: 'Ship',
  receive: 'Receive a shipment',
  dispense: 'Dispense',
  return: 'Return',
  decommission: 'Decommission',
  destroy: 'Destroy',
};

export const RECORD_ACTION_HINTS: Record<RecordAction, string> = {
  commission: 'Give serials of a new lot of one of your products their identity on the chain.',
  pack: 'Put units and cases you hold into a case or pallet identified by its SSCC.',
  unpack: 'Empty cases or pallets you hold, so their contents move on their own.',
  ship: 'Send units and containers you hold to another member.',
  receive: 'Take custody of a shipment sent to your organisation.',
  dispense: 'Record units given out to patients.',
  return: 'Send product back to the member it came from (saleable or recalled returns).',
  decommission: 'Take units you hold out of the supply chain, with a reason.',
  destroy: 'Record units you hold as destroyed, recalled and expired stock included.',
};

/** Members that hold and move physical stock. */
const HANDLERS: readonly MemberKind[] = [
  'manufacturer',
  'distributor',
  'pharmacy',
  'hospital',
  'clinic',
  'research',
];
const DISPENSERS: readonly MemberKind[] = ['pharmacy', 'hospital', 'clinic'];

/** Whether a member of this kind ever records this event (the rules and its role allow it). */
export function kindMayRecord(kind: MemberKind | null, action: RecordAction): boolean {
  if (kind === null) return false;
  switch (action) {
    case 'commission':
      return kind === 'manufacturer';
    case 'dispense':
      return DISPENSERS.includes(kind);
    case 'return':
      // A manufacturer is where returns go; it does not return its own product.
      return HANDLERS.includes(kind) && kind !== 'manufacturer';
    case 'receive':
      return true;
    default:
      return HANDLERS.includes(kind);
  }
}

export function mayRegisterProducts(kind: MemberKind | null): boolean {
  return kind === 'manufacturer';
}

/** Recalls and quarantines: the product's owner, or any regulator. */
export function mayHold(kind: MemberKind | null, me: string, productOwner: string): boolean {
  return kind === 'regulator' || me === productOwner;
}

/** Lifting a quarantine: the product's owner, the quarantine's issuer, or a regulator. */
export function mayLift(
  kind: MemberKind | null,
  me: string,
  productOwner: string | null,
  issuer: string,
): boolean {
  return kind === 'regulator' || me === productOwner || me === issuer;
}

/** Who may issue recalls at all: manufacturers (of their own products) and regulators. */
export function mayIssueHolds(kind: MemberKind | null): boolean {
  return kind === 'manufacturer' || kind === 'regulator';
}

/** Whose stock a member may look at: a regulator anyone's, everyone else its own. */
export function mayViewOthersStock(kind: MemberKind | null): boolean {
  return kind === 'regulator';
}
