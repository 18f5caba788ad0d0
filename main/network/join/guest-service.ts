import { readFileSync } from 'node:fs';
import { canonicalText } from '../../../shared/ledger/canonical';
import { RuleError } from '../../../shared/ledger/domain';
import { GenesisDoc, genesisHashOf } from '../../../shared/ledger/genesis';
import { decodeTx, TxFormatError } from '../../../shared/ledger/tx';
import { tally } from '../../../shared/members/rules';
import { heldNextNodeKey } from '../node-key-rotation';
import { membership } from '../../../shared/members/state';
import type { ChainNode } from '../../service/chain-node';
import type { GuestService, GuestVerdict } from '../network-node';
import type { Frame } from '../transport/frames';
import { tokenHash } from './invitation';
import {
  addJoin,
  InvitationStoreError,
  readInvitations,
  readJoins,
  type InvitationEntry,
  type JoinEntry,
} from './invitation-store';
import {
  decodeJoinFrame,
  genesisFrame,
  joinAckFrame,
  joinStateFrame,
  JoinWireError,
  refusedFrame,
  type JoinRefusal,
  type JoinState,
} from './join-wire';

/** Requests one guest may make (docs/sync.md §5: 120 an hour), and all guests together. */
export const GUEST_REQUESTS_PER_HOUR = 120;
export const ALL_GUEST_REQUESTS_PER_HOUR = 1_200;
const HOUR_MS = 3_600_000;
/** Guests whose request counts are remembered, oldest forgotten first. */
const MAX_GUESTS_REMEMBERED = 1_000;

export interface GuestServiceOptions {
  dataDir: string;
  /** The file genesis.json of the data folder: sent to guests as its canonical text. */
  genesisFile: string;
  node: ChainNode;
  /** This node's key: only an active member's node takes join requests. */
  nodeKey: string;
  clock?: () => number;
  log?: (line: string) => void;
}

class Refusal extends Error {}
/** A token of no invitation of this node: what a guest guessing tokens sends (§8.1). */
class UnknownToken extends Refusal {}

/** A count of requests in a sliding hour, kept as the hour's start and the count since. */
interface Window {
  start: number;
  count: number;
}

/**
 * Serves nodes that hold an invitation of this node (docs/sync.md §9) on the join protocol:
 * GetGenesis answers the genesis document, JoinRequest puts one member.join transaction per
 * token into the mempool (gossiped to all, as any submission), JoinStatus says where it stands
 * from this node's replica. Tokens are checked against the SHA-256 hashes this node keeps;
 * a token admits one join request and afterwards only status queries. Nothing a guest sends is
 * written but the record of which token its join request used.
 */
export class JoinGuestService implements GuestService {
  private readonly genesisText: string;
  private readonly genesisHash: string;
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  private readonly windows = new Map<string, Window>();
  private all: Window = { start: 0, count: 0 };

  constructor(private readonly options: GuestServiceOptions) {
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? ((line) => console.error(`carechain: ${line}`));
    const doc = GenesisDoc.parse(JSON.parse(readFileSync(options.genesisFile, 'utf8')));
    this.genesisText = canonicalText(doc);
    this.genesisHash = genesisHashOf(doc);
    if (this.genesisHash !== options.node.replica.tip().genesisHash) {
      throw new Error(`${options.genesisFile} is not the genesis of this node's replica`);
    }
  }

  onFrame(key: string, frame: Frame, reply: (frame: Frame) => void): GuestVerdict {
    let request: JoinRefusal['request'] = 'unknown';
    try {
      const message = decodeJoinFrame(frame);
      if (
        message.kind !== 'get-genesis' &&
        message.kind !== 'join-request' &&
        message.kind !== 'join-status'
      ) {
        throw new Refusal('a guest asks (GetGenesis, JoinRequest, JoinStatus); it does not answer');
      }
      request = message.kind;
      this.count(key);
      // Status queries are answered whatever happened since, so a request sent is followed.
      if (message.kind !== 'join-status') this.mustBeActive();
      if (message.kind === 'get-genesis') {
        this.openInvitation(message.token);
        reply(genesisFrame(this.genesisText));
      } else if (message.kind === 'join-request') {
        reply(joinAckFrame(this.join(message.token, message.tx)));
      } else {
        reply(joinStateFrame(this.status(message.token)));
      }
      return 'answered';
    } catch (error) {
      if (
        error instanceof Refusal ||
        error instanceof JoinWireError ||
        error instanceof RuleError ||
        error instanceof TxFormatError
      ) {
        reply(refusedFrame({ request, reason: error.message }));
        return error instanceof UnknownToken ? 'unknown-token' : 'refused';
      }
      this.log(`a guest's ${request} request failed: ${(error as Error).message}`);
      reply(
        refusedFrame({
          request,
          reason:
            error instanceof InvitationStoreError
              ? 'the inviting node cannot read its invitations; its operator is told why'
              : 'the inviting node failed to handle the request; its operator is told why',
        }),
      );
      return 'refused';
    }
  }

