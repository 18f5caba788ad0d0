import { RuleError, type TxContext } from '../ledger/domain';
import type { Overlay } from '../ledger/state';
import {
  alertRecords,
  containerRecords,
  custodyRecords,
  holdingRecords,
  lotRecords,
  unitRecords,
} from './records';
import type {
  AlertKind,
  AlertRecord,
  ContainerRecord,
  HoldingRecord,
  LotRecord,
  UnitRecord,
} from './schemas';

/**
 * A supply transaction that breaks a supply rule. Unlike other rule errors, it does not keep the
 * transaction out of the block: the signed attempt is recorded as a suspect-product alert of
 * `alert` kind, and changes nothing else.
 */
export class SupplyRefusal extends RuleError {
  constructor(
    message: string,
    readonly alert: AlertKind = 'refused-event',
    readonly subject: { gtin?: string; lot?: string; serial?: string } = {},
  ) {
    super(message);
  }
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The working set of one supply transaction or block step: records read once, changed in
 * memory, and written to the overlay at the end in key order, so a unit touched several times
 * makes one change and the change list never depends on the order of a Map.
 */
export class SupplyWork {
  private readonly units = new Map<string, UnitRecord>();
  private readonly changedUnits = new Set<string>();
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly changedContainers = new Set<string>();
  private readonly holdingDeltas = new Map<
    string,
    { member: string; gtin: string; lot: string; delta: number }
  >();
  private readonly custodyDeltas = new Map<
    string,
    { member: string; receipt: string; delta: number }
  >();
  private readonly lots = new Map<string, LotRecord | undefined>();
  private alerts = 0;

  constructor(
    readonly view: Overlay,
    readonly ctx: TxContext,
    /** Prefix of the ids of alerts this work raises: the tx id, or `block-<height>`. */
    private readonly alertPrefix: string = ctx.txId,
  ) {}

  unit(gtin: string, serial: string): UnitRecord | undefined {
    const key = `${gtin} ${serial}`;
    const cached = this.units.get(key);
    if (cached) return cached;
    const record = this.view.get(unitRecords, [gtin, serial]);
    if (record) this.units.set(key, record);
    return record;
  }

  /** Replaces a unit; `next` must keep the same gtin and serial. */
  setUnit(next: UnitRecord): void {
    const key = `${next.gtin} ${next.serial}`;
    this.units.set(key, next);
    this.changedUnits.add(key);
  }

  container(sscc: string): ContainerRecord | undefined {
    const cached = this.containers.get(sscc);
    if (cached) return cached;
    const record = this.view.get(containerRecords, [sscc]);
    if (record) this.containers.set(sscc, record);
    return record;
  }

  setContainer(next: ContainerRecord): void {
    this.containers.set(next.sscc, next);
    this.changedContainers.add(next.sscc);
  }

  /** Units directly inside a container, as this work now sees them, by (gtin, serial). */
  unitsIn(sscc: string): UnitRecord[] {
    const result = new Map<string, UnitRecord>();
    for (const u of this.view.list(unitRecords, 'inContainer', sscc)) {
      const key = `${u.gtin} ${u.serial}`;
      // The list read the record already: it seeds the cache instead of a second read.
      const current = this.units.get(key) ?? u;
      this.units.set(key, current);
      if (current.parent === sscc) result.set(key, current);
    }
    for (const key of this.changedUnits) {
      const u = this.units.get(key) as UnitRecord;
      if (u.parent === sscc) result.set(key, u);
    }
    return [...result.entries()].sort(([a], [b]) => compareText(a, b)).map(([, u]) => u);
  }

  /** Containers directly inside a container, by SSCC. */
  containersIn(sscc: string): ContainerRecord[] {
    const result = new Map<string, ContainerRecord>();
    for (const c of this.view.list(containerRecords, 'inContainer', sscc)) {
      const current = this.containers.get(c.sscc) ?? c;
      this.containers.set(c.sscc, current);
      if (current.parent === sscc) result.set(c.sscc, current);
    }
    for (const key of this.changedContainers) {
      const c = this.containers.get(key) as ContainerRecord;
      if (c.parent === sscc) result.set(key, c);
    }
    return [...result.entries()].sort(([a], [b]) => compareText(a, b)).map(([, c]) => c);
  }

