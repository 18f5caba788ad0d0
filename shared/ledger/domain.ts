import type { z } from 'zod';
import type { VerifySignature } from './keys';
import type { AnyRecordKind } from './records';
import type { Overlay, StateView } from './state';

/** A transaction that breaks a ledger rule. The message is shown to the person who acted. */
export class RuleError extends Error {}

/** Where in the chain a transaction is applied. */
export interface TxContext {
  txId: string;
  height: number;
  /** Block time: the only clock the rules know. */
  time: number;
  /**
   * The platform's signature rule (see keys.ts), for rules that check signatures inside a
   * transaction (evidence of equivocation). applyTx always passes the one it checks the
   * transaction's own signature with; callers that apply rules directly may leave it out.
   */
  verify?: VerifySignature;
}

/** The part of a transaction body every domain's transactions share (see tx.ts). */
export interface TxEnvelope {
  v: 1;
  chainId: string;
  member: string;
  signer: string;
  nonce: string;
  type: string;
}

/** A validator in force: the member and the node key that signs its commit votes. */
export interface Validator {
  member: string;
  nodeKey: string;
}

/**
 * What a domain declares to the ledger, in the sense of a Cosmos SDK module: its transaction
 * types (strict schemas, each with a literal `type`), the kinds of state record it derives, the
 * rules that turn a transaction into changes, and a line a person can read for each
 * transaction. The registry (registry.ts) composes the domains; the core knows no other way in.
 */
export interface Domain<Body extends TxEnvelope = TxEnvelope> {
  readonly name: string;
  readonly txs: readonly z.ZodType<Body>[];
  /** Longest signed body text its transactions need (the ledger allows the largest of these). */
  readonly maxTxChars?: number;
  readonly records: readonly AnyRecordKind[];
  /** Checks the rules and stages the changes of one transaction; throws RuleError. */
  apply(view: Overlay, body: Body, ctx: TxContext): void;
  /** Work every block does before its transactions (e.g. proposals past their deadline expire). */
  beginBlock?(view: Overlay, height: number, time: number): void;
  /** One line a person can read, e.g. "Vote approve: Suspend CityCare Pharmacy". */
  describe(body: Body, view: StateView): string;
}

export function defineDomain<Body extends TxEnvelope>(domain: Domain<Body>): Domain<Body> {
  return domain;
}