  /**
   * A node invites only for an active member (sync.md §9.1). A node that joined serves guests
   * from its start, before its replica knows it as a member; until it does, it takes no request.
   */
  private mustBeActive(): void {
    // This node's key, or after a rotation of it (docs/consensus.md §7.4) the key it switched
    // to, or the next key it holds once the rotation is decided.
    const keys = [this.options.nodeKey, this.options.node.currentNodeKey()?.publicKey];
    try {
      keys.push(heldNextNodeKey(this.options.dataDir) ?? undefined);
    } catch {
      // A damaged next key file names no key.
    }
    const own = membership(this.options.node.replica.view)
      .members()
      .find((m) => keys.includes(m.nodeKey));
    if (own?.status !== 'active') {
      throw new Refusal(
        own
          ? `this node's member ${own.id} is ${own.status}: it takes no join requests`
          : 'this node is not yet a member in its own replica: it takes no join requests until it has caught up',
      );
    }
  }

  /** Sliding-hour limits per guest key and for all guests together. */
  private count(key: string): void {
    const now = this.clock();
    const bump = (window: Window): Window =>
      now - window.start >= HOUR_MS
        ? { start: now, count: 1 }
        : { ...window, count: window.count + 1 };
    const mine = bump(this.windows.get(key) ?? { start: now, count: 0 });
    this.windows.delete(key);
    this.windows.set(key, mine);
    if (this.windows.size > MAX_GUESTS_REMEMBERED) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
    this.all = bump(this.all);
    if (mine.count > GUEST_REQUESTS_PER_HOUR) {
      throw new Refusal(
        `too many requests: a guest may make ${GUEST_REQUESTS_PER_HOUR} an hour; try again later`,
      );
    }
    if (this.all.count > ALL_GUEST_REQUESTS_PER_HOUR) {
      throw new Refusal('this node is answering too many guests now; try again later');
    }
  }

  private invitation(token: string): InvitationEntry {
    const hash = tokenHash(token);
    const found = readInvitations(this.options.dataDir, this.genesisHash).find(
      (i) => i.tokenHash === hash,
    );
    if (!found) {
      throw new UnknownToken(
        'this node has no invitation with that token: it was not made here, or it expired and was forgotten',
      );
    }
    return found;
  }

  private used(token: string): JoinEntry | undefined {
    const hash = tokenHash(token);
    return readJoins(this.options.dataDir, this.genesisHash).find((j) => j.tokenHash === hash);
  }

  /** An invitation that may still be used for a join request. */
  private openInvitation(token: string): InvitationEntry {
    const invitation = this.invitation(token);
    const used = this.used(token);
    if (used) {
      throw new Refusal(
        `this invitation was already used for the join request of ${used.member}; it now answers status queries only`,
      );
    }
    if (invitation.expires <= this.clock()) {
      throw new Refusal(
        `this invitation expired on ${new Date(invitation.expires).toISOString().slice(0, 16).replace('T', ' ')} UTC; ask for a new one`,
      );
    }
    return invitation;
  }

  private join(token: string, text: string): string {
    const tx = decodeTx(text);
    if (tx.body.type !== 'member.join') {
      throw new Refusal(`a join request carries a member.join transaction, not ${tx.body.type}`);
    }
    const used = this.used(token);
    if (used && used.txId === tx.id) {
      // The same request again (its answer was lost, or it dropped out of the mempool): no second
      // request, so the token allows it; anything already on its way is not queued twice.
      const { node } = this.options;
      const known =
        membership(node.replica.view).proposal(tx.id) !== undefined ||
        node.pending().some((p) => p.id === tx.id);
      if (!known) node.submit(tx);
      return tx.id;
    }
    this.openInvitation(token);
    // Checked as any submission: signature, chain, rules against the pending state.
    const id = this.options.node.submit(tx);
    addJoin(this.options.dataDir, this.genesisHash, {
      tokenHash: tokenHash(token),
      txId: id,
      member: tx.body.member,
      at: this.clock(),
    });
    this.log(
      `join request of ${tx.body.member} received with an invitation (tx ${id.slice(0, 16)}…)`,
    );
    return id;
  }

  private status(token: string): JoinState {
    const used = this.used(token);
    if (!used) {
      this.invitation(token);
      throw new Refusal('no join request was made with this invitation yet');
    }
    const { node } = this.options;
    const view = membership(node.replica.view);
    const proposal = view.proposal(used.txId);
    const txId = used.txId;
    if (!proposal) {
      if (node.pending().some((p) => p.id === txId)) return { txId, state: 'pending' };
      return {
        txId,
        state: 'refused',
        reason:
          'the join request is in no block and no longer waits for one (a block refused it, or the inviting node restarted); send it again',
      };
    }
    const counts = proposal.finalTally ?? tally(node.replica.view, proposal);
    const votes = {
      approvals: counts.approvals,
      rejections: counts.rejections,
      needed: counts.needed,
    };
    switch (proposal.status) {
      case 'open':
        return { txId, state: 'open', ...votes };
      case 'approved':
        return { txId, state: 'approved', height: proposal.decidedHeight ?? 0, ...votes };
      case 'rejected':
      case 'expired':
        return { txId, state: proposal.status, height: proposal.decidedHeight ?? 0, ...votes };
      case 'failed':
        return {
          txId,
          state: 'refused',
          height: proposal.decidedHeight ?? 0,
          ...votes,
          reason: `approved, but it could not be carried out: ${proposal.failure ?? 'no reason recorded'}`,
        };
    }
  }
}
