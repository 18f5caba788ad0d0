import type Database from 'better-sqlite3';
import type {
  AlertKind,
  AlertRecord,
  ContainerRecord,
  HoldingRecord,
  LotRecord,
  ProductRecord,
  RecallRecord,
  ShipmentRecord,
  UnitRecord,
  UnitStatus,
} from '../../shared/supply/schemas';

type Json = { record: string };
const parse = <T>(rows: readonly Json[]): T[] => rows.map((r) => JSON.parse(r.record) as T);
const one = <T>(row: Json | undefined): T | undefined =>
  row ? (JSON.parse(row.record) as T) : undefined;

/** One event in a unit's or container's history, with where it is on chain and its facts. */
export interface HistoryRow {
  tx_id: string;
  height: number;
  idx: number;
  time: number;
  facts: string;
}

/** Text typed by a person, for a LIKE pattern: its own % and _ match themselves. */
function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * What the console asks of supply state, each served by an index of the record and projection
 * tables (main/supply/schema.ts), so it stays fast as the chain grows.
 */
export class SupplyQueries {
  private readonly stmts;

  constructor(db: Database.Database) {
    const prepare = <P extends unknown[], R>(sql: string) => db.prepare<P, R>(sql);
    this.stmts = {
      product: prepare<[string], Json>('SELECT record FROM supply_products WHERE gtin = ?'),
      products: prepare<
        [{ owner: string; query: string; prefix: string; like: string; limit: number }],
        Json
      >(
        `SELECT record FROM supply_products
         WHERE (@owner = '' OR owner = @owner)
           AND (@query = '' OR gtin LIKE @prefix ESCAPE '\\' OR name LIKE @like ESCAPE '\\')
         ORDER BY name, gtin LIMIT @limit`,
      ),
      lotsOfProduct: prepare<[string], Json>(
        'SELECT record FROM supply_lots WHERE gtin = ? ORDER BY lot',
      ),
      lot: prepare<[string, string], Json>(
        'SELECT record FROM supply_lots WHERE gtin = ? AND lot = ?',
      ),
      unit: prepare<[string, string], Json>(
        'SELECT record FROM supply_units WHERE gtin = ? AND serial = ?',
      ),
      unitHistory: prepare<[string, string], HistoryRow>(
        `SELECT h.tx_id, h.height, f.idx, b.time, f.facts FROM supply_unit_history h
         JOIN supply_event_facts f ON f.tx_id = h.tx_id JOIN blocks b ON b.height = h.height
         WHERE h.gtin = ? AND h.serial = ? ORDER BY h.height, f.idx`,
      ),
      container: prepare<[string], Json>('SELECT record FROM supply_containers WHERE sscc = ?'),
      containerHistory: prepare<[string], HistoryRow>(
        `SELECT h.tx_id, h.height, f.idx, b.time, f.facts FROM supply_container_history h
         JOIN supply_event_facts f ON f.tx_id = h.tx_id JOIN blocks b ON b.height = h.height
         WHERE h.sscc = ? ORDER BY h.height, f.idx`,
      ),
      unitsIn: prepare<[string], { gtin: string; serial: string }>(
        'SELECT gtin, serial FROM supply_units WHERE parent = ? ORDER BY gtin, serial',
      ),
      containersIn: prepare<[string], { sscc: string }>(
        'SELECT sscc FROM supply_containers WHERE parent = ? ORDER BY sscc',
      ),
      lotCounts: prepare<[string, string], { status: UnitStatus; n: number }>(
        'SELECT status, count(*) AS n FROM supply_units WHERE gtin = ? AND lot = ? GROUP BY status',
      ),
      lotInTransit: prepare<[string, string], { shipment: string; n: number }>(
        `SELECT shipment, count(*) AS n FROM supply_units
         WHERE gtin = ? AND lot = ? AND status = 'in-transit' GROUP BY shipment`,
      ),
      lotUnits: prepare<[string, string, string, number], Json>(
        `SELECT record FROM supply_units WHERE gtin = ? AND lot = ? AND serial > ?
         ORDER BY serial LIMIT ?`,
      ),
      holdersOfLot: prepare<[string, string], Json>(
        'SELECT record FROM supply_holdings WHERE gtin = ? AND lot = ? AND quantity > 0 ORDER BY member',
      ),
      stock: prepare<[string], Json>(
        'SELECT record FROM supply_holdings WHERE member = ? AND quantity > 0 ORDER BY gtin, lot',
      ),
      shipment: prepare<[string], Json>('SELECT record FROM supply_shipments WHERE id = ?'),
      shipmentsFrom: prepare<[string, number], Json>(
        'SELECT record FROM supply_shipments WHERE sender = ? ORDER BY height DESC, id LIMIT ?',
      ),
      shipmentsTo: prepare<[string, number], Json>(
        'SELECT record FROM supply_shipments WHERE receiver = ? ORDER BY height DESC, id LIMIT ?',
      ),
      shipmentsToOpen: prepare<[string, number], Json>(
        `SELECT record FROM supply_shipments WHERE receiver = ? AND status IN ('in-transit', 'received-partly')
         ORDER BY height DESC, id LIMIT ?`,
      ),
      recall: prepare<[string], Json>('SELECT record FROM supply_recalls WHERE id = ?'),
      recallsOfLot: prepare<[string, string], Json>(
        'SELECT record FROM supply_recalls WHERE gtin = ? AND lot = ? ORDER BY height, id',
      ),
      recalls: prepare<[{ kind: string; limit: number }], Json>(
        "SELECT record FROM supply_recalls WHERE (@kind = '' OR kind = @kind) ORDER BY height DESC, id LIMIT @limit",
      ),
      event: prepare<[string], HistoryRow>(
        `SELECT f.tx_id, f.height, f.idx, b.time, f.facts FROM supply_event_facts f
         JOIN blocks b ON b.height = f.height WHERE f.tx_id = ?`,
      ),
      alertsOfTx: prepare<[string], Json>(
        'SELECT record FROM supply_alerts WHERE tx_id = ? ORDER BY id',
      ),
      alerts: prepare<
        [
          {
            kind: string;
            member: string;
            since: number;
            beforeTime: number;
            beforeId: string;
            limit: number;
          },
        ],
        Json
      >(
        `SELECT record FROM supply_alerts
         WHERE (@kind = '' OR kind = @kind) AND (@member = '' OR member = @member)
           AND time >= @since AND (time < @beforeTime OR (time = @beforeTime AND id < @beforeId))
         ORDER BY time DESC, id DESC LIMIT @limit`,
      ),
    };
  }

