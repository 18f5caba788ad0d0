import type { Step } from '../../shared/consensus/io';
import type { SignedMessage, SignedProposal } from '../../shared/consensus/messages';
import type { Validator } from '../../shared/consensus/rounds';
import type { Status } from './wire';

/*
 * What a Status says of the round a node is in, and what a peer at the same height is sent in
 * answer (docs/sync.md §6.3). Pure, so the node and the simulation's model of it answer alike.
 */

/** The part of a Status about the sender's current round of the height it decides. */
export type RoundView = Pick<Status, 'round' | 'step' | 'proposal' | 'prevotes' | 'precommits'>;

/**
 * This node's round as a Status tells it: whether it holds the round's proposal with its block,
 * and whose prevotes and precommits of the round it holds, one character per validator of V_h
 * in its order.
 */
export function roundView(
  held: readonly SignedMessage[],
  at: { height: number; round: number; step: Step },
  validators: readonly Validator[],
  holdsBlock: (hash: string) => boolean,
): RoundView {
  const round = held.filter((m) => m.height === at.height && m.round === at.round);
  const bitmap = (kind: 'prevote' | 'precommit') => {
    const holders = new Set(round.filter((m) => m.kind === kind).map((m) => m.validator));
    return validators.map((v) => (holders.has(v.nodeKey) ? '1' : '0')).join('');
  };
  return {
    round: at.round,
    step: at.step,
    proposal: round.some((m) => m.kind === 'proposal' && holdsBlock(m.blockHash)),
    prevotes: bitmap('prevote'),
    precommits: bitmap('precommit'),
  };
}

/** Nothing held: a node between heights, or one that does not take part. */
export function emptyRoundView(validators: readonly Validator[]): RoundView {
  const none = '0'.repeat(validators.length);
  return { round: 0, step: 'waiting', proposal: false, prevotes: none, precommits: none };
}

/**
 * What a peer deciding `height` lacks of the messages held here, by its Status:
 * - the votes of its round its bitmaps do not show;
 * - every vote of a later round (f + 1 validators' messages of later rounds move it on, R8);
 * - in its propose step, the prevotes of the valid round a re-proposal names (R2 needs them);
 * - the proposal of its round, if it says it has none (sent only with its block).
 * Votes of earlier rounds are not sent: a quorum of precommits in one decides on the node that
 * holds it (and a peer a height behind is sent the block), and what a lock needs travels as R2's
 * prevotes. This is what gives consensus its gossip once the network heals.
 */
export function lacking(
  held: readonly SignedMessage[],
  height: number,
  validators: readonly Validator[],
  peer: RoundView,
): { proposal: SignedProposal | null; votes: SignedMessage[] } {
  const index = new Map(validators.map((v, i) => [v.nodeKey, i]));
  const atHeight = held.filter((m) => m.height === height);
  const lacks = (m: SignedMessage): boolean => {
    if (m.round > peer.round) return true;
    if (m.round < peer.round) return false;
    const i = index.get(m.validator);
    const bits = m.kind === 'prevote' ? peer.prevotes : peer.precommits;
    return i !== undefined && bits[i] !== '1';
  };
  const votes = atHeight.filter((m) => m.kind !== 'proposal' && lacks(m));
  const proposal =
    atHeight.find((m): m is SignedProposal => m.kind === 'proposal' && m.round === peer.round) ??
    null;
  if (proposal && peer.step === 'propose' && proposal.validRound >= 0) {
    const { validRound, blockHash } = proposal;
    for (const m of atHeight) {
      if (m.kind === 'prevote' && m.round === validRound && m.blockHash === blockHash) {
        if (!votes.includes(m)) votes.push(m);
      }
    }
  }
  return { proposal: proposal && !peer.proposal ? proposal : null, votes };
}
