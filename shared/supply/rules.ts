import type { TxContext } from '../ledger/domain';
import { Overlay } from '../ledger/state';
import { requireActiveSigner } from '../members/rules';
import type { MemberRecord } from '../members/schemas';
import { membership } from '../members/state';
import { allUnits, countByLot, depthOf, expandItems, type ExpandedItems } from './items';
import {
  custodyRecords,
  eventRecords,
  holdingRecords,
  productRecords,
  recallRecords,
  shipmentRecords,
  supplySettingsRecords,
  unitRecords,
  verificationRecords,
} from './records';
import {
  MAX_NESTING,
  type ContainerRecord,
  type LotRecord,
  type ProductRecord,
  type RecallRecord,
  type ShipmentRecord,
  type UnitRecord,
  type UnitStatus,
} from './schemas';
import type { SupplyTx, SupplyTxOf } from './txs';
import { verifyIdentifier } from './verification';
import { dateOf, SupplyRefusal, SupplyWork } from './work';

/** How many failed verifications of one unit make it suspect. */
export const SUSPECT_AFTER_FAILURES = 3;

type Handler<T extends SupplyTx['type']> = (
  work: SupplyWork,
  body: SupplyTxOf<T>,
  actor: MemberRecord,
) => void;

const refuse = (message: string, subject: { gtin?: string; lot?: string; serial?: string } = {}) =>
  new SupplyRefusal(message, 'refused-event', subject);

function unitName(u: { gtin: string; serial: string }): string {
  return `unit ${u.gtin} serial ${u.serial}`;
}

function requireKind(actor: MemberRecord, kinds: readonly string[], what: string): void {
  if (!kinds.includes(actor.kind)) {
    throw refuse(`${actor.id} is a ${actor.kind}; only a ${kinds.join(' or ')} may ${what}`);
  }
}

function requireProduct(work: SupplyWork, gtin: string): ProductRecord {
  const product = work.view.get(productRecords, [gtin]);
  if (!product) throw refuse(`no product is registered under GTIN ${gtin}`, { gtin });
  return product;
}

/** A recall or quarantine in force on a unit, on its serial or its whole lot. */
function holdOn(
  work: SupplyWork,
  unit: UnitRecord,
): { recall: string | null; quarantine: string | null } {
  const lot = work.lot(unit.gtin, unit.lot);
  return {
    recall: unit.recall ?? lot?.recall ?? null,
    quarantine: unit.quarantine ?? lot?.quarantine ?? null,
  };
}

/** Whether a unit is past its expiry date at this block. */
function expired(work: SupplyWork, unit: UnitRecord): boolean {
  return unit.expiry < dateOf(work.ctx.time);
}

/**
 * Units an actor may act on: it holds them, they are active (not in transit, dispensed,
 * destroyed or decommissioned). `verb` words the refusal.
 */
function requireHeld(work: SupplyWork, units: readonly UnitRecord[], actor: string, verb: string) {
  for (const u of units) {
    if (u.status !== 'active') {
      throw refuse(`${unitName(u)} is ${u.status} and cannot be ${verb}`, u);
    }
    if (u.custodian !== actor)
      throw refuse(`${unitName(u)} is held by ${u.custodian}, not ${actor}`, u);
  }
}

function requireContainersHeld(
  containers: readonly ContainerRecord[],
  actor: string,
  verb: string,
) {
  for (const c of containers) {
    if (c.status !== 'packed')
      throw refuse(`container ${c.sscc} is ${c.status} and cannot be ${verb}`);
    if (c.custodian !== actor)
      throw refuse(`container ${c.sscc} is held by ${c.custodian}, not ${actor}`);
  }
}

/** Named items must be loose: a unit or container inside another moves with it, not alone. */
function requireTopLevel(work: SupplyWork, expanded: ExpandedItems, topLevel: readonly string[]) {
  for (const u of expanded.named) {
    if (u.parent)
      throw refuse(`${unitName(u)} is packed in container ${u.parent}: unpack it first`, u);
  }
  for (const sscc of topLevel) {
    const c = work.container(sscc) as ContainerRecord;
    if (c.parent)
      throw refuse(`container ${sscc} is packed in container ${c.parent}: unpack it first`);
  }
}