  product(gtin: string): ProductRecord | undefined {
    return one(this.stmts.product.get(gtin));
  }

  products(query: string, owner: string, limit: number): ProductRecord[] {
    const escaped = likeEscaped(query);
    return parse(
      this.stmts.products.all({
        owner,
        query,
        prefix: `${escaped}%`,
        like: `%${escaped}%`,
        limit,
      }),
    );
  }

  lotsOf(gtin: string): LotRecord[] {
    return parse(this.stmts.lotsOfProduct.all(gtin));
  }

  lot(gtin: string, lot: string): LotRecord | undefined {
    return one(this.stmts.lot.get(gtin, lot));
  }

  unit(gtin: string, serial: string): UnitRecord | undefined {
    return one(this.stmts.unit.get(gtin, serial));
  }

  unitHistory(gtin: string, serial: string): HistoryRow[] {
    return this.stmts.unitHistory.all(gtin, serial);
  }

  /** One supply transaction's facts and place on chain. */
  event(txId: string): HistoryRow | undefined {
    return this.stmts.event.get(txId);
  }

  container(sscc: string): ContainerRecord | undefined {
    return one(this.stmts.container.get(sscc));
  }

  containerHistory(sscc: string): HistoryRow[] {
    return this.stmts.containerHistory.all(sscc);
  }

  contentsOf(sscc: string): { units: { gtin: string; serial: string }[]; containers: string[] } {
    return {
      units: this.stmts.unitsIn.all(sscc),
      containers: this.stmts.containersIn.all(sscc).map((r) => r.sscc),
    };
  }

  lotCounts(gtin: string, lot: string): { status: UnitStatus; n: number }[] {
    return this.stmts.lotCounts.all(gtin, lot);
  }

  lotInTransit(gtin: string, lot: string): { shipment: string; n: number }[] {
    return this.stmts.lotInTransit.all(gtin, lot);
  }

  lotUnits(gtin: string, lot: string, after: string, limit: number): UnitRecord[] {
    return parse(this.stmts.lotUnits.all(gtin, lot, after, limit));
  }

  holdersOf(gtin: string, lot: string): HoldingRecord[] {
    return parse(this.stmts.holdersOfLot.all(gtin, lot));
  }

  stock(member: string): HoldingRecord[] {
    return parse(this.stmts.stock.all(member));
  }

  shipment(id: string): ShipmentRecord | undefined {
    return one(this.stmts.shipment.get(id));
  }

  shipments(
    member: string,
    direction: 'incoming' | 'outgoing',
    open: boolean,
    limit: number,
  ): ShipmentRecord[] {
    if (direction === 'outgoing') return parse(this.stmts.shipmentsFrom.all(member, limit));
    return parse((open ? this.stmts.shipmentsToOpen : this.stmts.shipmentsTo).all(member, limit));
  }

  recall(id: string): RecallRecord | undefined {
    return one(this.stmts.recall.get(id));
  }

  recallsOf(gtin: string, lot: string): RecallRecord[] {
    return parse(this.stmts.recallsOfLot.all(gtin, lot));
  }

  recalls(kind: 'recall' | 'quarantine' | 'all', limit: number): RecallRecord[] {
    return parse(this.stmts.recalls.all({ kind: kind === 'all' ? '' : kind, limit }));
  }

  alertsOfTx(txId: string): AlertRecord[] {
    return parse(this.stmts.alertsOfTx.all(txId));
  }

  alerts(filter: {
    kind?: AlertKind | undefined;
    member?: string | undefined;
    since?: number | undefined;
    before?: { time: number; id: string } | undefined;
    limit: number;
  }): AlertRecord[] {
    const before = filter.before ?? { time: Number.MAX_SAFE_INTEGER, id: '' };
    return parse(
      this.stmts.alerts.all({
        kind: filter.kind ?? '',
        member: filter.member ?? '',
        since: filter.since ?? 0,
        beforeTime: before.time,
        beforeId: before.id,
        limit: filter.limit,
      }),
    );
  }
}
