import type { TxType } from './registry';

/**
 * Every action that signs a transaction, by name: the one table console roles map to (a role
 * is a set of these names), and what the node service checks before it signs. An action signs
 * one transaction type (an import, several); a transaction type may be signed by several
 * actions.
 */
export const ACTIONS = {
  'member.join': {
    tx: 'member.join',
    title: 'Apply to join the consortium',
    description: "Sign an organisation's join request with one of the admin keys it registers.",
  },
  'governance.propose': {
    tx: 'governance.propose',
    title: 'Propose a governance action',
    description:
      'Propose to suspend, reinstate or revoke a member, change the validators, rotate a key or change the policy.',
  },
  'governance.vote': {
    tx: 'governance.vote',
    title: 'Vote on a proposal',
    description: "Cast or change this member's vote on an open proposal or join request.",
  },
  'supply.product.register': {
    tx: 'supply.product.register',
    title: 'Register a product',
    description: 'Register a GTIN this manufacturer makes, with its name, strength, form and pack.',
  },
  'supply.product.amend': {
    tx: 'supply.product.amend',
    title: 'Amend a product',
    description: "Restate the details of one of this manufacturer's products.",
  },
  'supply.commission': {
    tx: 'supply.commission',
    title: 'Commission serials',
    description: 'Give serials of one lot, with its expiry, their identity on the ledger.',
  },
  'supply.pack': {
    tx: 'supply.pack',
    title: 'Pack into cases and pallets',
    description: 'Aggregate units and containers into containers identified by SSCC.',
  },
  'supply.unpack': {
    tx: 'supply.unpack',
    title: 'Unpack containers',
    description: 'Empty containers so their contents move on their own.',
  },
  'supply.ship': {
    tx: 'supply.ship',
    title: 'Ship',
    description: 'Send units and containers this member holds to another member.',
  },
  'supply.return': {
    tx: 'supply.ship',
    title: 'Return product',
    description: 'Send product back to the member it came from, as a DSCSA return.',
  },
  'supply.receive': {
    tx: 'supply.receive',
    title: 'Receive a shipment',
    description: 'Take custody and ownership of what arrived of a shipment to this member.',
  },
  'supply.dispense': {
    tx: 'supply.dispense',
    title: 'Dispense',
    description: 'Record units dispensed to patients.',
  },
  'supply.decommission': {
    tx: 'supply.decommission',
    title: 'Decommission',
    description: 'Take units out of the supply chain (damaged, samples, lost or stolen).',
  },
  'supply.destroy': {
    tx: 'supply.destroy',
    title: 'Destroy',
    description: 'Record that units or containers were destroyed.',
  },
  'supply.recall': {
    tx: 'supply.recall',
    title: 'Recall a lot',
    description:
      "Recall a lot, or serials of it, of this manufacturer's product (or any, as a regulator).",
  },
  'supply.quarantine': {
    tx: 'supply.quarantine',
    title: 'Quarantine a lot',
    description: 'Hold a lot, or serials of it, so that none of it moves until the hold is lifted.',
  },
  'supply.quarantine.lift': {
    tx: 'supply.quarantine.lift',
    title: 'Lift a quarantine',
    description: 'End a quarantine this member placed, or one on its product.',
  },
  'supply.verify': {
    tx: 'supply.verify',
    title: 'Record a verification',
    description:
      'Verify a product identifier for a saleable return or an investigation, on the record.',
  },
  'supply.error': {
    tx: 'supply.error',
    title: 'Declare an event in error',
    description: 'Mark an earlier event of this member as in error (EPCIS error declaration).',
  },
  'supply.epcis.import': {
    tx: [
      'supply.commission',
      'supply.pack',
      'supply.unpack',
      'supply.ship',
      'supply.receive',
      'supply.dispense',
      'supply.decommission',
      'supply.destroy',
    ],
    title: 'Import EPCIS events',
    description:
      "Record an EPCIS 2.0 document's events as this member's supply transactions, all or nothing.",
  },
  'supply.settings': {
    tx: 'supply.settings',
    title: 'Set supply alert settings',
    description:
      'As a regulator, set after how many days quiet distributor custody raises an alert.',
  },
  'research.anchor': {
    tx: 'research.anchor',
    title: 'Anchor a trial document',
    description:
      "Record the SHA-256 of a study's protocol, amendment, analysis plan, outcome definitions or results, as its sponsor.",
  },
  'consent.record': {
    tx: 'consent.record',
    title: "Record a patient's consent",
    description:
      'Record, for this custodian or one it made this member a delegate of, a consent in codes under a patient pseudonym.',
  },
  'consent.amend': {
    tx: 'consent.amend',
    title: 'Amend a consent',
    description: "Record a new version of a patient's consent with restated terms.",
  },
  'consent.revoke': {
    tx: 'consent.revoke',
    title: 'Revoke a consent',
    description: 'Record that the patient withdrew a consent: a new, inactive version.',
  },
  'consent.delegate': {
    tx: 'consent.delegate',
    title: 'Register a consent delegate',
    description: "Let another member record consents for this custodian's patients, or stop it.",
  },
  'access.record': {
    tx: 'access.record',
    title: 'Record an access',
    description:
      "Record that this member accessed a class of a patient's records for a purpose; the consents in force decide its outcome.",
  },
  'consensus.evidence': {
    tx: 'consensus.evidence',
    title: "Report a validator's equivocation",
    description:
      'Record two conflicting consensus messages one validator signed for the same height and round; a node may sign it with its node key.',
  },
  'access.review': {
    tx: 'access.review',
    title: 'Close a break-glass review',
    description: 'As the custodian, close the review of an emergency access with a reason code.',
  },
} as const satisfies Record<
  string,
  { tx: TxType | readonly TxType[]; title: string; description: string }
>;

export type ActionName = keyof typeof ACTIONS;
export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];