/** Units leave a member's active stock: holdings and open distributor custody go down. */
function leaveStock(work: SupplyWork, units: readonly UnitRecord[]): void {
  for (const u of units) {
    work.hold(u.custodian, u.gtin, u.lot, -1);
    if (u.custody) work.custody(u.custodian, u.custody, -1);
  }
}

/**
 * Units end their life (dispensed, destroyed, decommissioned): loose from their container, out
 * of stock. Containers named are emptied and their SSCC retired.
 */
function endUnits(work: SupplyWork, expanded: ExpandedItems, status: UnitStatus, txId: string) {
  const units = allUnits(expanded);
  leaveStock(work, units);
  const loosened = new Map<string, number>();
  for (const u of expanded.named) {
    if (u.parent) loosened.set(u.parent, (loosened.get(u.parent) ?? 0) + 1);
  }
  for (const u of units) {
    work.setUnit({ ...u, status, parent: null, lastTx: txId, lastHeight: work.ctx.height });
  }
  for (const [sscc, count] of loosened) {
    const c = work.container(sscc) as ContainerRecord;
    work.setContainer({ ...c, units: c.units - count, lastTx: txId, lastHeight: work.ctx.height });
  }
  for (const c of expanded.containers) {
    work.setContainer({
      ...c,
      status: status === 'destroyed' ? 'destroyed' : 'unpacked',
      parent: null,
      units: 0,
      containers: 0,
      lastTx: txId,
      lastHeight: work.ctx.height,
    });
  }
}

function requireEventTime(work: SupplyWork, body: { eventTime?: number | undefined }): void {
  if (body.eventTime !== undefined && body.eventTime > work.ctx.time) {
    throw refuse('the event time is after the block that records it');
  }
}

const registerProduct: Handler<'supply.product.register'> = (work, body, actor) => {
  requireKind(actor, ['manufacturer'], 'register a product');
  const existing = work.view.get(productRecords, [body.gtin]);
  if (existing) throw refuse(`GTIN ${body.gtin} is already registered to ${existing.owner}`, body);
  work.view.put(productRecords, {
    gtin: body.gtin,
    ...body.product,
    owner: actor.id,
    registeredHeight: work.ctx.height,
    updatedHeight: work.ctx.height,
  });
};

const amendProduct: Handler<'supply.product.amend'> = (work, body, actor) => {
  const product = requireProduct(work, body.gtin);
  if (product.owner !== actor.id)
    throw refuse(`GTIN ${body.gtin} belongs to ${product.owner}; only its owner amends it`, body);
  const { ndc: _ndc, ...kept } = product;
  work.view.put(productRecords, { ...kept, ...body.product, updatedHeight: work.ctx.height });
};

const commission: Handler<'supply.commission'> = (work, body, actor) => {
  requireEventTime(work, body);
  const product = requireProduct(work, body.gtin);
  if (product.owner !== actor.id)
    throw refuse(
      `GTIN ${body.gtin} belongs to ${product.owner}; only its owner commissions it`,
      body,
    );
  if (body.expiry < dateOf(work.ctx.time))
    throw refuse(`lot ${body.lot} expired on ${body.expiry}; it cannot be commissioned`, body);
  const lot = work.lot(body.gtin, body.lot);
  if (lot && lot.expiry !== body.expiry)
    throw refuse(
      `lot ${body.lot} of ${body.gtin} has expiry ${lot.expiry}, not ${body.expiry}`,
      body,
    );
  if (lot?.recall) throw refuse(`lot ${body.lot} of ${body.gtin} is recalled`, body);
  if (lot?.quarantine) throw refuse(`lot ${body.lot} of ${body.gtin} is quarantined`, body);
  const duplicates = body.serials.filter((serial) => work.unit(body.gtin, serial));
  if (duplicates.length > 0) {
    const first = duplicates[0] as string;
    throw new SupplyRefusal(
      `serial ${first} of ${body.gtin} is already commissioned${duplicates.length > 1 ? ` (and ${duplicates.length - 1} more of these serials)` : ''}: a serial is commissioned once`,
      'duplicate-serial',
      { gtin: body.gtin, lot: body.lot, serial: first },
    );
  }
  for (const serial of body.serials) {
    work.setUnit({
      gtin: body.gtin,
      serial,
      lot: body.lot,
      expiry: body.expiry,
      status: 'active',
      custodian: actor.id,
      owner: actor.id,
      parent: null,
      shipment: null,
      custody: null,
      returned: false,
      recall: null,
      quarantine: null,
      commissionedTx: work.ctx.txId,
      lastTx: work.ctx.txId,
      lastHeight: work.ctx.height,
    });
  }
  work.hold(actor.id, body.gtin, body.lot, body.serials.length);
  const next: LotRecord = lot
    ? { ...lot, commissioned: lot.commissioned + body.serials.length }
    : {
        gtin: body.gtin,
        lot: body.lot,
        expiry: body.expiry,
        owner: actor.id,
        commissioned: body.serials.length,
        recall: null,
        quarantine: null,
        expiryChecked: false,
      };
  work.setLot(next);
};

