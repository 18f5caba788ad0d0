import { z } from 'zod';
import { canonicalText } from '../../shared/ledger/canonical';
import type { VerifySignature } from '../../shared/ledger/keys';
import { Hash, Height } from '../../shared/ledger/schemas';
import { describeZod } from '../../shared/ledger/tx';
import { decodeMessage, MAX_ROUND, type SignedMessage } from '../../shared/consensus/messages';
import type { Step } from '../../shared/consensus/io';
import { MAX_VALIDATORS } from '../../shared/members/schemas';
import type { BlockBody } from './consensus-driver';
import type { Frame } from './transport/frames';

/*
 * What nodes say to each other on the tx, consensus and blocks protocols (docs/sync.md §4), as
 * frames: a type byte, a strict canonical-JSON head, and ledger texts as items. Decoding checks
 * everything a frame can be checked for without the chain: schemas, counts, signatures of
 * consensus messages. What a message means for the chain is the receiver's to check.
 */

export const MAX_VOTES_PER_FRAME = 200;
export const MAX_BLOCKS_PER_FRAME = 64;
const MAX_TXS_PER_BLOCK = 10_000;

export const FRAME = {
  /** Status says where a node stands (docs/sync.md §6.3); Ping and Pong measure latency. */
  status: { status: 1, ping: 2, pong: 3 },
  tx: { txs: 1 },
  consensus: { proposal: 1, votes: 2, getProposal: 3 },
  blocks: { announce: 1, getBlocks: 2, blocks: 3 },
} as const;

export class WireError extends Error {}

/** A signed consensus message as a frame head carries it: its wire object, not a string. */
const SignedMessageHead = z.looseObject({});

const TxsHead = z.strictObject({ count: z.int().min(1).max(MAX_TXS_PER_BLOCK) });
const ProposalHead = z.strictObject({ message: SignedMessageHead });
const VotesHead = z.strictObject({
  votes: z.array(SignedMessageHead).min(1).max(MAX_VOTES_PER_FRAME),
});
const GetProposalHead = z.strictObject({
  height: Height,
  round: z.int().min(0).max(MAX_ROUND),
  blockHash: Hash,
});
const AnnounceHead = z.strictObject({ height: Height, hash: Hash });
const GetBlocksHead = z.strictObject({
  from: Height,
  count: z.int().min(1).max(MAX_BLOCKS_PER_FRAME),
});
const BlocksHead = z.strictObject({
  from: Height,
  blocks: z.array(z.int().min(0).max(MAX_TXS_PER_BLOCK)).min(1).max(MAX_BLOCKS_PER_FRAME),
});

/** A Ping's number, echoed by its Pong: which ping an answer is to. */
const PingHead = z.strictObject({
  nonce: z
    .int()
    .min(1)
    .max(2 ** 31 - 1),
});

/**
 * One character per validator of V_h, in its order, '1' where the sender holds that validator's
 * vote: at most 100 characters, so a Status always fits its 4 KiB frame.
 */
const Bitmap = z
  .string()
  .max(MAX_VALIDATORS)
  .regex(/^[01]*$/, 'a bitmap is a string of 0 and 1, one per validator');

const StatusHead = z.strictObject({
  height: Height,
  headHash: Hash,
  round: z.int().min(0).max(MAX_ROUND),
  step: z.enum(['waiting', 'propose', 'prevote', 'precommit']),
  proposal: z.boolean(),
  prevotes: Bitmap,
  precommits: Bitmap,
  syncing: z.boolean(),
});

function head<T>(schema: z.ZodType<T>, frame: Frame, what: string): T {
  const parsed = schema.safeParse(frame.head);
  if (!parsed.success) throw new WireError(`${what}: ${describeZod(parsed.error)}`);
  return parsed.data;
}

function signed(raw: unknown, verify: VerifySignature): SignedMessage {
  try {
    return decodeMessage(canonicalText(raw), verify);
  } catch (error) {
    throw new WireError((error as Error).message);
  }
}

// ---- status ----

