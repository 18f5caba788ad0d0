/**
 * The registry: the one module that knows every ledger domain, and through which the core
 * (shared/ledger) reaches them. A domain declares its transactions, record kinds, rules and
 * descriptions in its own folder (see shared/ledger/domain.ts); adding one means adding it here.
 */
import { z } from 'zod';
import { consensusDomain } from './consensus/domain';
import { CONSENSUS_TXS } from './consensus/txs';
import type { Domain, TxContext, TxEnvelope, Validator } from './ledger/domain';
import type { AnyRecordKind } from './ledger/records';
import type { Overlay, StateView } from './ledger/state';
import { membersDomain } from './members/domain';
import {
  checkMembershipGenesis,
  MEMBERSHIP_GENESIS,
  membershipGenesisChanges,
} from './members/genesis';
import {
  validatorsAt as membershipValidatorsAt,
  validatorSet as membershipValidators,
} from './members/schedule';
import { MEMBERSHIP_TXS } from './members/txs';
import { permissionsDomain } from './permissions/domain';
import { PERMISSIONS_TXS } from './permissions/txs';
import { researchDomain } from './research/domain';
import { RESEARCH_TXS } from './research/txs';
import { supplyDomain } from './supply/domain';
import { SUPPLY_TXS } from './supply/txs';

/** Every domain, in the order their begin-block work runs. */
export const DOMAINS: readonly Domain[] = [
  membersDomain,
  supplyDomain,
  permissionsDomain,
  researchDomain,
  consensusDomain,
];

/** Every transaction body of every domain, told apart by `type`. */
export const TxBody = z.discriminatedUnion('type', [
  ...MEMBERSHIP_TXS,
  ...SUPPLY_TXS,
  ...PERMISSIONS_TXS,
  ...RESEARCH_TXS,
  ...CONSENSUS_TXS,
]);
export type TxBody = z.infer<typeof TxBody>;
export type TxType = TxBody['type'];
export const TX_TYPES = TxBody.options.map((o) => o.shape.type.value) as TxType[];

/** The longest transaction body text the ledger accepts: what the most demanding domain needs. */
export const MAX_TX_CHARS = Math.max(64 * 1024, ...DOMAINS.map((d) => d.maxTxChars ?? 0));

const domainByTx = new Map<string, Domain>();
for (const domain of DOMAINS) {
  for (const schema of domain.txs) {
    const type = (schema as unknown as z.ZodObject<{ type: z.ZodLiteral<string> }>).shape.type
      .value;
    if (domainByTx.has(type)) throw new Error(`transaction type ${type} is declared twice`);
    domainByTx.set(type, domain);
  }
}

function domainOf(body: TxEnvelope): Domain {
  const domain = domainByTx.get(body.type);
  if (!domain) throw new Error(`no domain declares transaction type ${body.type}`);
  return domain;
}

/** Every kind of derived state record, across domains. */
export const RECORD_KINDS: readonly AnyRecordKind[] = DOMAINS.flatMap((d) => d.records);
{
  const seen = new Set<string>();
  for (const kind of RECORD_KINDS) {
    if (seen.has(kind.kind) || seen.has(kind.table))
      throw new Error(`record kind ${kind.kind} (table ${kind.table}) is declared twice`);
    seen.add(kind.kind).add(kind.table);
  }
}

/** Applies one transaction's rules through the domain that declares its type. */
export function applyDomainTx(view: Overlay, body: TxBody, ctx: TxContext): void {
  domainOf(body).apply(view, body, ctx);
}

/** Each domain's work at the start of a block, in registry order. */
export function beginDomainBlock(view: Overlay, height: number, time: number): void {
  for (const domain of DOMAINS) domain.beginBlock?.(view, height, time);
}

/** One line a person can read for a transaction. */
export function describeBody(body: TxBody, view: StateView): string {
  return domainOf(body).describe(body, view);
}

/**
 * The validator set in the state: membership decides who they are. Consensus at a height uses
 * validatorsAt, which a change reaches two blocks after the block that made it.
 */
export function validatorSet(view: StateView): Validator[] {
  return membershipValidators(view);
}

/** V_h: the validators that propose, decide and certify block `height` (docs/consensus.md, §7). */
export function validatorsAt(view: StateView, height: number): Validator[] {
  return membershipValidatorsAt(view, height);
}

/** The domains' parts of a genesis document, its checks, and the state it founds. */
export const GENESIS = {
  fields: MEMBERSHIP_GENESIS,
  check: checkMembershipGenesis,
  changes: membershipGenesisChanges,
};