const pack: Handler<'supply.pack'> = (work, body, actor) => {
  requireEventTime(work, body);
  for (const { parent, children } of body.packs) {
    const expanded = expandItems(work, children);
    requireTopLevel(work, expanded, children.containers);
    requireHeld(work, expanded.named, actor.id, 'packed');
    const named = children.containers.map((s) => work.container(s) as ContainerRecord);
    requireContainersHeld(named, actor.id, 'packed');
    if (children.containers.includes(parent))
      throw refuse(`container ${parent} cannot hold itself`);
    let target = work.container(parent);
    if (target) {
      // Only an unpacked or destroyed SSCC is retired: one in transit is still in use, and the
      // refusal must say so rather than call it retired.
      if (target.status === 'unpacked' || target.status === 'destroyed')
        throw refuse(`SSCC ${parent} was ${target.status}: an SSCC is never used again`);
      requireContainersHeld([target], actor.id, 'packed into');
      if (target.parent)
        throw refuse(`container ${parent} is packed in ${target.parent}: unpack it first`);
    } else {
      target = {
        sscc: parent,
        status: 'packed',
        custodian: actor.id,
        parent: null,
        shipment: null,
        units: 0,
        containers: 0,
        packedTx: work.ctx.txId,
        lastTx: work.ctx.txId,
        lastHeight: work.ctx.height,
      };
    }
    const depth = 1 + Math.max(0, ...children.containers.map((s) => depthOf(work, s)));
    if (depth > MAX_NESTING)
      throw refuse(`containers would nest ${depth} deep; at most ${MAX_NESTING}`);
    for (const u of expanded.named)
      work.setUnit({ ...u, parent, lastTx: work.ctx.txId, lastHeight: work.ctx.height });
    for (const c of named)
      work.setContainer({ ...c, parent, lastTx: work.ctx.txId, lastHeight: work.ctx.height });
    work.setContainer({
      ...target,
      units: target.units + expanded.named.length,
      containers: target.containers + named.length,
      lastTx: work.ctx.txId,
      lastHeight: work.ctx.height,
    });
  }
};

const unpack: Handler<'supply.unpack'> = (work, body, actor) => {
  requireEventTime(work, body);
  for (const sscc of body.containers) {
    const c = work.container(sscc);
    if (!c) throw refuse(`container ${sscc} was never packed on this chain`);
    requireContainersHeld([c], actor.id, 'unpacked');
    if (c.parent) throw refuse(`container ${sscc} is packed in ${c.parent}: unpack that first`);
    for (const u of work.unitsIn(sscc))
      work.setUnit({ ...u, parent: null, lastTx: work.ctx.txId, lastHeight: work.ctx.height });
    for (const inner of work.containersIn(sscc))
      work.setContainer({
        ...inner,
        parent: null,
        lastTx: work.ctx.txId,
        lastHeight: work.ctx.height,
      });
    work.setContainer({
      ...c,
      status: 'unpacked',
      units: 0,
      containers: 0,
      lastTx: work.ctx.txId,
      lastHeight: work.ctx.height,
    });
  }
};