  lot(gtin: string, lot: string): LotRecord | undefined {
    const key = `${gtin} ${lot}`;
    if (!this.lots.has(key)) this.lots.set(key, this.view.get(lotRecords, [gtin, lot]));
    return this.lots.get(key);
  }

  setLot(next: LotRecord): void {
    this.lots.set(`${next.gtin} ${next.lot}`, next);
    this.view.put(lotRecords, next);
  }

  /** Active units a member holds of a lot go up or down by `delta`. */
  hold(member: string, gtin: string, lot: string, delta: number): void {
    const key = `${member} ${gtin} ${lot}`;
    const entry = this.holdingDeltas.get(key) ?? { member, gtin, lot, delta: 0 };
    entry.delta += delta;
    this.holdingDeltas.set(key, entry);
  }

  /** Units of a distributor's custody that left it (negative) or came back. */
  custody(member: string, receipt: string, delta: number): void {
    const key = `${member} ${receipt}`;
    const entry = this.custodyDeltas.get(key) ?? { member, receipt, delta: 0 };
    entry.delta += delta;
    this.custodyDeltas.set(key, entry);
  }

  alert(
    kind: AlertKind,
    member: string,
    detail: string,
    subject: { gtin?: string; lot?: string; serial?: string; quantity?: number } = {},
  ): AlertRecord {
    let id: string;
    do id = `${this.alertPrefix}:${this.alerts++}`;
    while (this.view.get(alertRecords, [id]));
    const record: AlertRecord = {
      id,
      kind,
      member,
      txId: this.alertPrefix === this.ctx.txId ? this.ctx.txId : null,
      height: this.ctx.height,
      time: this.ctx.time,
      gtin: subject.gtin ?? null,
      lot: subject.lot ?? null,
      serial: subject.serial ?? null,
      quantity: subject.quantity ?? null,
      detail,
    };
    this.view.put(alertRecords, record);
    return record;
  }

  /** Writes every changed record to the overlay, each kind in key order. */
  flush(): void {
    for (const key of [...this.changedContainers].sort(compareText)) {
      this.view.put(containerRecords, this.containers.get(key) as ContainerRecord);
    }
    for (const key of [...this.changedUnits].sort(compareText)) {
      this.view.put(unitRecords, this.units.get(key) as UnitRecord);
    }
    for (const key of [...this.holdingDeltas.keys()].sort(compareText)) {
      const { member, gtin, lot, delta } = this.holdingDeltas.get(key) as {
        member: string;
        gtin: string;
        lot: string;
        delta: number;
      };
      if (delta === 0) continue;
      const current = this.view.get(holdingRecords, [member, gtin, lot]);
      const next: HoldingRecord = { member, gtin, lot, quantity: (current?.quantity ?? 0) + delta };
      if (next.quantity < 0) throw new Error(`holding of ${member} in ${gtin}/${lot} below zero`);
      this.view.put(holdingRecords, next);
    }
    for (const key of [...this.custodyDeltas.keys()].sort(compareText)) {
      const { member, receipt, delta } = this.custodyDeltas.get(key) as {
        member: string;
        receipt: string;
        delta: number;
      };
      const current = this.view.get(custodyRecords, [member, receipt]);
      if (delta === 0 || !current) continue;
      this.view.put(custodyRecords, { ...current, remaining: current.remaining + delta });
    }
    this.changedUnits.clear();
    this.changedContainers.clear();
    this.holdingDeltas.clear();
    this.custodyDeltas.clear();
  }
}

const DAY_MS = 86_400_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * The civil date of a day count since 1970-01-01 (proleptic Gregorian, H. Hinnant's
 * days-to-civil): plain integer arithmetic, so every replica agrees without a Date object.
 */
function civilOf(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** The UTC calendar date of a block time, `YYYY-MM-DD`: what expiry dates compare with. */
export function dateOf(time: number): string {
  return civilOf(Math.floor(time / DAY_MS));
}

/** The day before the UTC date of a block time: lots whose expiry is at most this are expired. */
export function dayBeforeDateOf(time: number): string {
  return civilOf(Math.floor(time / DAY_MS) - 1);
}
