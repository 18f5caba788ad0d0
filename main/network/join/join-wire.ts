import { z } from 'zod';
import { Hash, Height } from '../../../shared/ledger/schemas';
import { describeZod } from '../../../shared/ledger/tx';
import type { Frame } from '../transport/frames';
import { Token } from './invitation';

/*
 * The join protocol (docs/sync.md §4, §9), spoken between a guest that holds an invitation and
 * the node that made it, as frames like every other protocol's: a type byte, a strict canonical
 * JSON head, ledger texts as items. A guest asks (GetGenesis, JoinRequest, JoinStatus), always
 * with its token; the node answers each with one frame (Genesis, JoinAck, JoinState) or with
 * Refused and the reason.
 */

export const JOIN_FRAME = {
  getGenesis: 1,
  joinRequest: 2,
  joinStatus: 3,
  genesis: 4,
  joinAck: 5,
  joinState: 6,
  refused: 7,
} as const;

export class JoinWireError extends Error {}

/** Where a join request stands, as the inviting node's replica says (docs/sync.md §9.4). */
export const JOIN_STATES = [
  /** Accepted into the mempool, not yet in a block. */
  'pending',
  /** In a block: the admit proposal is under vote. */
  'open',
  'approved',
  'rejected',
  'expired',
  /** Refused: by a block, or approved but not carried out (`reason` says why). */
  'refused',
] as const;
export const JoinStateName = z.enum(JOIN_STATES);
export type JoinStateName = z.infer<typeof JoinStateName>;

const Count = z.int().min(0).max(1_000_000);
const Reason = z.string().min(1).max(1000);

const TokenHead = z.strictObject({ token: Token });
const EmptyHead = z.strictObject({});
const JoinAckHead = z.strictObject({ txId: Hash });
const JoinStateHead = z.strictObject({
  txId: Hash,
  state: JoinStateName,
  /** The block that decided it (approved, rejected, expired, refused by a decision). */
  height: Height.optional(),
  approvals: Count.optional(),
  rejections: Count.optional(),
  needed: Count.optional(),
  reason: Reason.optional(),
});
export type JoinState = z.infer<typeof JoinStateHead>;
const RefusedHead = z.strictObject({
  request: z.enum(['get-genesis', 'join-request', 'join-status', 'unknown']),
  reason: Reason,
});
export type JoinRefusal = z.infer<typeof RefusedHead>;

export type JoinFrame =
  | { kind: 'get-genesis'; token: string }
  | { kind: 'join-request'; token: string; tx: string }
  | { kind: 'join-status'; token: string }
  | { kind: 'genesis'; genesis: string }
  | { kind: 'join-ack'; txId: string }
  | { kind: 'join-state'; state: JoinState }
  | { kind: 'refused'; refusal: JoinRefusal };

function head<T>(schema: z.ZodType<T>, frame: Frame, what: string): T {
  const parsed = schema.safeParse(frame.head);
  if (!parsed.success) throw new JoinWireError(`${what}: ${describeZod(parsed.error)}`);
  return parsed.data;
}

function items(frame: Frame, count: number, what: string): string[] {
  if (frame.items.length !== count) {
    throw new JoinWireError(
      `${what} carries ${count === 0 ? 'no items' : `${count} item${count === 1 ? '' : 's'}`}, not ${frame.items.length}`,
    );
  }
  return frame.items;
}

export const getGenesisFrame = (token: string): Frame => ({
  type: JOIN_FRAME.getGenesis,
  head: { token },
  items: [],
});
export const joinRequestFrame = (token: string, tx: string): Frame => ({
  type: JOIN_FRAME.joinRequest,
  head: { token },
  items: [tx],
});
export const joinStatusFrame = (token: string): Frame => ({
  type: JOIN_FRAME.joinStatus,
  head: { token },
  items: [],
});
export const genesisFrame = (genesis: string): Frame => ({
  type: JOIN_FRAME.genesis,
  head: {},
  items: [genesis],
});
export const joinAckFrame = (txId: string): Frame => ({
  type: JOIN_FRAME.joinAck,
  head: { txId },
  items: [],
});
export const joinStateFrame = (state: JoinState): Frame => ({
  type: JOIN_FRAME.joinState,
  head: JoinStateHead.parse(state),
  items: [],
});
export const refusedFrame = (refusal: JoinRefusal): Frame => ({
  type: JOIN_FRAME.refused,
  head: { request: refusal.request, reason: refusal.reason.slice(0, 1000) },
  items: [],
});

/** Decodes a join frame strictly; a malformed one throws JoinWireError naming what is wrong. */
export function decodeJoinFrame(frame: Frame): JoinFrame {
  switch (frame.type) {
    case JOIN_FRAME.getGenesis: {
      items(frame, 0, 'GetGenesis');
      return { kind: 'get-genesis', token: head(TokenHead, frame, 'GetGenesis').token };
    }
    case JOIN_FRAME.joinRequest: {
      const [tx] = items(frame, 1, 'JoinRequest');
      return {
        kind: 'join-request',
        token: head(TokenHead, frame, 'JoinRequest').token,
        tx: tx as string,
      };
    }
    case JOIN_FRAME.joinStatus: {
      items(frame, 0, 'JoinStatus');
      return { kind: 'join-status', token: head(TokenHead, frame, 'JoinStatus').token };
    }
    case JOIN_FRAME.genesis: {
      head(EmptyHead, frame, 'Genesis');
      const [genesis] = items(frame, 1, 'Genesis');
      return { kind: 'genesis', genesis: genesis as string };
    }
    case JOIN_FRAME.joinAck:
      items(frame, 0, 'JoinAck');
      return { kind: 'join-ack', txId: head(JoinAckHead, frame, 'JoinAck').txId };
    case JOIN_FRAME.joinState:
      items(frame, 0, 'JoinState');
      return { kind: 'join-state', state: head(JoinStateHead, frame, 'JoinState') };
    case JOIN_FRAME.refused:
      items(frame, 0, 'Refused');
      return { kind: 'refused', refusal: head(RefusedHead, frame, 'Refused') };
    default:
      throw new JoinWireError(`unknown join frame type ${frame.type}`);
  }
}
