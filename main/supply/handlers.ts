import { memberNames } from '../members/views';
import type { TxBody } from '../../shared/ledger/tx';
import type { MethodName, Params } from '../../shared/rpc/contract';
import {
  RECORDED_CONTEXTS,
  type Evidence,
  type HolderView,
  type SupplyStep,
  type UnitView,
} from '../../shared/rpc/supply';
import { bizStepOf, describeFacts, type EventFacts } from '../../shared/supply/describe';
import { eventRecords } from '../../shared/supply/records';
import {
  UNIT_STATUSES,
  type ProductRecord,
  type RecallRecord,
  type UnitRecord,
  type UnitStatus,
} from '../../shared/supply/schemas';
import type { SupplyTx } from '../../shared/supply/txs';
import { applySupplyStrict } from '../../shared/supply/rules';
import { verifyIdentifier } from '../../shared/supply/verification';
import { dateOf } from '../../shared/supply/work';
import type { ChainNode } from '../service/chain-node';
import {
  perNode,
  type CommonFields,
  type HandlerContext,
  type HandlersFor,
} from '../service/handler-context';
import { evidenceOf } from '../chain/evidence';
import { ServiceError } from '../service/service-error';
import { exportScope, importRoomProblem, planImport } from './epcis';
import { SupplyQueries, type HistoryRow } from './queries';

export type SupplyMethod = Extract<MethodName, `supply.${string}`>;

const queriesOf = perNode((node) => new SupplyQueries(node.replica.db));

/** Which supply transaction each signing method submits. */
const SIGNED = {
  'supply.products.register': 'supply.product.register',
  'supply.products.amend': 'supply.product.amend',
  'supply.commission': 'supply.commission',
  'supply.pack': 'supply.pack',
  'supply.unpack': 'supply.unpack',
  'supply.ship': 'supply.ship',
  'supply.return': 'supply.ship',
  'supply.receive': 'supply.receive',
  'supply.dispense': 'supply.dispense',
  'supply.decommission': 'supply.decommission',
  'supply.destroy': 'supply.destroy',
  'supply.recall': 'supply.recall',
  'supply.quarantine': 'supply.quarantine',
  'supply.quarantine.lift': 'supply.quarantine.lift',
  'supply.declareError': 'supply.error',
  'supply.settings': 'supply.settings',
} as const satisfies Partial<Record<SupplyMethod, SupplyTx['type']>>;