const ship: Handler<'supply.ship'> = (work, body, actor) => {
  requireEventTime(work, body);
  const receiver = membership(work.view).member(body.to);
  if (!receiver) throw refuse(`${body.to} is not a member of the consortium`);
  if (receiver.status !== 'active')
    throw refuse(`${body.to} is ${receiver.status} and cannot receive`);
  if (body.to === actor.id) throw refuse('a member does not ship to itself');
  const expanded = expandItems(work, body.items);
  requireTopLevel(work, expanded, body.items.containers);
  requireContainersHeld(expanded.containers, actor.id, 'shipped');
  const units = allUnits(expanded);
  requireHeld(work, units, actor.id, 'shipped');
  for (const u of units) {
    const hold = holdOn(work, u);
    if (hold.quarantine) throw refuse(`${unitName(u)} is quarantined and cannot move`, u);
    const owner = work.view.get(productRecords, [u.gtin])?.owner;
    if (hold.recall && !(body.isReturn && body.to === owner))
      throw refuse(
        `${unitName(u)} is recalled: it may only be returned to ${owner ?? 'its manufacturer'}`,
        u,
      );
    if (u.returned)
      throw refuse(
        `${unitName(u)} came back as a return and must be verified before it is shipped again`,
        u,
      );
  }
  leaveStock(work, units);
  const id = work.ctx.txId;
  for (const u of units)
    work.setUnit({
      ...u,
      status: 'in-transit',
      shipment: id,
      lastTx: id,
      lastHeight: work.ctx.height,
    });
  for (const c of expanded.containers)
    work.setContainer({
      ...c,
      status: 'in-transit',
      shipment: id,
      lastTx: id,
      lastHeight: work.ctx.height,
    });
  const shipment: ShipmentRecord = {
    id,
    from: actor.id,
    to: body.to,
    status: 'in-transit',
    isReturn: body.isReturn ?? false,
    items: body.items,
    unitCount: units.length,
    receivedCount: 0,
    shippedHeight: work.ctx.height,
    shippedTime: work.ctx.time,
    receivedTx: null,
  };
  work.view.put(shipmentRecords, shipment);
};

const receive: Handler<'supply.receive'> = (work, body, actor) => {
  requireEventTime(work, body);
  const shipment = work.view.get(shipmentRecords, [body.shipment]);
  if (!shipment) {
    throw new SupplyRefusal(
      `no shipment ${body.shipment} was ever sent: a receipt without a shipment`,
      'receipt-mismatch',
    );
  }
  if (shipment.to !== actor.id)
    throw new SupplyRefusal(
      `shipment ${body.shipment} was sent to ${shipment.to}, not ${actor.id}`,
      'receipt-mismatch',
    );
  if (shipment.status !== 'in-transit' && shipment.status !== 'received-partly')
    throw refuse(`shipment ${body.shipment} is ${shipment.status}`);
  const shippedUnits = new Set(
    shipment.items.units.flatMap((g) => g.serials.map((s) => `${g.gtin} ${s}`)),
  );
  const shippedContainers = new Set(shipment.items.containers);
  for (const g of body.items.units)
    for (const s of g.serials)
      if (!shippedUnits.has(`${g.gtin} ${s}`))
        throw new SupplyRefusal(
          `unit ${g.gtin} serial ${s} was not in shipment ${body.shipment}`,
          'receipt-mismatch',
          { gtin: g.gtin, serial: s },
        );
  for (const sscc of body.items.containers)
    if (!shippedContainers.has(sscc))
      throw new SupplyRefusal(
        `container ${sscc} was not in shipment ${body.shipment}`,
        'receipt-mismatch',
      );
  const expanded = expandItems(work, body.items);
  const units = allUnits(expanded);
  for (const u of units)
    if (u.status !== 'in-transit' || u.shipment !== shipment.id)
      throw refuse(`${unitName(u)} was already received`, u);
  for (const c of expanded.containers)
    if (c.status !== 'in-transit' || c.shipment !== shipment.id)
      throw refuse(`container ${c.sscc} was already received`);
  const id = work.ctx.txId;
  const custody = actor.kind === 'distributor' ? id : null;
  for (const u of units) {
    work.setUnit({
      ...u,
      status: 'active',
      custodian: actor.id,
      owner: actor.id,
      shipment: null,
      custody,
      returned: shipment.isReturn,
      lastTx: id,
      lastHeight: work.ctx.height,
    });
    work.hold(actor.id, u.gtin, u.lot, 1);
  }
  for (const c of expanded.containers)
    work.setContainer({
      ...c,
      status: 'packed',
      custodian: actor.id,
      shipment: null,
      lastTx: id,
      lastHeight: work.ctx.height,
    });
  alertRecalledReceipt(work, units, actor.id);
  if (custody && units.length > 0) {
    work.view.put(custodyRecords, {
      member: actor.id,
      receipt: id,
      receivedTime: work.ctx.time,
      remaining: units.length,
      alerted: false,
    });
  }
  const receivedCount = shipment.receivedCount + units.length;
  // Complete when nothing of it is still on its way: counting units alone would close a
  // shipment while a container of it that holds no units (all dispensed or destroyed before it
  // was shipped) is still in transit, and it could never be received.
  const complete =
    receivedCount === shipment.unitCount &&
    shipment.items.containers.every(
      (sscc) => (work.container(sscc) as ContainerRecord).shipment !== shipment.id,
    );
  work.view.put(shipmentRecords, {
    ...shipment,
    status: complete ? 'received' : 'received-partly',
    receivedCount,
    receivedTx: id,
  });
  if (!complete) {
    work.alert(
      'receipt-mismatch',
      actor.id,
      `${actor.id} received ${units.length} of the ${shipment.unitCount - shipment.receivedCount} units still in transit in shipment ${shipment.id} from ${shipment.from}`,
      { quantity: shipment.unitCount - receivedCount },
    );
  }
};

