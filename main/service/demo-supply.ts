import { createHash } from 'node:crypto';
import type { DecodedTx } from '../../shared/ledger/tx';
import { parseNdc, ndcToGtin14, withCheckDigit } from '../../shared/supply/gs1';
import {
  alertRecords,
  productRecords,
  shipmentRecords,
  unitRecords,
} from '../../shared/supply/records';
import {
  ALERT_KINDS,
  type AlertKind,
  type AlertRecord,
  type Items,
  type ProductInfo,
  type UnitStatus,
} from '../../shared/supply/schemas';
import type { SupplyTx } from '../../shared/supply/txs';
import { dateOf } from '../../shared/supply/work';
import type { ChainNode } from './chain-node';

/*
 * The demo's drug supply history (see buildDemo): seven weeks of two manufacturers, two
 * distributors, two pharmacies and two hospitals trading on the chain, every step a signed
 * transaction in a certified block. Deterministic but for the keys and nonces: products, lots,
 * serials, SSCCs and quantities are fixed, times are fixed offsets from the start given.
 *
 * Every ordinary step must take effect: one that breaks a supply rule (recorded as an alert, as
 * for any signed attempt) stops the build, naming the step and the rule, so a script that no
 * longer fits the rules is noticed. The suspect events (a commissioning of serials already in
 * use and a receipt of a shipment never sent, each signed by a member's own system and sent
 * straight to the node, and a verification that fails) must raise their alerts.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** What the supply history needs of the demo's chain. */
export interface DemoChain {
  readonly node: ChainNode;
  /** Signs a body (without its envelope) with the member's current admin key. */
  sign(member: string, body: { type: string }): DecodedTx;
  /** Sets the clock to the time of the next block; time only goes forward. */
  at(time: number): void;
  /** Makes the next block, at the clock's time, of everything queued. */
  commit(): void;
}

/** Who plays which part: member ids of the demo. */
export interface SupplyCast {
  northwind: string;
  meridian: string;
  medline: string;
  atlas: string;
  citycare: string;
  riverside: string;
  stMarys: string;
  harbourside: string;
  regulator: string;
}

/** What the history left on the chain. */
export interface SupplyFigures {
  products: number;
  units: number;
  unitsByStatus: Record<UnitStatus, number>;
  shipments: number;
  alerts: Record<AlertKind, number>;
}

type Envelope = 'v' | 'chainId' | 'member' | 'signer' | 'nonce';
type Body = {
  [T in SupplyTx['type']]: Omit<Extract<SupplyTx, { type: T }>, Envelope>;
}[SupplyTx['type']];

/** GS1 company prefixes under 952, which GS1 keeps for demonstrations and examples. */
const COMPANY_PREFIX: Record<keyof SupplyCast, string> = {
  northwind: '9521001',
  meridian: '9521002',
  medline: '9521003',
  atlas: '9521004',
  citycare: '9521005',
  riverside: '9521006',
  stMarys: '9521007',
  harbourside: '9521008',
  regulator: '9521009',
};

function gs1(body: string): string {
  const key = withCheckDigit(body);
  if (!key) throw new Error(`demo: ${body} is not a GS1 key body`);
  return key;
}

/** A GTIN-14 under a GS1 company prefix: indicator 0, the prefix, a 5-digit item reference. */
function gtinOf(prefix: string, item: number): string {
  return gs1(`0${prefix}${String(item).padStart(5, '0')}`);
}

/** The GTIN-14 and 11-digit NDC (5-4-2) of a US package labelled with a 10-digit NDC. */
function ndcProduct(ndc10: string): { gtin: string; ndc: string } {
  const parsed = parseNdc(ndc10);
  const gtin = ndcToGtin14(ndc10);
  if (!parsed.ok || !gtin.ok) throw new Error(`demo: ${ndc10} is not an NDC`);
  return { gtin: gtin.gtin, ndc: parsed.ndc };
}

/** The last day of the month `months` after the month of `time`, as an expiry date. */
function endOfMonth(time: number, months: number): string {
  const d = new Date(time);
  return dateOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months + 1, 1) - DAY);
}

/** A small deterministic generator (mulberry32): the same quantities on every build. */
function generator(seed: number): (min: number, max: number) => number {
  let state = seed >>> 0;
  return (min, max) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    return min + Math.floor(unit * (max - min + 1));
  };
}

interface Product {
  key: string;
  maker: keyof SupplyCast;
  gtin: string;
  info: ProductInfo;
  /** First character of its serials. */
  letter: string;
  /** Serials handed out so far: the next one is number `issued + 1`. */
  issued: number;
}

/**
 * The n-th serial of a product: the product's letter and 7 base-36 characters of a permutation
 * of the numbers below 36^7, so serials look as unguessable as a packaging line's are and never
 * repeat within a product.
 */
function serialOf(product: Product, n: number): string {
  const m = 36 ** 7;
  const scrambled = (n * 2_654_435_761 + product.gtin.charCodeAt(12) * 7_919_000_003) % m;
  return `${product.letter}${scrambled.toString(36).toUpperCase().padStart(7, '0')}`;
}

interface Unit {
  gtin: string;
  serial: string;
  lot: string;
}
interface Case {
  sscc: string;
  gtin: string;
  lot: string;
  /** What it holds now: dispensing takes units out of a case without opening it. */
  units: Unit[];
  /** What it was packed with. */
  size: number;
}
interface Pallet {
  sscc: string;
  cases: Case[];
}
interface Stock {
  pallets: Pallet[];
  cases: Case[];
  loose: Unit[];
}
interface Consignment {
  from: string;
  to: string;
  isReturn: boolean;
  pallets: Pallet[];
  cases: Case[];
  units: Unit[];
}
interface LotInfo {
  gtin: string;
  lot: string;
  expiry: string;
  units: Unit[];
}
/** A commissioned lot and the cases and pallets it is (to be) packed in. */
interface Made {
  maker: keyof SupplyCast;
  lot: LotInfo;
  cases: Case[];
  pallets: Pallet[];
}