/** The drug supply chain: products, units, lots, shipments, recalls, alerts, verification. */
export function supplyHandlers(ctx: HandlerContext): HandlersFor<SupplyMethod> {
  const productView = (node: ChainNode, p: ProductRecord) => ({
    ...p,
    ownerName: memberNames(node.replica.view)(p.owner),
  });

  const stepOf = (node: ChainNode, row: HistoryRow): SupplyStep => {
    const facts = JSON.parse(row.facts) as EventFacts;
    const event = node.replica.view.get(eventRecords, [row.tx_id]);
    return {
      txId: row.tx_id,
      height: row.height,
      index: row.idx,
      time: row.time,
      eventTime: facts.eventTime ?? null,
      type: facts.type,
      bizStep: bizStepOf(facts.type),
      member: facts.member,
      memberName: memberNames(node.replica.view)(facts.member),
      summary: describeFacts(facts, node.replica.view),
      bizLocation: facts.bizLocation ?? null,
      declaredInError: event?.error != null,
    };
  };

  const holderViews = (node: ChainNode, entries: { member: string; quantity: number }[]) => {
    const nameOf = memberNames(node.replica.view);
    return entries.map((e): HolderView => ({
      member: e.member,
      memberName: nameOf(e.member),
      quantity: e.quantity,
    }));
  };

  /** Units of a lot on their way, by the member they are addressed to. */
  const inTransitOf = (node: ChainNode, gtin: string, lot: string): HolderView[] => {
    const q = queriesOf(node);
    const byReceiver = new Map<string, number>();
    for (const { shipment, n } of q.lotInTransit(gtin, lot)) {
      const to = q.shipment(shipment)?.to ?? '';
      byReceiver.set(to, (byReceiver.get(to) ?? 0) + n);
    }
    return holderViews(
      node,
      [...byReceiver.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([member, quantity]) => ({ member, quantity })),
    );
  };

  const unitView = (node: ChainNode, unit: UnitRecord): UnitView => {
    const q = queriesOf(node);
    const lot = q.lot(unit.gtin, unit.lot);
    const containers: string[] = [];
    for (let parent = unit.parent; parent && containers.length < 8;) {
      containers.push(parent);
      parent = q.container(parent)?.parent ?? null;
    }
    return {
      ...unit,
      productName: q.product(unit.gtin)?.name ?? null,
      containers,
      recalled: (unit.recall ?? lot?.recall ?? null) !== null,
      quarantined: (unit.quarantine ?? lot?.quarantine ?? null) !== null,
      expired: unit.expiry < dateOf(node.replica.tip().time),
    };
  };

  const recallView = (node: ChainNode, r: RecallRecord) => {
    const q = queriesOf(node);
    const product = q.product(r.gtin);
    const counts = new Map(q.lotCounts(r.gtin, r.lot).map((c) => [c.status, c.n]));
    let holders: { member: string; quantity: number }[];
    let covered: number;
    let recovered: number;
    let dispensed: number;
    if (r.serials) {
      const units = r.serials
        .map((s) => q.unit(r.gtin, s))
        .filter((u): u is UnitRecord => u !== undefined);
      const byHolder = new Map<string, number>();
      for (const u of units)
        if (u.status === 'active') byHolder.set(u.custodian, (byHolder.get(u.custodian) ?? 0) + 1);
      holders = [...byHolder.entries()]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([member, quantity]) => ({ member, quantity }));
      covered = units.length;
      recovered = units.filter(
        (u) =>
          u.status === 'destroyed' ||
          u.status === 'decommissioned' ||
          (u.status === 'active' && u.custodian === product?.owner),
      ).length;
      dispensed = units.filter((u) => u.status === 'dispensed').length;
    } else {
      holders = q.holdersOf(r.gtin, r.lot).map((h) => ({ member: h.member, quantity: h.quantity }));
      covered = [...counts.values()].reduce((a, b) => a + b, 0);
      const atOwner = holders.find((h) => h.member === product?.owner)?.quantity ?? 0;
      recovered = (counts.get('destroyed') ?? 0) + (counts.get('decommissioned') ?? 0) + atOwner;
      dispensed = counts.get('dispensed') ?? 0;
    }
    return {
      ...r,
      issuerName: memberNames(node.replica.view)(r.issuer),
      product: product ? productView(node, product) : null,
      holders: holderViews(node, holders),
      inTransit: r.serials ? [] : inTransitOf(node, r.gtin, r.lot),
      recovered,
      covered,
      dispensed,
    };
  };

  /** A deciding transaction as evidence, told in words from its event facts when it has them. */
  const supplyEvidence = (node: ChainNode, txId: string): Evidence | null =>
    evidenceOf(node.replica, txId, () => {
      const facts = queriesOf(node).event(txId)?.facts;
      return facts ? describeFacts(JSON.parse(facts) as EventFacts, node.replica.view) : null;
    });

  /**
   * Signs a supply transaction as the profile's member, after checking every supply rule against
   * the replica plus what is pending: a mistake is refused here, with the reason, rather than
   * recorded on chain as a suspect-product alert.
   */
  const submitSupply = (type: SupplyTx['type'], fields: object) =>
    ctx.submitAsProfile((common) => {
      const body = { ...common, ...fields, type } as TxBody;
      ctx
        .requireNode()
        .preview((view, at) =>
          applySupplyStrict(view, body as SupplyTx, { txId: '0'.repeat(64), ...at }),
        );
      return body;
    });

  const signing = Object.fromEntries(
    Object.entries(SIGNED).map(([method, type]) => [
      method,
      (params: object) =>
        submitSupply(type, method === 'supply.return' ? { ...params, isReturn: true } : params),
    ]),
  ) as unknown as Pick<HandlersFor<SupplyMethod>, keyof typeof SIGNED>;

  const notFound = (what: string): never => {
    throw new ServiceError('not_found', what);
  };

  return {
    ...signing,
    'supply.products.list': ({ query, owner, limit }) => {
      const node = ctx.requireNode();
      return queriesOf(node)
        .products(query?.trim() ?? '', owner ?? '', limit)
        .map((p) => productView(node, p));
    },
    'supply.products.get': ({ gtin }) => {
      const node = ctx.requireNode();
      const q = queriesOf(node);
      const product = q.product(gtin) ?? notFound(`no product is registered under GTIN ${gtin}`);
      return { product: productView(node, product), lots: q.lotsOf(gtin) };
    },
    'supply.units.get': ({ gtin, serial }) => {
      const node = ctx.requireNode();
      const q = queriesOf(node);
      const unit =
        q.unit(gtin, serial) ??
        notFound(`no unit ${gtin} serial ${serial} was commissioned on this chain`);
      return {
        unit: unitView(node, unit),
        steps: q.unitHistory(gtin, serial).map((row) => stepOf(node, row)),
      };
    },
    'supply.containers.get': ({ sscc }) => {
      const node = ctx.requireNode();
      const q = queriesOf(node);
      const container =
        q.container(sscc) ?? notFound(`no container ${sscc} was packed on this chain`);
      return {
        container,
        ...q.contentsOf(sscc),
        steps: q.containerHistory(sscc).map((row) => stepOf(node, row)),
      };
    },
    'supply.lots.get': ({ gtin, lot }) => {
      const node = ctx.requireNode();
      const q = queriesOf(node);
      const record =
        q.lot(gtin, lot) ?? notFound(`no unit of lot ${lot} of ${gtin} was commissioned`);
      const product = q.product(gtin);
      const counts = Object.fromEntries(UNIT_STATUSES.map((status) => [status, 0])) as Record<
        UnitStatus,
        number
      >;
      for (const c of q.lotCounts(gtin, lot)) counts[c.status] = c.n;
      return {
        lot: record,
        product: product ? productView(node, product) : null,
        counts,
        holders: holderViews(node, q.holdersOf(gtin, lot)),
        inTransit: inTransitOf(node, gtin, lot),
        recalls: q.recallsOf(gtin, lot),
        expired: record.expiry < dateOf(node.replica.tip().time),
      };
    },
    'supply.lots.units': ({ gtin, lot, after, limit }) => {
      const node = ctx.requireNode();
      const nameOf = memberNames(node.replica.view);
      return queriesOf(node)
        .lotUnits(gtin, lot, after ?? '', limit)
        .map((u) => ({
          serial: u.serial,
          status: u.status,
          custodian: u.custodian,
          custodianName: nameOf(u.custodian),
          parent: u.parent,
        }));
    },
    'supply.shipments.get': ({ id }) => {
      const node = ctx.requireNode();
      const q = queriesOf(node);
      const shipment = q.shipment(id) ?? notFound(`no shipment ${id}`);
      const nameOf = memberNames(node.replica.view);
      const steps = [shipment.id, ...(shipment.receivedTx ? [shipment.receivedTx] : [])]
        .map((txId) => q.event(txId))
        .filter((row) => row !== undefined)
        .map((row) => stepOf(node, row));
      return { ...shipment, fromName: nameOf(shipment.from), toName: nameOf(shipment.to), steps };
    },
    'supply.shipments.list': ({ member, direction, status, limit }) => {
      const node = ctx.requireNode();
      const who = member ?? ctx.session.memberId() ?? notFound('name a member: no profile is open');
      const nameOf = memberNames(node.replica.view);
      return queriesOf(node)
        .shipments(who, direction, status === 'in-transit', limit)
        .map((s) => ({ ...s, fromName: nameOf(s.from), toName: nameOf(s.to) }));
    },
    'supply.stock': ({ member }) => {
      const node = ctx.requireNode();
      const q = queriesOf(node);
      const who = member ?? ctx.session.memberId() ?? notFound('name a member: no profile is open');
      return q.stock(who).map((h) => ({
        ...h,
        productName: q.product(h.gtin)?.name ?? null,
        expiry: q.lot(h.gtin, h.lot)?.expiry ?? '',
      }));
    },
    'supply.recalls.list': ({ kind, limit }) => {
      const node = ctx.requireNode();
      return queriesOf(node)
        .recalls(kind, limit)
        .map((r) => {
          const { holders: _h, inTransit: _t, ...rest } = recallView(node, r);
          return rest;
        });
    },
    'supply.recalls.get': ({ id }) => {
      const node = ctx.requireNode();
      const r = queriesOf(node).recall(id) ?? notFound(`no recall or quarantine ${id}`);
      return recallView(node, r);
    },
    'supply.alerts.list': (filter) => {
      const node = ctx.requireNode();
      const nameOf = memberNames(node.replica.view);
      return queriesOf(node)
        .alerts(filter)
        .map((a) => ({ ...a, memberName: nameOf(a.member) }));
    },
    'supply.alerts.ofTx': ({ txId }) => {
      const node = ctx.requireNode();
      const nameOf = memberNames(node.replica.view);
      return queriesOf(node)
        .alertsOfTx(txId)
        .map((a) => ({ ...a, memberName: nameOf(a.member) }));
    },
    'supply.epcis.import': ({ document, dryRun }) => {
      const node = ctx.requireNode();
      let parsed: unknown;
      try {
        parsed = JSON.parse(document);
      } catch (error) {
        const message = `the document is not JSON: ${(error as Error).message}`;
        throw new ServiceError('bad_request', message, [{ path: 'document', message }]);
      }
      const { memberId, key } = ctx.session.signer();
      const plan = node.preview((view) =>
        planImport(parsed, view, node.replica.tip(), memberId, key.publicKey, Date.now()),
      );
      if (!plan.ok) {
        const events = new Set(plan.errors.map((e) => e.index).filter((i) => i >= 0)).size;
        throw new ServiceError(
          'bad_request',
          events > 0
            ? `nothing was imported: ${events} event${events === 1 ? '' : 's'} of the document cannot be recorded`
            : `nothing was imported: ${plan.errors[0]?.reason ?? 'the document is not an EPCIS document'}`,
          plan.errors.map((e) => ({
            path: e.index < 0 ? e.field : `eventList.${e.index}${e.field ? `.${e.field}` : ''}`,
            message: e.reason,
          })),
        );
      }
      const events = plan.txs.reduce((n, t) => n + t.events.length, 0);
      const full = dryRun ? null : importRoomProblem(node.room(), plan.txs);
      if (full) throw new ServiceError('rejected', full);
      // All or none, journalled together: a crash keeps the whole import or none of it.
      const txIds = dryRun
        ? []
        : ctx.submitAllAsProfile(
            plan.txs.map(({ body }) => body as Omit<TxBody, keyof CommonFields>),
          ).txIds;
      return { events, transactions: plan.txs.length, txIds, notes: plan.notes };
    },
    'supply.epcis.export': ({ scope }) => {
      const node = ctx.requireNode();
      const { document, events, truncated } = exportScope(node.replica, scope, Date.now());
      return { document: `${JSON.stringify(document, null, 2)}\n`, events, truncated };
    },
    'supply.verify': (params: Params<'supply.verify'>) => {
      const node = ctx.requireNode();
      const { context, ...identifier } = params;
      const answer = node.preview((view, at) => verifyIdentifier(view, identifier, at.time));
      const recorded = RECORDED_CONTEXTS.includes(context)
        ? submitSupply('supply.verify', params).txId
        : null;
      const evidence = (answer.ledger?.decidingTxs ?? [])
        .map((id) => supplyEvidence(node, id))
        .filter((e): e is Evidence => e !== null);
      return {
        verified: answer.verified,
        failure: answer.failure,
        info: answer.info,
        ledger: answer.ledger
          ? {
              status: answer.ledger.status,
              custodian: answer.ledger.custodian,
              custodianName: memberNames(node.replica.view)(answer.ledger.custodian),
              recall: answer.ledger.recall,
              quarantine: answer.ledger.quarantine,
            }
          : null,
        evidence,
        asOfHeight: node.replica.tip().height,
        txId: recorded,
      };
    },
  };
}