const dispense: Handler<'supply.dispense'> = (work, body, actor) => {
  requireEventTime(work, body);
  requireKind(actor, ['pharmacy', 'hospital', 'clinic'], 'dispense');
  const expanded = expandItems(work, body.items);
  const units = allUnits(expanded);
  requireHeld(work, units, actor.id, 'dispensed');
  requireContainersHeld(expanded.containers, actor.id, 'dispensed');
  // As for destroying: a named container must be loose. Ending one inside another would leave
  // the outer container counting a child it no longer holds.
  requireTopLevel(work, { ...expanded, named: [] }, body.items.containers);
  for (const u of units) {
    const hold = holdOn(work, u);
    if (hold.recall) throw refuse(`${unitName(u)} is recalled and cannot be dispensed`, u);
    if (hold.quarantine) throw refuse(`${unitName(u)} is quarantined and cannot be dispensed`, u);
    if (expired(work, u))
      throw new SupplyRefusal(
        `${unitName(u)} expired on ${u.expiry} and cannot be dispensed`,
        'expired-stock-held',
        u,
      );
    if (u.returned)
      throw refuse(`${unitName(u)} came back as a return and must be verified first`, u);
  }
  endUnits(work, expanded, 'dispensed', work.ctx.txId);
};

/** Destroying or decommissioning: allowed for recalled, quarantined or expired stock too. */
const endOfLife =
  (status: 'destroyed' | 'decommissioned') =>
  (
    work: SupplyWork,
    body: SupplyTxOf<'supply.destroy'> | SupplyTxOf<'supply.decommission'>,
    actor: MemberRecord,
  ): void => {
    requireEventTime(work, body);
    const expanded = expandItems(work, body.items);
    requireHeld(work, allUnits(expanded), actor.id, status);
    requireContainersHeld(expanded.containers, actor.id, status);
    requireTopLevel(work, { ...expanded, named: [] }, body.items.containers);
    endUnits(work, expanded, status, work.ctx.txId);
  };