const key = (gtin: string, other: string) => `${gtin} ${other}`;

function items(parts: { units?: readonly Unit[]; containers?: readonly string[] }): Items {
  const groups = new Map<string, string[]>();
  for (const u of parts.units ?? []) groups.set(u.gtin, [...(groups.get(u.gtin) ?? []), u.serial]);
  return {
    units: [...groups.entries()].map(([gtin, serials]) => ({ gtin, serials })),
    containers: [...(parts.containers ?? [])],
  };
}

/**
 * Writes the supply history into the chain, from `start` to no later than `end` (block times),
 * and returns what it left there.
 */
export function writeSupplyHistory(
  chain: DemoChain,
  cast: SupplyCast,
  start: number,
  end: number,
): SupplyFigures {
  const { node } = chain;
  const id = (who: keyof SupplyCast) => cast[who];
  const gln = (who: keyof SupplyCast) => gs1(`${COMPANY_PREFIX[who]}00001`);
  let blockTime = start;

  // ---- signing -------------------------------------------------------------------------------

  /**
   * Steps of the script in the block being filled, by transaction id, with the kind of alert
   * each may raise (none for an ordinary step) and whether it must.
   */
  const steps = new Map<string, { what: string; alert: AlertKind | null; must: boolean }>();
  const queue = (who: keyof SupplyCast, body: Body, alert: AlertKind | null, must: boolean) => {
    const txId = node.submit(chain.sign(id(who), body));
    steps.set(txId, { what: `${body.type} by ${id(who)}`, alert, must });
    return txId;
  };
  /** Signs and queues a step of the script. */
  const act = (who: keyof SupplyCast, body: Body): string => queue(who, body, null, false);
  /**
   * Queues a step meant to raise alerts of one kind: an attempt signed elsewhere that breaks a
   * rule, a verification that fails, a recall of stock still held.
   */
  const raising = (who: keyof SupplyCast, body: Body, alert: AlertKind): string =>
    queue(who, body, alert, true);
  /** Queues a step that may raise alerts of one kind (as the rules see fit), and no other. */
  const tolerating = (who: keyof SupplyCast, body: Body, alert: AlertKind): string =>
    queue(who, body, alert, false);

  /**
   * One block at day `d` of the history, `h` hours into it, of what `fill` queues (none if it
   * queues nothing); returns what `fill` returns.
   */
  const block = <T>(d: number, h: number, fill: () => T): T => {
    blockTime = start + d * DAY + h * HOUR;
    if (blockTime > end) throw new Error('demo: the supply history runs past its end');
    chain.at(blockTime);
    const result = fill();
    if (node.pending().length === 0) return result;
    chain.commit();
    // A step that broke a supply rule was recorded as an alert: the script no longer fits the
    // rules, and the build stops, naming the step and the rule.
    const raised = new Map<string, AlertRecord[]>();
    for (const a of node.replica.view.list(alertRecords, 'all'))
      if (a.txId !== null && steps.has(a.txId))
        raised.set(a.txId, [...(raised.get(a.txId) ?? []), a]);
    for (const [txId, step] of steps) {
      const alerts = raised.get(txId) ?? [];
      const wrong = alerts.find((a) => a.kind !== step.alert);
      if (!wrong && (!step.must || alerts.length > 0)) continue;
      throw new Error(
        `demo: ${step.what} was meant to raise ${step.alert ?? 'no alert'}${wrong ? `, but: ${wrong.detail}` : ''}`,
      );
    }
    steps.clear();
    return result;
  };

  // ---- the world as the script sees it -------------------------------------------------------

  const products = new Map<string, Product>();
  const lots = new Map<string, LotInfo>();
  const stock = new Map<string, Stock>();
  /** The case a unit is in, until its case is opened or the unit leaves it. */
  const caseOf = new Map<Unit, Case>();
  const shipments = new Map<string, Consignment>();
  const held = { quarantined: new Set<string>(), recalled: new Set<string>() };
  /** Units received as a saleable return and not yet verified. */
  const returned = new Set<string>();
  const ssccs: Record<string, number> = {};

  const stockOf = (member: string): Stock => {
    let s = stock.get(member);
    if (!s) stock.set(member, (s = { pallets: [], cases: [], loose: [] }));
    return s;
  };
  const nextSscc = (who: keyof SupplyCast) => {
    ssccs[who] = (ssccs[who] ?? 0) + 1;
    return gs1(`0${COMPANY_PREFIX[who]}${String(ssccs[who]).padStart(9, '0')}`);
  };
  const product = (k: string) => products.get(k) as Product;

  // ---- steps ---------------------------------------------------------------------------------

  const register = (p: Product) => {
    products.set(p.key, p);
    act(p.maker, { type: 'supply.product.register', gtin: p.gtin, product: p.info });
  };

  /** Takes what is named out of a member's list: it must all be there. */
  const take = <T>(list: T[], wanted: readonly T[], what: string, member: string) => {
    const gone = new Set(wanted);
    const kept = list.filter((item) => !gone.has(item));
    if (list.length - kept.length !== gone.size)
      throw new Error(`demo: ${member} does not hold every ${what} named`);
    list.length = 0;
    for (const item of kept) list.push(item);
  };

  /**
   * Commissions a lot of `cases` full cases of `perCase` units, to be packed (packUp) into them
   * and the cases into pallets of `perPallet` (none when 0).
   */
  const commission = (
    p: string,
    lot: string,
    expiry: string,
    pack: { cases: number; perCase: number; perPallet: number },
    eventTime?: number,
  ): Made => {
    const prod = product(p);
    const count = pack.cases * pack.perCase;
    const units = Array.from({ length: count }, (_, i) => ({
      gtin: prod.gtin,
      serial: serialOf(prod, prod.issued + i + 1),
      lot,
    }));
    prod.issued += count;
    const info: LotInfo = { gtin: prod.gtin, lot, expiry, units };
    lots.set(key(prod.gtin, lot), info);
    act(prod.maker, {
      type: 'supply.commission',
      gtin: prod.gtin,
      lot,
      expiry,
      serials: units.map((u) => u.serial),
      bizLocation: gln(prod.maker),
      ...(eventTime === undefined ? {} : { eventTime }),
    });
    stockOf(id(prod.maker)).loose.push(...units);
    const cases: Case[] = [];
    for (let i = 0; i < units.length; i += pack.perCase) {
      const packed = units.slice(i, i + pack.perCase);
      const box: Case = {
        sscc: nextSscc(prod.maker),
        gtin: prod.gtin,
        lot,
        units: packed,
        size: packed.length,
      };
      for (const u of packed) caseOf.set(u, box);
      cases.push(box);
    }
    const pallets: Pallet[] = [];
    if (pack.perPallet > 0) {
      for (let i = 0; i < cases.length; i += pack.perPallet) {
        pallets.push({ sscc: nextSscc(prod.maker), cases: cases.slice(i, i + pack.perPallet) });
      }
    }
    return { maker: prod.maker, lot: info, cases, pallets };
  };

  /** Packs a commissioned lot into its cases, and those into its pallets, in one event. */
  const packUp = (made: Made) => {
    act(made.maker, {
      type: 'supply.pack',
      packs: [
        ...made.cases.map((c) => ({ parent: c.sscc, children: items({ units: c.units }) })),
        ...made.pallets.map((pl) => ({
          parent: pl.sscc,
          children: items({ containers: pl.cases.map((c) => c.sscc) }),
        })),
      ],
      bizLocation: gln(made.maker),
    });
    const own = stockOf(id(made.maker));
    take(own.loose, made.lot.units, 'unit', id(made.maker));
    if (made.pallets.length > 0) own.pallets.push(...made.pallets);
    else own.cases.push(...made.cases);
  };

  const ship = (
    from: keyof SupplyCast,
    to: keyof SupplyCast,
    what: { pallets?: Pallet[]; cases?: Case[]; units?: Unit[] },
    options: { isReturn?: boolean } = {},
  ): string => {
    const s = stockOf(id(from));
    const consignment: Consignment = {
      from: id(from),
      to: id(to),
      isReturn: options.isReturn === true,
      pallets: what.pallets ?? [],
      cases: what.cases ?? [],
      units: what.units ?? [],
    };
    take(s.pallets, consignment.pallets, 'pallet', id(from));
    take(s.cases, consignment.cases, 'case', id(from));
    take(s.loose, consignment.units, 'unit', id(from));
    const txId = act(from, {
      type: 'supply.ship',
      to: id(to),
      items: items({
        units: consignment.units,
        containers: [...consignment.pallets, ...consignment.cases].map((c) => c.sscc),
      }),
      bizLocation: gln(from),
      ...(options.isReturn ? { isReturn: true } : {}),
    });
    shipments.set(txId, consignment);
    return txId;
  };

  /** The addressee receives the whole shipment. */
  const receive = (who: keyof SupplyCast, shipment: string) => {
    const c = shipments.get(shipment) as Consignment;
    const body: Body = {
      type: 'supply.receive',
      shipment,
      items: items({
        units: c.units,
        containers: [...c.pallets, ...c.cases].map((x) => x.sscc),
      }),
      bizLocation: gln(who),
    };
    const units = [
      ...c.units,
      ...[...c.cases, ...c.pallets.flatMap((p) => p.cases)].flatMap((x) => x.units),
    ];
    // Recalled stock coming back to its manufacturer may be pointed out to it again.
    if (units.some((u) => held.recalled.has(key(u.gtin, u.lot))))
      tolerating(who, body, 'recalled-stock-held');
    else act(who, body);
    const s = stockOf(id(who));
    s.pallets.push(...c.pallets);
    s.cases.push(...c.cases);
    s.loose.push(...c.units);
    if (c.isReturn) for (const u of c.units) returned.add(key(u.gtin, u.serial));
  };

  /** Opens pallets (their cases become loose) and cases (their units do), in that order. */
  const open = (who: keyof SupplyCast, what: { pallets?: Pallet[]; cases?: Case[] }) => {
    const s = stockOf(id(who));
    const pallets = what.pallets ?? [];
    const cases = what.cases ?? [];
    if (pallets.length > 0) {
      take(s.pallets, pallets, 'pallet', id(who));
      s.cases.push(...pallets.flatMap((p) => p.cases));
    }
    take(s.cases, cases, 'case', id(who));
    for (const c of cases) for (const u of c.units) caseOf.delete(u);
    s.loose.push(...cases.flatMap((c) => c.units));
    act(who, {
      type: 'supply.unpack',
      containers: [...pallets, ...cases].map((c) => c.sscc),
      bizLocation: gln(who),
    });
  };

  /** `count` sealed cases of a product's lot (any lot when none is named) the member holds. */
  const casesOf = (who: keyof SupplyCast, p: string, count: number, lot?: string): Case[] => {
    const gtin = product(p).gtin;
    const found = stockOf(id(who)).cases.filter(
      (c) => c.gtin === gtin && (lot === undefined || c.lot === lot),
    );
    if (found.length < count)
      throw new Error(`demo: ${id(who)} holds ${found.length} cases of ${p}, not ${count}`);
    return found.slice(0, count);
  };

  /** Whether a unit may be dispensed or shipped at this block: no hold, not expired or returned. */
  const free = (u: Unit) => {
    const lk = key(u.gtin, u.lot);
    const lot = lots.get(lk) as LotInfo;
    return (
      !held.quarantined.has(lk) &&
      !held.recalled.has(lk) &&
      lot.expiry >= dateOf(blockTime) &&
      !returned.has(key(u.gtin, u.serial))
    );
  };

  const expiryOf = (u: Unit) => (lots.get(key(u.gtin, u.lot)) as LotInfo).expiry;
  const byExpiry = (a: Unit, b: Unit) => {
    const ea = expiryOf(a);
    const eb = expiryOf(b);
    return ea < eb ? -1 : ea > eb ? 1 : 0;
  };

  /**
   * Loose units the member may ship, per product wanted, earliest expiry first. Where there are
   * too few, it opens cases first (one unpack event): a unit travels alone only out of its case.
   */
  const looseFor = (who: keyof SupplyCast, p: string, n: number): Unit[] => {
    const s = stockOf(id(who));
    const gtin = product(p).gtin;
    const loose = () => s.loose.filter((u) => u.gtin === gtin && free(u)).sort(byExpiry);
    let have = loose().length;
    const toOpen: Case[] = [];
    for (const c of s.cases.filter((x) => x.gtin === gtin && x.units.some(free))) {
      if (have >= n) break;
      toOpen.push(c);
      have += c.units.length;
    }
    if (toOpen.length > 0) open(who, { cases: toOpen });
    return loose().slice(0, n);
  };

  /**
   * Units a pharmacy or hospital may hand out, per product wanted, earliest expiry first: loose
   * ones first, then out of cases, a started case before a full one. Dispensers do not record
   * opening a case: the dispensing event takes the unit out of it (the rules loosen it).
   */
  const dispensable = (who: keyof SupplyCast, wants: readonly [string, number][]): Unit[] => {
    const s = stockOf(id(who));
    return wants.flatMap(([p, n]) => {
      const gtin = product(p).gtin;
      const cases = s.cases
        .filter((c) => c.gtin === gtin && c.units.length > 0 && c.units.every(free))
        .sort((a, b) => Number(a.units.length === a.size) - Number(b.units.length === b.size));
      return [
        ...s.loose.filter((u) => u.gtin === gtin && free(u)),
        ...cases.flatMap((c) => c.units),
      ]
        .sort(byExpiry)
        .slice(0, n);
    });
  };

  /** Takes units that end their life out of the member's stock, loose or in their case. */
  const release = (who: keyof SupplyCast, units: readonly Unit[]) => {
    take(
      stockOf(id(who)).loose,
      units.filter((u) => !caseOf.has(u)),
      'unit',
      id(who),
    );
    for (const u of units) {
      const c = caseOf.get(u);
      if (!c) continue;
      c.units.splice(c.units.indexOf(u), 1);
      caseOf.delete(u);
    }
  };

  /** A pharmacy or hospital dispenses what its patients need today, as far as it has it. */
  const dispense = (who: keyof SupplyCast, wants: Record<string, [number, number]>) => {
    const units = dispensable(
      who,
      Object.entries(wants).map(([p, [min, max]]) => [p, random(min, max)]),
    );
    if (units.length === 0) return;
    release(who, units);
    act(who, { type: 'supply.dispense', items: items({ units }), bizLocation: gln(who) });
  };
  const random = generator(20_240_917);

  // ---- the products --------------------------------------------------------------------------

  const northwind = (
    k: string,
    ndc10: string,
    letter: string,
    info: Omit<ProductInfo, 'ndc'>,
  ): Product => {
    const { gtin, ndc } = ndcProduct(ndc10);
    return { key: k, maker: 'northwind', gtin, info: { ...info, ndc }, letter, issued: 0 };
  };
  const meridian = (k: string, item: number, letter: string, info: ProductInfo): Product => ({
    key: k,
    maker: 'meridian',
    gtin: gtinOf(COMPANY_PREFIX.meridian, item),
    info,
    letter,
    issued: 0,
  });

  const MF = 'metformin';
  const ATV = 'atorvastatin';
  const LIS = 'lisinopril';
  const INS = 'insulin';
  const CTX = 'ceftriaxone';
  const SAL = 'salbutamol';
  const OME = 'omeprazole';
  const PAR = 'paracetamol';
  const OND = 'ondansetron';

  const catalogue = [
    northwind(MF, '71345-101-10', 'M', {
      name: 'Metformin Hydrochloride',
      strength: '500 mg',
      dosageForm: 'tablet-film-coated',
      packSize: 100,
    }),
    northwind(ATV, '71345-214-90', 'A', {
      name: 'Atorvastatin Calcium',
      strength: '20 mg',
      dosageForm: 'tablet-film-coated',
      packSize: 90,
    }),
    northwind(LIS, '71345-322-30', 'L', {
      name: 'Lisinopril',
      strength: '10 mg',
      dosageForm: 'tablet',
      packSize: 30,
    }),
    northwind(INS, '71345-480-05', 'G', {
      name: 'Insulin Glargine',
      strength: '100 units/mL',
      dosageForm: 'injection-solution',
      packSize: 5,
    }),
    meridian(CTX, 10_011, 'C', {
      name: 'Ceftriaxone Sodium',
      strength: '1 g',
      dosageForm: 'injection-powder',
      packSize: 10,
    }),
    meridian(SAL, 10_024, 'S', {
      name: 'Salbutamol',
      strength: '100 micrograms/dose',
      dosageForm: 'inhalation-aerosol',
      packSize: 1,
    }),
    meridian(OME, 10_037, 'O', {
      name: 'Omeprazole',
      strength: '20 mg',
      dosageForm: 'capsule',
      packSize: 28,
    }),
    meridian(PAR, 10_042, 'P', {
      name: 'Paracetamol Oral Suspension',
      strength: '120 mg/5 mL',
      dosageForm: 'suspension',
      packSize: 1,
    }),
    meridian(OND, 10_055, 'N', {
      name: 'Ondansetron',
      strength: '2 mg/mL',
      dosageForm: 'injection-solution',
      packSize: 5,
    }),
  ];

  /** What each site dispenses on a day: a range of packs per product. */
  const demand: Record<
    'stMarys' | 'harbourside' | 'citycare' | 'riverside',
    Record<string, [number, number]>
  > = {
    stMarys: {
      [MF]: [1, 3],
      [ATV]: [1, 3],
      [LIS]: [0, 2],
      [INS]: [1, 3],
      [CTX]: [2, 4],
      [SAL]: [0, 2],
      [OND]: [1, 3],
    },
    harbourside: {
      [MF]: [1, 2],
      [ATV]: [0, 2],
      [LIS]: [0, 2],
      [INS]: [0, 2],
      [CTX]: [1, 3],
      [SAL]: [0, 1],
      [OND]: [1, 2],
    },
    citycare: {
      [MF]: [2, 4],
      [ATV]: [1, 3],
      [LIS]: [1, 2],
      [INS]: [0, 1],
      [SAL]: [1, 2],
      [PAR]: [0, 1],
      [OME]: [1, 2],
    },
    riverside: { [MF]: [1, 3], [SAL]: [1, 2], [PAR]: [0, 1], [OME]: [1, 2] },
  };
  const dispensingDay = (d: number) =>
    block(d, 9, () => {
      for (const site of ['stMarys', 'harbourside', 'citycare', 'riverside'] as const) {
        // Pharmacies close on one day of the week; the hospitals dispense every day.
        if ((site === 'citycare' && d % 7 === 6) || (site === 'riverside' && d % 7 === 0)) continue;
        dispense(site, demand[site]);
      }
    });

  // ---- the story -----------------------------------------------------------------------------

  type Sent = [keyof SupplyCast, string][];
  const first = <T>(list: readonly T[]): T => list[0] as T;
  const second = <T>(list: readonly T[]): T => list[1] as T;

  /** A distributor's round of deliveries: cases of products (of one lot if named), per customer. */
  const deliveries = (
    from: 'medline' | 'atlas',
    orders: [keyof SupplyCast, [string, number, string?][]][],
  ): Sent =>
    orders.map(([to, lines]) => [
      to,
      ship(from, to, { cases: lines.flatMap(([p, n, lot]) => casesOf(from, p, n, lot)) }),
    ]);
  /**
   * Pharmacies and hospitals receive their deliveries: each delivery in a block of its own, a
   * quarter of an hour apart from `h` on.
   */
  const receiveAll = (d: number, h: number, sent: Sent) => {
    sent.forEach(([to, shipment], i) => block(d, h + i / 4, () => receive(to, shipment)));
  };

  // Day 0: the regulator confirms the custody rule; the manufacturers register their products.
  block(0, 0, () => {
    act('regulator', { type: 'supply.settings', settings: { custodyQuietDays: 30 } });
    for (const p of catalogue) register(p);
  });

  /** A lot commissioned in one block and packed half an hour later in the next. */
  const produce = (d: number, h: number, ...args: Parameters<typeof commission>): Made => {
    const made = block(d, h, () => commission(...args));
    block(d, h + 0.5, () => packUp(made));
    return made;
  };
  const lotStart = (d: number, h: number) => start + d * DAY + h * HOUR;

  // Day 1: the first lots, packed into cases and pallets, go to the two distributors.
  const mfA = produce(1, 0, MF, 'NW25M117', endOfMonth(lotStart(1, 0), 24), {
    cases: 50,
    perCase: 10,
    perPallet: 25,
  });
  const atv = produce(1, 1, ATV, 'NW25A042', endOfMonth(lotStart(1, 0), 30), {
    cases: 40,
    perCase: 10,
    perPallet: 20,
  });
  const ctx = produce(1, 2, CTX, 'CTX2409-17', endOfMonth(lotStart(1, 0), 24), {
    cases: 30,
    perCase: 12,
    perPallet: 30,
  });
  const salA = produce(1, 3, SAL, 'SAL2408-03', endOfMonth(lotStart(1, 0), 20), {
    cases: 20,
    perCase: 12,
    perPallet: 20,
  });
  const ome = produce(1, 4, OME, 'OME2407-22', endOfMonth(lotStart(1, 0), 36), {
    cases: 10,
    perCase: 12,
    perPallet: 10,
  });
  // Packed before the supply ledger opened and commissioned as it first moves: short-dated.
  const par = produce(
    1,
    5,
    PAR,
    'PAR2210-08',
    dateOf(lotStart(1, 0) + 27 * DAY),
    { cases: 6, perCase: 12, perPallet: 0 },
    lotStart(1, 0) - 700 * DAY,
  );
  const toDistributors = {
    medline: block(1, 8, () =>
      ship('northwind', 'medline', { pallets: [first(mfA.pallets), ...atv.pallets] }),
    ),
    atlasNw: block(1, 8.5, () => ship('northwind', 'atlas', { pallets: [second(mfA.pallets)] })),
    atlasMer: block(1, 9, () =>
      ship('meridian', 'atlas', { pallets: [...ctx.pallets, ...salA.pallets], cases: par.cases }),
    ),
    // The omeprazole travels on its own: Atlas will leave it untouched.
    atlasOme: block(1, 9.5, () => ship('meridian', 'atlas', { pallets: ome.pallets })),
  };

  // Day 2: the distributors receive and break the pallets down, all but the omeprazole.
  block(2, 2, () => receive('medline', toDistributors.medline));
  block(2, 2.5, () => receive('atlas', toDistributors.atlasNw));
  block(2, 3, () => receive('atlas', toDistributors.atlasMer));
  block(2, 3.5, () => receive('atlas', toDistributors.atlasOme));
  block(2, 5, () => open('medline', { pallets: [first(mfA.pallets), ...atv.pallets] }));
  block(2, 5.5, () =>
    open('atlas', { pallets: [second(mfA.pallets), ...ctx.pallets, ...salA.pallets] }),
  );

  // Day 3-6: the first deliveries to the pharmacies and hospitals; dispensing starts.
  const wave1 = block(3, 3, () => [
    ...deliveries('medline', [
      [
        'citycare',
        [
          [MF, 4],
          [ATV, 3],
        ],
      ],
      [
        'stMarys',
        [
          [MF, 6],
          [ATV, 4],
        ],
      ],
    ]),
    ...deliveries('atlas', [
      [
        'riverside',
        [
          [MF, 4],
          [SAL, 2],
          [PAR, 4],
        ],
      ],
      [
        'harbourside',
        [
          [MF, 4],
          [CTX, 6],
          [SAL, 3],
        ],
      ],
      [
        'stMarys',
        [
          [CTX, 8],
          [SAL, 2],
        ],
      ],
      ['citycare', [[PAR, 2]]],
    ]),
  ]);
  receiveAll(4, 1, wave1);
  for (let d = 4; d <= 6; d++) dispensingDay(d);

  // Day 7-9: Northwind's next lots go to MedLine.
  const lis = produce(7, 2, LIS, 'NW25L203', endOfMonth(lotStart(7, 0), 36), {
    cases: 25,
    perCase: 12,
    perPallet: 25,
  });
  dispensingDay(7);
  const ins = produce(8, 1, INS, 'NW25G311', endOfMonth(lotStart(8, 0), 18), {
    cases: 40,
    perCase: 8,
    perPallet: 40,
  });
  const toMedline = block(8, 5, () =>
    ship('northwind', 'medline', { pallets: [...lis.pallets, ...ins.pallets] }),
  );
  dispensingDay(8);
  block(9, 1, () => receive('medline', toMedline));
  block(9, 3, () => open('medline', { pallets: [...lis.pallets, ...ins.pallets] }));
  dispensingDay(9);

  // Day 10-11: the second round of deliveries.
  const wave2 = block(10, 3, () => [
    ...deliveries('medline', [
      [
        'citycare',
        [
          [MF, 5],
          [ATV, 5],
          [LIS, 4],
        ],
      ],
      [
        'stMarys',
        [
          [MF, 5],
          [ATV, 8],
          [LIS, 3],
          [INS, 8],
        ],
      ],
      [
        'harbourside',
        [
          [ATV, 5],
          [LIS, 3],
          [INS, 6],
        ],
      ],
    ]),
    ...deliveries('atlas', [
      [
        'riverside',
        [
          [MF, 4],
          [SAL, 3],
        ],
      ],
      [
        'harbourside',
        [
          [MF, 4],
          [SAL, 2],
        ],
      ],
      [
        'citycare',
        [
          [MF, 3],
          [SAL, 3],
        ],
      ],
    ]),
  ]);
  dispensingDay(10);
  receiveAll(11, 1, wave2);
  dispensingDay(11);

  // Day 12-13: Atlas ships to the wrong pharmacy, declares the shipment in error before it is
  // received (custody returns to Atlas), and sends the cases where they belonged.
  const mistaken = block(12, 3, () => first(deliveries('atlas', [['citycare', [[MF, 2]]]]))[1]);
  const rerouted = block(12, 7, () => {
    act('atlas', { type: 'supply.error', event: mistaken, reason: 'did_not_occur' });
    stockOf(id('atlas')).cases.push(...(shipments.get(mistaken) as Consignment).cases);
    shipments.delete(mistaken);
    return deliveries('atlas', [['riverside', [[MF, 3]]]]);
  });
  dispensingDay(12);
  receiveAll(13, 2, rerouted);

  // Day 13: a second packaging line of Meridian, its serial counter reset, commissions serials
  // already in use. Signed there and sent straight to the chain, it is recorded as an alert.
  block(13, 6, () => {
    const prod = product(SAL);
    raising(
      'meridian',
      {
        type: 'supply.commission',
        gtin: prod.gtin,
        lot: 'SAL2410-11',
        expiry: endOfMonth(blockTime, 20),
        serials: Array.from({ length: 240 }, (_, i) => serialOf(prod, i + 1)),
        bizLocation: gs1(`${COMPANY_PREFIX.meridian}00002`),
      },
      'duplicate-serial',
    );
  });
  dispensingDay(13);

  // Day 14-15: the lot is commissioned again, with serials of its own, and shipped to Atlas.
  const salB = produce(14, 1, SAL, 'SAL2410-11', endOfMonth(lotStart(14, 0), 20), {
    cases: 20,
    perCase: 12,
    perPallet: 20,
  });
  const toAtlas = block(14, 6, () => ship('meridian', 'atlas', { pallets: salB.pallets }));
  dispensingDay(14);
  block(15, 1, () => receive('atlas', toAtlas));
  block(15, 2, () => open('atlas', { pallets: salB.pallets }));

  // Day 15-16: CityCare returns atorvastatin it ordered in error; MedLine receives it and
  // verifies every unit for saleable return before it may sell it again.
  const returning = block(15, 5, () => {
    const units = looseFor('citycare', ATV, 6);
    return { units, shipment: ship('citycare', 'medline', { units }, { isReturn: true }) };
  });
  dispensingDay(15);
  block(16, 2, () => receive('medline', returning.shipment));
  block(16, 6, () => {
    for (const u of returning.units) {
      act('medline', {
        type: 'supply.verify',
        context: 'saleable-return',
        gtin: u.gtin,
        serial: u.serial,
        lot: u.lot,
        expiry: (lots.get(key(u.gtin, u.lot)) as LotInfo).expiry,
      });
      returned.delete(key(u.gtin, u.serial));
    }
  });
  dispensingDay(16);

  // Day 17-19: the third round; the returned atorvastatin goes on to St Mary's.
  const wave3 = block(17, 3, (): Sent => [
    ...deliveries('medline', [
      [
        'citycare',
        [
          [MF, 3],
          [ATV, 5],
          [LIS, 4],
          [INS, 4],
        ],
      ],
      ['harbourside', [[LIS, 3]]],
    ]),
    [
      'stMarys',
      ship('medline', 'stMarys', {
        cases: [
          ...casesOf('medline', MF, 2),
          ...casesOf('medline', ATV, 10),
          ...casesOf('medline', INS, 8),
        ],
        units: returning.units,
      }),
    ],
    ...deliveries('atlas', [
      [
        'riverside',
        [
          [SAL, 2, salA.lot.lot],
          [SAL, 3, salB.lot.lot],
        ],
      ],
      [
        'harbourside',
        [
          [MF, 3],
          [SAL, 3, salB.lot.lot],
          [CTX, 8],
        ],
      ],
      [
        'stMarys',
        [
          [SAL, 3, salA.lot.lot],
          [CTX, 8],
        ],
      ],
    ]),
  ]);
  dispensingDay(17);
  receiveAll(18, 1, wave3);
  for (let d = 18; d <= 19; d++) dispensingDay(d);

  // Day 20-23: a temperature excursion in a MedLine cold room puts the insulin lot on hold until
  // Northwind has reviewed the logger data.
  const insulin = { gtin: product(INS).gtin, lot: ins.lot.lot };
  const insHold = block(20, 4, () => {
    held.quarantined.add(key(insulin.gtin, insulin.lot));
    return act('northwind', {
      type: 'supply.quarantine',
      ...insulin,
      reason: 'temperature-excursion',
    });
  });
  dispensingDay(20);

  // Day 21: Riverside's pharmacy system books in a delivery that was never shipped on the chain.
  block(21, 6, () => {
    raising(
      'riverside',
      {
        type: 'supply.receive',
        shipment: createHash('sha256').update('riverside goods-in 2024-117').digest('hex'),
        items: items({ containers: [gs1('09529999000004411')] }),
        bizLocation: gln('riverside'),
      },
      'receipt-mismatch',
    );
  });
  dispensingDay(21);
  dispensingDay(22);
  block(23, 5, () => {
    act('northwind', { type: 'supply.quarantine.lift', quarantine: insHold });
    held.quarantined.delete(key(insulin.gtin, insulin.lot));
  });
  dispensingDay(23);

  // Day 24-26: the fourth round; Meridian's ondansetron lot goes to MedLine.
  const wave4 = block(24, 3, () => [
    ...deliveries('medline', [
      [
        'citycare',
        [
          [LIS, 4],
          [INS, 6],
        ],
      ],
      ['stMarys', [[LIS, 4]]],
      ['harbourside', [[INS, 8]]],
    ]),
    ...deliveries('atlas', [
      ['riverside', [[SAL, 3, salB.lot.lot]]],
      ['citycare', [[SAL, 3, salB.lot.lot]]],
      ['stMarys', [[SAL, 2, salB.lot.lot]]],
    ]),
  ]);
  dispensingDay(24);
  receiveAll(25, 1, wave4);
  const ond = produce(25, 3, OND, 'OND2409-05', endOfMonth(lotStart(25, 0), 30), {
    cases: 20,
    perCase: 6,
    perPallet: 20,
  });
  const ondToMedline = block(25, 8, () => ship('meridian', 'medline', { pallets: ond.pallets }));
  dispensingDay(25);
  block(26, 2, () => receive('medline', ondToMedline));
  block(26, 4, () => open('medline', { pallets: ond.pallets }));
  dispensingDay(26);

  // Day 27-29: ondansetron for the hospitals; Northwind's second metformin lot. The paracetamol
  // lot expires on day 28: the first block of the next day raises the expired-stock alerts.
  const ondWave = block(27, 2, () =>
    deliveries('medline', [
      ['stMarys', [[OND, 6]]],
      ['harbourside', [[OND, 5]]],
    ]),
  );
  const mfB = produce(27, 3, MF, 'NW25M129', endOfMonth(lotStart(27, 0), 24), {
    cases: 40,
    perCase: 10,
    perPallet: 20,
  });
  const mfBShipped = {
    medline: block(27, 6, () => ship('northwind', 'medline', { pallets: [first(mfB.pallets)] })),
    atlas: block(27, 6.5, () => ship('northwind', 'atlas', { pallets: [second(mfB.pallets)] })),
  };
  dispensingDay(27);
  receiveAll(28, 1, ondWave);
  block(28, 2, () => receive('medline', mfBShipped.medline));
  block(28, 2.5, () => receive('atlas', mfBShipped.atlas));
  block(28, 4, () => open('medline', { pallets: [first(mfB.pallets)] }));
  block(28, 4.5, () => open('atlas', { pallets: [second(mfB.pallets)] }));
  dispensingDay(28);
  const wave5 = block(29, 3, () => [
    ...deliveries('medline', [
      ['citycare', [[MF, 4, mfB.lot.lot]]],
      ['stMarys', [[MF, 5, mfB.lot.lot]]],
      ['harbourside', [[MF, 4, mfB.lot.lot]]],
    ]),
    ...deliveries('atlas', [
      ['riverside', [[MF, 4, mfB.lot.lot]]],
      ['harbourside', [[MF, 4, mfB.lot.lot]]],
    ]),
  ]);
  dispensingDay(29);

  // Day 30-32: St Mary's scans an inhaler whose serial the chain never saw; the agency puts the
  // lot printed on it on hold while it investigates, and Atlas sends the newer lot instead.
  receiveAll(30, 1, wave5);
  block(30, 4, () => {
    raising(
      'stMarys',
      {
        type: 'supply.verify',
        context: 'suspect-product',
        gtin: product(SAL).gtin,
        serial: '1G8K2Q9X4R',
        lot: salA.lot.lot,
        expiry: salA.lot.expiry,
      },
      'verification-failed',
    );
  });
  dispensingDay(30);
  block(31, 2, () => {
    act('regulator', {
      type: 'supply.quarantine',
      gtin: product(SAL).gtin,
      lot: salA.lot.lot,
      reason: 'suspect-product',
    });
    held.quarantined.add(key(product(SAL).gtin, salA.lot.lot));
  });
  const wave6 = block(31, 5, () =>
    deliveries('atlas', [
      ['riverside', [[SAL, 2, salB.lot.lot]]],
      ['harbourside', [[SAL, 2, salB.lot.lot]]],
      ['stMarys', [[SAL, 2, salB.lot.lot]]],
    ]),
  );
  dispensingDay(31);
  receiveAll(32, 1, wave6);
  // Atlas's omeprazole has not moved since day 2: a block of day 32 raises the custody alert.
  for (let d = 32; d <= 33; d++) dispensingDay(d);

  // Day 34-37: prompted by the alert, Atlas starts moving the omeprazole.
  const wave7 = block(34, 3, () => {
    open('atlas', { pallets: ome.pallets });
    return deliveries('atlas', [
      ['riverside', [[OME, 3]]],
      ['citycare', [[OME, 3]]],
    ]);
  });
  dispensingDay(34);
  receiveAll(35, 1, wave7);
  for (let d = 35; d <= 37; d++) dispensingDay(d);

  // Day 38: a box of insulin pens is dropped on a ward at Harbourside.
  block(38, 2, () => {
    const pens = dispensable('harbourside', [[INS, 1]]);
    if (pens.length === 0) return;
    release('harbourside', pens);
    act('harbourside', {
      type: 'supply.decommission',
      items: items({ units: pens }),
      reason: 'damaged',
      bizLocation: gln('harbourside'),
    });
  });
  for (let d = 38; d <= 39; d++) dispensingDay(d);

  // Day 40-45: Meridian recalls the ondansetron lot (class II: out-of-trend stability results).
  // MedLine sends its stock back and Meridian destroys it; the hospitals still hold theirs.
  block(40, 3, () => {
    raising(
      'meridian',
      {
        type: 'supply.recall',
        gtin: product(OND).gtin,
        lot: ond.lot.lot,
        recallClass: 'II',
        reason: 'stability',
      },
      'recalled-stock-held',
    );
    held.recalled.add(key(product(OND).gtin, ond.lot.lot));
  });
  dispensingDay(40);
  const recalledBack = block(41, 3, () => {
    const cases = casesOf('medline', OND, 9);
    return { cases, shipment: ship('medline', 'meridian', { cases }, { isReturn: true }) };
  });
  dispensingDay(41);
  block(42, 2, () => receive('meridian', recalledBack.shipment));
  for (let d = 42; d <= 44; d++) dispensingDay(d);
  block(45, 4, () => {
    take(stockOf(id('meridian')).cases, recalledBack.cases, 'case', id('meridian'));
    act('meridian', {
      type: 'supply.destroy',
      items: items({ containers: recalledBack.cases.map((c) => c.sscc) }),
      bizLocation: gln('meridian'),
    });
  });
  dispensingDay(45);

  // Day 46-49: the last deliveries and a few more days of dispensing.
  const wave8 = block(46, 3, () => [
    ...deliveries('medline', [['citycare', [[MF, 4, mfB.lot.lot]]]]),
    ...deliveries('atlas', [['riverside', [[MF, 4, mfB.lot.lot]]]]),
  ]);
  dispensingDay(46);
  receiveAll(47, 1, wave8);
  for (let d = 47; d <= 49; d++) dispensingDay(d);

  return figures(node);
}

/** What the chain holds after the history: products, units by status, shipments, alerts. */
function figures(node: ChainNode): SupplyFigures {
  const view = node.replica.view;
  const unitsByStatus: Record<UnitStatus, number> = {
    active: 0,
    'in-transit': 0,
    dispensed: 0,
    destroyed: 0,
    decommissioned: 0,
  };
  const units = view.list(unitRecords, 'all');
  for (const u of units) unitsByStatus[u.status] += 1;
  const alerts = Object.fromEntries(ALERT_KINDS.map((k) => [k, 0])) as Record<AlertKind, number>;
  for (const a of view.list(alertRecords, 'all')) alerts[a.kind] += 1;
  return {
    products: view.list(productRecords, 'all').length,
    units: units.length,
    unitsByStatus,
    shipments: view.list(shipmentRecords, 'all').length,
    alerts,
  };
}