/**
 * Where a node stands (docs/sync.md §4, §6.3): `height` and `headHash` are its last committed
 * block, as in Hello (the blocks it can serve); `round`, `step`, `proposal` and the bitmaps are
 * those of the height it decides, `height + 1`, for its current round, over V_{height+1}.
 */
export interface Status {
  height: number;
  headHash: string;
  round: number;
  step: Step;
  /** Whether it holds the proposal of its round, with the block. */
  proposal: boolean;
  prevotes: string;
  precommits: string;
  /** It is catching up (a peer reports a height more than one above its own). */
  syncing: boolean;
}

export type StatusFrame =
  { kind: 'status'; status: Status } | { kind: 'ping' | 'pong'; nonce: number };

export function statusFrame(status: Status): Frame {
  return { type: FRAME.status.status, head: { ...status }, items: [] };
}

export function pingFrame(nonce: number): Frame {
  return { type: FRAME.status.ping, head: { nonce }, items: [] };
}

export function pongFrame(nonce: number): Frame {
  return { type: FRAME.status.pong, head: { nonce }, items: [] };
}

/**
 * A status-protocol frame. A Status's bitmaps must be of one length (both are over V_h); that
 * the length is |V_h| only the receiver can tell, from its chain.
 */
export function decodeStatusFrame(frame: Frame): StatusFrame {
  switch (frame.type) {
    case FRAME.status.status: {
      if (frame.items.length > 0) throw new WireError('a Status frame carries no items');
      const status = head(StatusHead, frame, 'Status');
      if (status.prevotes.length !== status.precommits.length) {
        throw new WireError(
          `Status has a prevote bitmap of ${status.prevotes.length} validators and a precommit bitmap of ${status.precommits.length}`,
        );
      }
      return { kind: 'status', status };
    }
    case FRAME.status.ping:
    case FRAME.status.pong: {
      const what = frame.type === FRAME.status.ping ? 'Ping' : 'Pong';
      if (frame.items.length > 0) throw new WireError(`a ${what} frame carries no items`);
      const { nonce } = head(PingHead, frame, what);
      return { kind: frame.type === FRAME.status.ping ? 'ping' : 'pong', nonce };
    }
    default:
      throw new WireError(`unknown status frame type ${frame.type}`);
  }
}

// ---- tx ----

export function txsFrame(texts: readonly string[]): Frame {
  return { type: FRAME.tx.txs, head: { count: texts.length }, items: [...texts] };
}

/** The transaction texts of a Txs frame, not yet decoded (the mempool decodes and checks them). */
export function decodeTxsFrame(frame: Frame): string[] {
  if (frame.type !== FRAME.tx.txs) throw new WireError(`unknown tx frame type ${frame.type}`);
  const { count } = head(TxsHead, frame, 'Txs');
  if (frame.items.length !== count) {
    throw new WireError(`Txs says ${count} transactions and carries ${frame.items.length}`);
  }
  return frame.items;
}

// ---- consensus ----

export type ConsensusFrame =
  | { kind: 'proposal'; message: SignedMessage; block: BlockBody }
  | { kind: 'votes'; votes: SignedMessage[] }
  | { kind: 'get-proposal'; height: number; round: number; blockHash: string };

const wireObject = (message: SignedMessage): unknown => JSON.parse(message.text);

export function proposalFrame(message: SignedMessage, block: BlockBody): Frame {
  return {
    type: FRAME.consensus.proposal,
    head: { message: wireObject(message) },
    items: [block.header, ...block.txs],
  };
}

export function votesFrame(votes: readonly SignedMessage[]): Frame {
  return { type: FRAME.consensus.votes, head: { votes: votes.map(wireObject) }, items: [] };
}

export function getProposalFrame(height: number, round: number, blockHash: string): Frame {
  return { type: FRAME.consensus.getProposal, head: { height, round, blockHash }, items: [] };
}

/**
 * How many votes a Votes frame's head says it carries, read before anything is verified, so a
 * rate limit can be applied first; 0 when the head has no list of votes.
 */