/** Recalls and quarantines: by the product's owner or a regulator. */
function placeHold(
  work: SupplyWork,
  body: SupplyTxOf<'supply.recall'> | SupplyTxOf<'supply.quarantine'>,
  actor: MemberRecord,
): RecallRecord {
  const product = requireProduct(work, body.gtin);
  if (product.owner !== actor.id && actor.kind !== 'regulator')
    throw refuse(`only ${product.owner}, the product's owner, or a regulator may do this`, body);
  const lot = work.lot(body.gtin, body.lot);
  if (!lot) throw refuse(`no unit of lot ${body.lot} of ${body.gtin} was ever commissioned`, body);
  const kind = body.type === 'supply.recall' ? 'recall' : 'quarantine';
  const record: RecallRecord = {
    id: work.ctx.txId,
    kind,
    gtin: body.gtin,
    lot: body.lot,
    ...(body.serials ? { serials: body.serials } : {}),
    ...(body.type === 'supply.recall' ? { recallClass: body.recallClass } : {}),
    reason: body.reason,
    issuer: actor.id,
    status: 'active',
    height: work.ctx.height,
    time: work.ctx.time,
    liftedTx: null,
  };
  if (!body.serials) {
    if (lot[kind])
      throw refuse(`lot ${body.lot} of ${body.gtin} is already under ${kind} ${lot[kind]}`, body);
    work.setLot({ ...lot, [kind]: record.id });
  } else {
    for (const serial of body.serials) {
      const u = work.unit(body.gtin, serial);
      if (!u || u.lot !== body.lot)
        throw refuse(`serial ${serial} of ${body.gtin} is not a unit of lot ${body.lot}`, {
          ...body,
          serial,
        });
      // A unit carries one hold of each kind: a second would replace the first, and lifting the
      // second would then free a unit the first still holds.
      if (u[kind])
        throw refuse(`serial ${serial} of ${body.gtin} is already under ${kind} ${u[kind]}`, {
          ...body,
          serial,
        });
      work.setUnit({ ...u, [kind]: record.id });
    }
  }
  work.view.put(recallRecords, record);
  return record;
}

const recall: Handler<'supply.recall'> = (work, body, actor) => {
  const record = placeHold(work, body, actor);
  const what = `of recalled lot ${body.lot} of ${body.gtin} (class ${body.recallClass}, ${body.reason})`;
  const units = (n: number) => `${n} unit${n === 1 ? '' : 's'}`;
  for (const { member, quantity } of heldOf(work, record)) {
    work.alert('recalled-stock-held', member, `${member} holds ${units(quantity)} ${what}`, {
      gtin: body.gtin,
      lot: body.lot,
      quantity,
    });
  }
  // Stock on its way is held by its addressee as soon as it arrives: it is told now.
  for (const { member, quantity } of inTransitOf(work, record)) {
    work.alert(
      'recalled-stock-held',
      member,
      `${units(quantity)} ${what} ${quantity === 1 ? 'is' : 'are'} on the way to ${member}`,
      { gtin: body.gtin, lot: body.lot, quantity },
    );
  }
};

/** Units a recall covers that are in transit, by the member they are addressed to. */
function inTransitOf(
  work: SupplyWork,
  record: RecallRecord,
): { member: string; quantity: number }[] {
  const units = record.serials
    ? record.serials.map((s) => work.unit(record.gtin, s) as UnitRecord)
    : work.view.list(unitRecords, 'ofLotStatus', record.gtin, record.lot, 'in-transit');
  const byReceiver = new Map<string, number>();
  for (const u of units) {
    if (u.status !== 'in-transit' || !u.shipment) continue;
    const to = (work.view.get(shipmentRecords, [u.shipment]) as ShipmentRecord).to;
    byReceiver.set(to, (byReceiver.get(to) ?? 0) + 1);
  }
  return [...byReceiver.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([member, quantity]) => ({ member, quantity }));
}

/** Recalled units a member just received are recalled stock it now holds: it is told. */
function alertRecalledReceipt(work: SupplyWork, units: readonly UnitRecord[], member: string) {
  const recalled = units.filter((u) => holdOn(work, u).recall !== null);
  for (const { gtin, lot, count } of countByLot(recalled)) {
    work.alert(
      'recalled-stock-held',
      member,
      `${member} received ${count} unit${count === 1 ? '' : 's'} of recalled lot ${lot} of ${gtin}`,
      { gtin, lot, quantity: count },
    );
  }
}

