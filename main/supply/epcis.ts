import type Database from 'better-sqlite3';
import type { ChainTip } from '../../shared/ledger/chain';
import { Overlay, type StateView } from '../../shared/ledger/state';
import { decodeTx } from '../../shared/ledger/tx';
import { membership } from '../../shared/members/state';
import {
  EPCIS_SUPPLY_TYPES,
  exportEpcis,
  importEpcis,
  parseMemberUri,
  type ChainSupplyEvent,
  type EpcisDocument,
  type EpcisSupplyBody,
  type ImportBody,
  type ImportProblem,
} from '../../shared/supply/epcis';
import {
  containerRecords,
  eventRecords,
  shipmentRecords,
  unitRecords,
} from '../../shared/supply/records';
import type { Items } from '../../shared/supply/schemas';
import { applySupplyStrict } from '../../shared/supply/rules';
import type { SupplyTx } from '../../shared/supply/txs';
import { RuleError } from '../../shared/ledger/domain';
import { textOf, type Replica } from '../store/replica';

/** What an export covers: one unit, one lot, one shipment, or one member's events. */
export type ExportScope =
  | { kind: 'unit'; gtin: string; serial: string }
  | { kind: 'lot'; gtin: string; lot: string }
  | { kind: 'shipment'; id: string }
  | { kind: 'member'; member: string };

/**
 * Most transactions one import signs: a document whose events cannot be merged into fewer is
 * refused whole (split it), so an import never half-fits the node's mempool.
 */
export const MAX_IMPORT_TXS = 1_000;

/** Most transactions one export gathers (a member's events are the newest this many). */
export const MAX_EXPORT_TXS = 5_000;

const EXPORTED = new Set<string>(EPCIS_SUPPLY_TYPES);

/** The supply transactions an export scope covers, oldest first, through indexed tables. */
function txIdsOf(db: Database.Database, scope: ExportScope): string[] {
  const ids = (sql: string, ...params: (string | number)[]) =>
    db
      .prepare<(string | number)[], { tx_id: string }>(sql)
      .all(...params)
      .map((r) => r.tx_id);
  switch (scope.kind) {
    case 'unit':
      return ids(
        'SELECT tx_id FROM supply_unit_history WHERE gtin = ? AND serial = ? ORDER BY height LIMIT ?',
        scope.gtin,
        scope.serial,
        MAX_EXPORT_TXS,
      );
    case 'lot':
      return ids(
        `SELECT DISTINCT h.tx_id FROM supply_units u
         JOIN supply_unit_history h ON h.gtin = u.gtin AND h.serial = u.serial
         WHERE u.gtin = ? AND u.lot = ? ORDER BY h.height LIMIT ?`,
        scope.gtin,
        scope.lot,
        MAX_EXPORT_TXS,
      );
    case 'shipment': {
      const row = db
        .prepare<[string], { record: string }>('SELECT record FROM supply_shipments WHERE id = ?')
        .get(scope.id);
      if (!row) return [];
      const shipment = JSON.parse(row.record) as { id: string; receivedTx: string | null };
      return [shipment.id, ...(shipment.receivedTx ? [shipment.receivedTx] : [])];
    }
    case 'member':
      return ids(
        `SELECT tx_id FROM (SELECT id AS tx_id, height FROM supply_events WHERE member = ?
         ORDER BY height DESC LIMIT ?) ORDER BY height`,
        scope.member,
        MAX_EXPORT_TXS,
      );
  }
}

/**
 * An EPCIS 2.0 document of the supply events a scope covers, each with its CBV 2.0 event hash
 * as eventID and an error declaration where its member declared it in error since.
 */