export function claimedVotes(frame: Frame): number {
  const head = frame.head;
  if (typeof head !== 'object' || head === null || !('votes' in head)) return 0;
  return Array.isArray(head.votes) ? head.votes.length : 0;
}

export function decodeConsensusFrame(frame: Frame, verify: VerifySignature): ConsensusFrame {
  switch (frame.type) {
    case FRAME.consensus.proposal: {
      const { message: raw } = head(ProposalHead, frame, 'Proposal');
      const message = signed(raw, verify);
      if (message.kind !== 'proposal') throw new WireError('a Proposal frame carries a proposal');
      const [header, ...txs] = frame.items;
      if (header === undefined) throw new WireError('a Proposal frame carries its block header');
      if (txs.length > MAX_TXS_PER_BLOCK) throw new WireError('a block holds at most 10000 txs');
      return { kind: 'proposal', message, block: { header, txs } };
    }
    case FRAME.consensus.votes: {
      const { votes } = head(VotesHead, frame, 'Votes');
      if (frame.items.length > 0) throw new WireError('a Votes frame carries no items');
      const decoded = votes.map((raw) => signed(raw, verify));
      if (decoded.some((m) => m.kind === 'proposal')) {
        throw new WireError('a Votes frame carries prevotes and precommits only');
      }
      return { kind: 'votes', votes: decoded };
    }
    case FRAME.consensus.getProposal: {
      const request = head(GetProposalHead, frame, 'GetProposal');
      if (frame.items.length > 0) throw new WireError('a GetProposal frame carries no items');
      return { kind: 'get-proposal', ...request };
    }
    default:
      throw new WireError(`unknown consensus frame type ${frame.type}`);
  }
}

// ---- blocks ----

export interface ServedBlock extends BlockBody {
  cert: string;
}

export type BlocksFrame =
  | { kind: 'announce'; height: number; hash: string }
  | { kind: 'get-blocks'; from: number; count: number }
  | { kind: 'blocks'; from: number; blocks: ServedBlock[] };

export function announceFrame(height: number, hash: string): Frame {
  return { type: FRAME.blocks.announce, head: { height, hash }, items: [] };
}

export function getBlocksFrame(from: number, count: number): Frame {
  return { type: FRAME.blocks.getBlocks, head: { from, count }, items: [] };
}

/** Consecutive blocks from `from`, each as header, certificate, then its transactions. */
export function blocksFrame(from: number, blocks: readonly ServedBlock[]): Frame {
  return {
    type: FRAME.blocks.blocks,
    head: { from, blocks: blocks.map((b) => b.txs.length) },
    items: blocks.flatMap((b) => [b.header, b.cert, ...b.txs]),
  };
}

export function decodeBlocksFrame(frame: Frame): BlocksFrame {
  const noItems = (what: string) => {
    if (frame.items.length > 0) throw new WireError(`a ${what} frame carries no items`);
  };
  switch (frame.type) {
    case FRAME.blocks.announce:
      noItems('Announce');
      return { kind: 'announce', ...head(AnnounceHead, frame, 'Announce') };
    case FRAME.blocks.getBlocks:
      noItems('GetBlocks');
      return { kind: 'get-blocks', ...head(GetBlocksHead, frame, 'GetBlocks') };
    case FRAME.blocks.blocks: {
      const { from, blocks: counts } = head(BlocksHead, frame, 'Blocks');
      const expected = counts.reduce((n, c) => n + 2 + c, 0);
      if (frame.items.length !== expected) {
        throw new WireError(
          `Blocks announces ${expected} items for ${counts.length} blocks and carries ${frame.items.length}`,
        );
      }
      let at = 0;
      const blocks = counts.map((count) => {
        const [header, cert] = frame.items.slice(at, at + 2) as [string, string];
        const txs = frame.items.slice(at + 2, at + 2 + count);
        at += 2 + count;
        return { header, cert, txs };
      });
      return { kind: 'blocks', from, blocks };
    }
    default:
      throw new WireError(`unknown blocks frame type ${frame.type}`);
  }
}