/** Who holds active stock a recall covers, with how much, by member id. */
function heldOf(work: SupplyWork, record: RecallRecord): { member: string; quantity: number }[] {
  if (!record.serials) {
    return work.view
      .list(holdingRecords, 'ofLot', record.gtin, record.lot)
      .filter((h) => h.quantity > 0)
      .map((h) => ({ member: h.member, quantity: h.quantity }));
  }
  const counts = new Map<string, number>();
  for (const serial of record.serials) {
    const u = work.unit(record.gtin, serial) as UnitRecord;
    if (u.status === 'active') counts.set(u.custodian, (counts.get(u.custodian) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([member, quantity]) => ({ member, quantity }));
}

const quarantine: Handler<'supply.quarantine'> = (work, body, actor) => {
  placeHold(work, body, actor);
};

const liftQuarantine: Handler<'supply.quarantine.lift'> = (work, body, actor) => {
  const record = work.view.get(recallRecords, [body.quarantine]);
  if (!record || record.kind !== 'quarantine') throw refuse(`no quarantine ${body.quarantine}`);
  if (record.status !== 'active') throw refuse(`quarantine ${body.quarantine} is already lifted`);
  const owner = work.view.get(productRecords, [record.gtin])?.owner;
  if (actor.id !== owner && actor.id !== record.issuer && actor.kind !== 'regulator') {
    // The owner and the issuer are often the same member: name it once.
    const who = [...new Set([owner ?? 'the product owner', record.issuer])].join(', ');
    throw refuse(`only ${who} or a regulator may lift this quarantine`);
  }
  if (!record.serials) {
    const lot = work.lot(record.gtin, record.lot) as LotRecord;
    work.setLot({ ...lot, quarantine: null });
  } else {
    for (const serial of record.serials) {
      const u = work.unit(record.gtin, serial) as UnitRecord;
      if (u.quarantine === record.id) work.setUnit({ ...u, quarantine: null });
    }
  }
  work.view.put(recallRecords, { ...record, status: 'lifted', liftedTx: work.ctx.txId });
};

const verify: Handler<'supply.verify'> = (work, body, actor) => {
  const answer = verifyIdentifier(work.view, body, work.ctx.time);
  work.view.put(verificationRecords, {
    id: work.ctx.txId,
    requester: actor.id,
    context: body.context,
    gtin: body.gtin,
    serial: body.serial,
    lot: body.lot,
    expiry: body.expiry,
    verified: answer.verified,
    failure: answer.failure,
    info: answer.info,
    height: work.ctx.height,
    time: work.ctx.time,
  });
  const subject = { gtin: body.gtin, lot: body.lot, serial: body.serial };
  if (!answer.verified) {
    work.alert(
      'verification-failed',
      actor.id,
      `${actor.id} could not verify ${body.gtin} serial ${body.serial} lot ${body.lot} (${body.context}): ${answer.failure ?? answer.info.join(', ')}`,
      subject,
    );
    const failures = work.view
      .list(verificationRecords, 'ofUnit', body.gtin, body.serial)
      .filter((v) => !v.verified).length;
    if (failures === SUSPECT_AFTER_FAILURES) {
      work.alert(
        'repeated-verification-failures',
        actor.id,
        `${body.gtin} serial ${body.serial} failed verification ${failures} times: treat it as suspect`,
        subject,
      );
    }
    return;
  }
  const unit = work.unit(body.gtin, body.serial) as UnitRecord;
  if (body.context === 'saleable-return' && unit.returned && unit.custodian === actor.id) {
    work.setUnit({ ...unit, returned: false });
  }
};

const declareError: Handler<'supply.error'> = (work, body, actor) => {
  const event = work.view.get(eventRecords, [body.event]);
  if (!event) throw refuse(`no supply event ${body.event} took effect on this chain`);
  if (event.member !== actor.id)
    throw refuse(
      `event ${body.event} was recorded by ${event.member}; only it may declare it in error`,
    );
  if (event.error) throw refuse(`event ${body.event} was already declared in error`);
  work.view.put(eventRecords, {
    ...event,
    error: { reason: body.reason, declaredTx: work.ctx.txId },
  });
  const shipment = work.view.get(shipmentRecords, [body.event]);
  if (shipment && (shipment.status === 'in-transit' || shipment.status === 'received-partly'))
    cancelShipment(work, shipment);
  if (event.type === 'supply.commission') withdrawCommission(work, body.event);
};

/**
 * An erroneous shipment: what is still on its way goes back to the shipper's stock (all of it,
 * if nothing was received yet); what was received stays with the receiver.
 */
function cancelShipment(work: SupplyWork, shipment: ShipmentRecord): void {
  const id = work.ctx.txId;
  const onTheWay = shipment.items.containers
    .map((sscc) => work.container(sscc) as ContainerRecord)
    .filter((c) => c.status === 'in-transit' && c.shipment === shipment.id);
  const looseUnits = shipment.items.units.flatMap((g) =>
    g.serials
      .map((serial) => work.unit(g.gtin, serial) as UnitRecord)
      .filter((u) => u.status === 'in-transit' && u.shipment === shipment.id),
  );
  const expanded = expandItems(work, {
    units: [],
    containers: onTheWay.map((c) => c.sscc),
  });
  for (const u of [...looseUnits, ...expanded.contained]) {
    work.setUnit({
      ...u,
      status: 'active',
      shipment: null,
      lastTx: id,
      lastHeight: work.ctx.height,
    });
    work.hold(u.custodian, u.gtin, u.lot, 1);
    if (u.custody) work.custody(u.custodian, u.custody, 1);
  }
  for (const c of expanded.containers)
    work.setContainer({
      ...c,
      status: 'packed',
      shipment: null,
      lastTx: id,
      lastHeight: work.ctx.height,
    });
  work.view.put(shipmentRecords, { ...shipment, status: 'cancelled' });
}

/** Units of an erroneous commissioning that have not moved since are decommissioned. */
function withdrawCommission(work: SupplyWork, eventId: string): void {
  const units = work.view
    .list(unitRecords, 'ofCommission', eventId)
    .map((u) => work.unit(u.gtin, u.serial) as UnitRecord)
    .filter((u) => u.lastTx === eventId && u.status === 'active');
  leaveStock(work, units);
  for (const u of units) {
    work.setUnit({
      ...u,
      status: 'decommissioned',
      lastTx: work.ctx.txId,
      lastHeight: work.ctx.height,
    });
  }
}

const settings: Handler<'supply.settings'> = (work, body, actor) => {
  requireKind(actor, ['regulator'], 'set the supply rules');
  work.view.put(supplySettingsRecords, body.settings);
};

const HANDLERS: { [T in SupplyTx['type']]: Handler<T> } = {
  'supply.product.register': registerProduct,
  'supply.product.amend': amendProduct,
  'supply.commission': commission,
  'supply.pack': pack,
  'supply.unpack': unpack,
  'supply.ship': ship,
  'supply.receive': receive,
  'supply.dispense': dispense,
  'supply.decommission': endOfLife('decommissioned'),
  'supply.destroy': endOfLife('destroyed'),
  'supply.recall': recall,
  'supply.quarantine': quarantine,
  'supply.quarantine.lift': liftQuarantine,
  'supply.verify': verify,
  'supply.error': declareError,
  'supply.settings': settings,
};

/** Events that an error declaration may later name. */
const EVENT_TYPES = new Set<string>([
  'supply.commission',
  'supply.pack',
  'supply.unpack',
  'supply.ship',
  'supply.receive',
  'supply.dispense',
  'supply.decommission',
  'supply.destroy',
]);

/**
 * Checks every supply rule and stages the changes of one transaction; throws SupplyRefusal
 * when a rule is broken, with nothing staged. The console calls this before it signs, so a
 * person's mistake is shown at the form, not recorded as an alert.
 */
export function applySupplyStrict(view: Overlay, body: SupplyTx, ctx: TxContext): void {
  const actor = requireActiveSigner(view, body);
  const scratch = new Overlay(view);
  const work = new SupplyWork(scratch, ctx);
  (HANDLERS[body.type] as Handler<SupplyTx['type']>)(work, body, actor);
  work.flush();
  if (EVENT_TYPES.has(body.type)) {
    scratch.put(eventRecords, {
      id: ctx.txId,
      type: body.type,
      member: actor.id,
      height: ctx.height,
      time: ctx.time,
      error: null,
    });
  }
  for (const change of scratch.changes) view.stage(change);
}

/**
 * A supply transaction in a block. The signer must be an active member (or the transaction
 * stays out of the block); a signed attempt that breaks a supply rule is recorded as an alert
 * naming the member and the reason, and changes nothing else.
 */
export function applySupplyTx(view: Overlay, body: SupplyTx, ctx: TxContext): void {
  requireActiveSigner(view, body);
  try {
    applySupplyStrict(view, body, ctx);
  } catch (error) {
    if (!(error instanceof SupplyRefusal)) throw error;
    new SupplyWork(view, ctx).alert(error.alert, body.member, error.message, error.subject);
  }
}
