/**
 * The supply domain's tables in the replica: one per record kind it declares
 * (shared/supply/records.ts), with the columns those kinds name, and the indexes its lists and
 * queries read through. main/store/migrations.ts applies it as migration 3.
 *
 * Released schema is never edited (start-up compares sqlite_schema with it byte for byte); a
 * change is a new migration.
 */
export const SUPPLY_TABLES_V1 = `
  CREATE TABLE supply_products (
    gtin TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX supply_products_by_owner ON supply_products (owner, gtin);

  CREATE TABLE supply_units (
    gtin TEXT NOT NULL,
    serial TEXT NOT NULL,
    lot TEXT NOT NULL,
    status TEXT NOT NULL,
    custodian TEXT NOT NULL,
    parent TEXT NOT NULL,
    shipment TEXT NOT NULL,
    commissioned_tx TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (gtin, serial)
  ) STRICT;
  CREATE INDEX supply_units_by_parent ON supply_units (parent);
  CREATE INDEX supply_units_by_commission ON supply_units (commissioned_tx);
  CREATE INDEX supply_units_by_lot ON supply_units (gtin, lot, serial);
  CREATE INDEX supply_units_by_lot_status ON supply_units (gtin, lot, status, shipment);

  CREATE TABLE supply_containers (
    sscc TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    custodian TEXT NOT NULL,
    parent TEXT NOT NULL,
    shipment TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX supply_containers_by_parent ON supply_containers (parent);

  CREATE TABLE supply_lots (
    gtin TEXT NOT NULL,
    lot TEXT NOT NULL,
    owner TEXT NOT NULL,
    expiry TEXT NOT NULL,
    expiry_checked INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (gtin, lot)
  ) STRICT;
  CREATE INDEX supply_lots_expiring ON supply_lots (expiry, gtin, lot) WHERE expiry_checked = 0;

  CREATE TABLE supply_shipments (
    id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    receiver TEXT NOT NULL,
    status TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX supply_shipments_by_sender ON supply_shipments (sender, height);
  CREATE INDEX supply_shipments_by_receiver ON supply_shipments (receiver, status, height);

  CREATE TABLE supply_holdings (
    member TEXT NOT NULL,
    gtin TEXT NOT NULL,
    lot TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (member, gtin, lot)
  ) STRICT;
  CREATE INDEX supply_holdings_by_lot ON supply_holdings (gtin, lot, member);

  CREATE TABLE supply_recalls (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    gtin TEXT NOT NULL,
    lot TEXT NOT NULL,
    status TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX supply_recalls_by_lot ON supply_recalls (gtin, lot);
  CREATE INDEX supply_recalls_by_status ON supply_recalls (kind, status, height);
  CREATE INDEX supply_recalls_by_height ON supply_recalls (height, id);

  CREATE TABLE supply_custody (
    member TEXT NOT NULL,
    receipt TEXT NOT NULL,
    received_time INTEGER NOT NULL,
    open INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (member, receipt)
  ) STRICT;
  CREATE INDEX supply_custody_due ON supply_custody (received_time, member, receipt) WHERE open = 1;

  CREATE TABLE supply_alerts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    member TEXT NOT NULL,
    tx_id TEXT NOT NULL,
    time INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX supply_alerts_by_time ON supply_alerts (time, id);
  CREATE INDEX supply_alerts_by_kind ON supply_alerts (kind, time);
  CREATE INDEX supply_alerts_by_member ON supply_alerts (member, time);
  CREATE INDEX supply_alerts_by_tx ON supply_alerts (tx_id);

  CREATE TABLE supply_verifications (
    id TEXT PRIMARY KEY,
    requester TEXT NOT NULL,
    gtin TEXT NOT NULL,
    serial TEXT NOT NULL,
    verified INTEGER NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX supply_verifications_by_unit ON supply_verifications (gtin, serial);
  CREATE INDEX supply_verifications_by_requester ON supply_verifications (requester, height);

  CREATE TABLE supply_events (
    id TEXT PRIMARY KEY,
    member TEXT NOT NULL,
    type TEXT NOT NULL,
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
  CREATE INDEX supply_events_by_member ON supply_events (member, height);

  CREATE TABLE supply_unit_history (
    gtin TEXT NOT NULL,
    serial TEXT NOT NULL,
    tx_id TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (gtin, serial, tx_id)
  ) STRICT;
  CREATE INDEX supply_unit_history_by_height ON supply_unit_history (gtin, serial, height);

  CREATE TABLE supply_container_history (
    sscc TEXT NOT NULL,
    tx_id TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height),
    PRIMARY KEY (sscc, tx_id)
  ) STRICT;
  CREATE INDEX supply_container_history_by_height ON supply_container_history (sscc, height);

  CREATE TABLE supply_event_facts (
    tx_id TEXT PRIMARY KEY,
    idx INTEGER NOT NULL,
    facts TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;

  CREATE TABLE supply_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    record TEXT NOT NULL,
    height INTEGER NOT NULL REFERENCES blocks(height)
  ) STRICT;
`;