export function exportScope(
  replica: Replica,
  scope: ExportScope,
  creationDate: number,
): { document: EpcisDocument; events: number; truncated: boolean } {
  const ids = txIdsOf(replica.db, scope);
  const events: ChainSupplyEvent[] = [];
  for (const id of ids) {
    const row = replica.tx(id);
    if (!row || !EXPORTED.has(row.type)) continue;
    const tx = decodeTx(textOf(row.bytes));
    const block = replica.block(row.height);
    const recorded = replica.view.get(eventRecords, [id]);
    const declared = recorded?.error ? replica.tx(recorded.error.declaredTx) : undefined;
    events.push({
      txId: id,
      height: row.height,
      blockTime: block?.time ?? 0,
      member: row.member,
      body: tx.body as EpcisSupplyBody,
      ...(recorded?.error && declared
        ? {
            error: {
              reason: recorded.error.reason,
              declaredTime: replica.block(declared.height)?.time ?? 0,
            },
          }
        : {}),
    });
  }
  const document = exportEpcis(events, {
    creationDate,
    lookup: { shipmentSender: (id) => replica.view.get(shipmentRecords, [id])?.from },
  });
  return { document, events: events.length, truncated: ids.length >= MAX_EXPORT_TXS };
}

/** The in-transit shipment to `member` that holds the first of these items, if any. */
function shipmentOf(view: StateView, member: string, items: Items): string | undefined {
  const first = items.units[0];
  const unit = first ? view.get(unitRecords, [first.gtin, first.serials[0] as string]) : undefined;
  const container = items.containers[0]
    ? view.get(containerRecords, [items.containers[0]])
    : undefined;
  const id = unit?.shipment ?? container?.shipment ?? undefined;
  if (!id) return undefined;
  return view.get(shipmentRecords, [id])?.to === member ? id : undefined;
}

/** A document read as supply bodies, and checked in order against the state they would meet. */
export type PlannedImport =
  | { ok: true; txs: { body: ImportBody; events: number[] }[]; notes: ImportProblem[] }
  | { ok: false; errors: ImportProblem[] };

/**
 * Reads an EPCIS document as the importing member's supply transactions, all or nothing: every
 * event is mapped (a bad one is reported by index, field and reason), then every transaction is
 * checked in order against `view` (the replica plus what is pending) by the supply rules, so
 * nothing is signed unless all of it would take effect.
 */
export function planImport(
  document: unknown,
  view: StateView,
  tip: ChainTip,
  member: string,
  signer: string,
  now: number,
): PlannedImport {
  const result = importEpcis(document, {
    chainId: tip.chainId,
    now,
    member,
    memberOf: (uri) => {
      const parsed = parseMemberUri(uri);
      return parsed && membership(view).member(parsed.memberId) ? parsed.memberId : undefined;
    },
    shipmentOf: (items) => shipmentOf(view, member, items),
  });
  if (!result.ok) return result;
  if (result.bodies.length > MAX_IMPORT_TXS) {
    return {
      ok: false,
      errors: [
        {
          index: -1,
          field: 'eventList',
          reason: `its events make ${result.bodies.length} transactions (events of one lot and step next to each other merge into one); one import signs at most ${MAX_IMPORT_TXS}: split the document`,
        },
      ],
    };
  }
  const scratch = new Overlay(view);
  const errors: ImportProblem[] = [];
  result.bodies.forEach(({ body, events }, i) => {
    if (errors.length > 0) return;
    const full = {
      v: 1,
      chainId: tip.chainId,
      member,
      signer,
      nonce: '0'.repeat(32),
      ...body,
    } as unknown as SupplyTx;
    try {
      applySupplyStrict(scratch, full, {
        txId: i.toString(16).padStart(64, '0'),
        height: tip.height + 1,
        time: Math.max(now, tip.time + 1),
      });
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      for (const index of events)
        errors.push({ index, field: 'event', reason: (error as Error).message });
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, txs: result.bodies, notes: result.notes };
}

/**
 * Why the node's mempool cannot take a planned import whole now, or null: checked before the
 * first transaction is signed, so an import is never refused half-way.
 */
export function importRoomProblem(
  room: { txs: number; chars: number },
  txs: readonly { body: ImportBody }[],
): string | null {
  // Each transaction's text is its body plus the envelope and signature (well under 1 KiB).
  const chars = txs.reduce((n, t) => n + JSON.stringify(t.body).length + 1024, 0);
  if (txs.length <= room.txs && chars <= room.chars) return null;
  return `the node has too many transactions waiting for a block to take these ${txs.length} now; nothing was signed: try again once they are in blocks`;
}
