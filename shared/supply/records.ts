import { defineRecord } from '../ledger/records';
import {
  AlertRecord,
  ContainerRecord,
  CustodyRecord,
  EventRecord,
  HoldingRecord,
  LotRecord,
  ProductRecord,
  RecallRecord,
  ShipmentRecord,
  SupplySettings,
  UnitRecord,
  VerificationRecord,
} from './schemas';

export const productRecords = defineRecord<ProductRecord, 'ofOwner'>({
  kind: 'product',
  table: 'supply_products',
  schema: ProductRecord,
  key: [{ field: 'gtin', column: 'gtin', of: (p) => p.gtin }],
  columns: { owner: (p) => p.owner, name: (p) => p.name },
  lists: { ofOwner: { match: ['owner'] } },
});

export const unitRecords = defineRecord<UnitRecord, 'inContainer' | 'ofCommission' | 'ofLotStatus'>(
  {
    kind: 'unit',
    table: 'supply_units',
    schema: UnitRecord,
    key: [
      { field: 'gtin', column: 'gtin', of: (u) => u.gtin },
      { field: 'serial', column: 'serial', of: (u) => u.serial },
    ],
    columns: {
      lot: (u) => u.lot,
      status: (u) => u.status,
      custodian: (u) => u.custodian,
      parent: (u) => u.parent ?? '',
      shipment: (u) => u.shipment ?? '',
      commissioned_tx: (u) => u.commissionedTx,
    },
    lists: {
      inContainer: { match: ['parent'] },
      ofCommission: { match: ['commissioned_tx'] },
      ofLotStatus: { match: ['gtin', 'lot', 'status'] },
    },
  },
);

export const containerRecords = defineRecord<ContainerRecord, 'inContainer'>({
  kind: 'container',
  table: 'supply_containers',
  schema: ContainerRecord,
  key: [{ field: 'sscc', column: 'sscc', of: (c) => c.sscc }],
  columns: {
    status: (c) => c.status,
    custodian: (c) => c.custodian,
    parent: (c) => c.parent ?? '',
    shipment: (c) => c.shipment ?? '',
  },
  lists: { inContainer: { match: ['parent'] } },
});

export const lotRecords = defineRecord<LotRecord, 'expiring'>({
  kind: 'lot',
  table: 'supply_lots',
  schema: LotRecord,
  key: [
    { field: 'gtin', column: 'gtin', of: (l) => l.gtin },
    { field: 'lot', column: 'lot', of: (l) => l.lot },
  ],
  columns: {
    owner: (l) => l.owner,
    expiry: (l) => l.expiry,
    expiry_checked: (l) => (l.expiryChecked ? 1 : 0),
  },
  lists: {
    /** Lots expired by a date whose expiry alerts are not raised yet. */
    expiring: { where: { expiry_checked: 0 }, upTo: 'expiry', orderBy: ['expiry'] },
  },
});

export const shipmentRecords = defineRecord<ShipmentRecord>({
  kind: 'shipment',
  table: 'supply_shipments',
  schema: ShipmentRecord,
  key: [{ field: 'id', column: 'id', of: (s) => s.id }],
  columns: { sender: (s) => s.from, receiver: (s) => s.to, status: (s) => s.status },
});

export const holdingRecords = defineRecord<HoldingRecord, 'ofLot'>({
  kind: 'holding',
  table: 'supply_holdings',
  schema: HoldingRecord,
  key: [
    { field: 'member', column: 'member', of: (h) => h.member },
    { field: 'gtin', column: 'gtin', of: (h) => h.gtin },
    { field: 'lot', column: 'lot', of: (h) => h.lot },
  ],
  columns: { quantity: (h) => h.quantity },
  lists: { ofLot: { match: ['gtin', 'lot'], orderBy: ['member'] } },
});

export const recallRecords = defineRecord<RecallRecord>({
  kind: 'recall',
  table: 'supply_recalls',
  schema: RecallRecord,
  key: [{ field: 'id', column: 'id', of: (r) => r.id }],
  columns: {
    kind: (r) => r.kind,
    gtin: (r) => r.gtin,
    lot: (r) => r.lot,
    status: (r) => r.status,
  },
});

export const custodyRecords = defineRecord<CustodyRecord, 'due'>({
  kind: 'custody',
  table: 'supply_custody',
  schema: CustodyRecord,
  key: [
    { field: 'member', column: 'member', of: (c) => c.member },
    { field: 'receipt', column: 'receipt', of: (c) => c.receipt },
  ],
  columns: {
    received_time: (c) => c.receivedTime,
    open: (c) => (c.remaining > 0 && !c.alerted ? 1 : 0),
  },
  lists: {
    /** Custody still open that began by a time: due for a quiet-custody alert. */
    due: { where: { open: 1 }, upTo: 'received_time', orderBy: ['received_time'] },
  },
});

export const alertRecords = defineRecord<AlertRecord>({
  kind: 'alert',
  table: 'supply_alerts',
  schema: AlertRecord,
  key: [{ field: 'id', column: 'id', of: (a) => a.id }],
  columns: {
    kind: (a) => a.kind,
    member: (a) => a.member,
    tx_id: (a) => a.txId ?? '',
    time: (a) => a.time,
  },
});

export const verificationRecords = defineRecord<VerificationRecord, 'ofUnit'>({
  kind: 'verification',
  table: 'supply_verifications',
  schema: VerificationRecord,
  key: [{ field: 'id', column: 'id', of: (v) => v.id }],
  columns: {
    requester: (v) => v.requester,
    gtin: (v) => v.gtin,
    serial: (v) => v.serial,
    verified: (v) => (v.verified ? 1 : 0),
  },
  lists: { ofUnit: { match: ['gtin', 'serial'] } },
});

export const eventRecords = defineRecord<EventRecord>({
  kind: 'supply-event',
  table: 'supply_events',
  schema: EventRecord,
  key: [{ field: 'id', column: 'id', of: (e) => e.id }],
  columns: { member: (e) => e.member, type: (e) => e.type },
});

export const supplySettingsRecords = defineRecord<SupplySettings>({
  kind: 'supply-settings',
  table: 'supply_settings',
  schema: SupplySettings,
  key: [],
  columns: {},
});

export const SUPPLY_RECORDS = [
  productRecords,
  unitRecords,
  containerRecords,
  lotRecords,
  shipmentRecords,
  holdingRecords,
  recallRecords,
  custodyRecords,
  alertRecords,
  verificationRecords,
  eventRecords,
  supplySettingsRecords,
];
