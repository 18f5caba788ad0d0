import { generateKeyPair, type KeyPair } from '../../../shared/ledger/keys';
import { GenesisDoc, genesisHashOf } from '../../../shared/ledger/genesis';
import { parseCanonical } from '../../../shared/ledger/canonical';
import { describeZod } from '../../../shared/ledger/tx';
import type { Frame } from '../transport/frames';
import { PeerTransport } from '../transport/transport';
import type { Invitation } from './invitation';
import {
  decodeJoinFrame,
  getGenesisFrame,
  joinRequestFrame,
  joinStatusFrame,
  JoinWireError,
  type JoinFrame,
  type JoinState,
} from './join-wire';

/** How long the inviting node has to answer one request. */
const ANSWER_MS = 15_000;
const DIAL_ATTEMPTS = 3;
const DIAL_RETRY_MS = 1_500;

/**
 * The key this process is a guest with: made once, never written, never a member's. One per
 * process rather than per question, so that the inviting node sees one guest asking again, not
 * a new stranger each time.
 */
let guestKey: KeyPair | null = null;

/** The inviting node could not be reached, refused, or answered something unusable. */
export class JoinError extends Error {}

/**
 * One guest connection to the node that made an invitation (docs/sync.md §9.2): dialled at the
 * invitation's addresses, the other side made to prove the invitation's node key (Noise), and the
 * Hello bound to the invitation's chain id and genesis hash. The guest's own key is made for the
 * process and thrown away: nothing the inviting node does to a guest touches the new node's key. Requests are answered one at a time, in order.
 */
export class InviterConnection {
  private queue: ((frame: Frame) => void)[] = [];
  private closed: Error | null = null;

  private constructor(
    private readonly invitation: Invitation,
    private readonly transport: PeerTransport,
  ) {}

  static async open(invitation: Invitation): Promise<InviterConnection> {
    guestKey ??= generateKeyPair();
    const transport = new PeerTransport({
      nodeKey: guestKey,
      chainId: invitation.chainId,
      genesisHash: invitation.genesisHash,
      listen: { host: '127.0.0.1', port: 0 },
      admit: (key) =>
        key === invitation.nodeKey
          ? { class: 'member' }
          : { refused: 'a joining node talks to the inviting node only' },
      hello: () => ({
        height: 0,
        headHash: invitation.genesisHash,
        role: 'joining',
        software: 'carechain',
      }),
      onInternalError: () => undefined,
    });
    await transport.start();
    const connection = new InviterConnection(invitation, transport);
    transport.on('frame', (key, protocol, frame) => {
      if (key !== invitation.nodeKey || protocol !== 'join') return;
      connection.queue.shift()?.(frame);
    });
    transport.on('peer-disconnected', (key, reason) => {
      if (key !== invitation.nodeKey) return;
      connection.fail(new JoinError(`the inviting node closed the connection: ${reason}`));
    });
    // A node takes one guest per IP address at a time: a moment's wait covers another guest
    // from this address (an earlier question still closing) before the node is called unreachable.
    const failures = new Map<string, string>();
    for (let attempt = 0; attempt < DIAL_ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, DIAL_RETRY_MS));
      for (const address of invitation.addresses) {
        try {
          await transport.dial(address, invitation.nodeKey);
          return connection;
        } catch (error) {
          failures.set(address, (error as Error).message);
        }
      }
    }
    await transport.stop();
    throw new JoinError(
      `could not reach the inviting node at ${[...failures].map(([address, why]) => `${address}: ${why}`).join('; ')}. Check that it runs and that this machine can reach it`,
    );
  }

  async close(): Promise<void> {
    this.fail(new JoinError('the connection was closed'));
    await this.transport.stop();
  }

  private fail(error: Error): void {
    this.closed ??= error;
    const waiting = this.queue.splice(0);
    for (const resolve of waiting) resolve({ type: 0, head: { failed: error.message }, items: [] });
  }

  private async ask(frame: Frame, what: string): Promise<JoinFrame> {
    if (this.closed) throw this.closed;
    const answer = new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        const at = this.queue.indexOf(settle);
        if (at >= 0) this.queue.splice(at, 1);
        reject(
          new JoinError(`the inviting node did not answer ${what} within ${ANSWER_MS / 1000} s`),
        );
      }, ANSWER_MS);
      const settle = (reply: Frame) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.queue.push(settle);
    });
    const sent = this.transport.send(this.invitation.nodeKey, 'join', frame);
    if (sent !== 'sent') {
      this.queue.pop();
      throw new JoinError(`could not send ${what} to the inviting node (${sent})`);
    }
    const reply = await answer;
    if (this.closed) throw this.closed;
    let decoded: JoinFrame;
    try {
      decoded = decodeJoinFrame(reply);
    } catch (error) {
      if (error instanceof JoinWireError) {
        throw new JoinError(
          `the inviting node answered ${what} with a malformed frame: ${error.message}`,
        );
      }
      throw error;
    }
    if (decoded.kind === 'refused') {
      throw new JoinError(`the inviting node refused ${what}: ${decoded.refusal.reason}`);
    }
    return decoded;
  }

  /**
   * The genesis document, kept only if its hash is the invitation's (and so the chain's every
   * transaction is signed for): a node that sends another is not the chain the invitation names.
   */
  async genesis(): Promise<{ doc: GenesisDoc; text: string }> {
    const answer = await this.ask(getGenesisFrame(this.invitation.token), 'the genesis request');
    if (answer.kind !== 'genesis') {
      throw new JoinError(`the inviting node answered the genesis request with ${answer.kind}`);
    }
    let raw: unknown;
    try {
      raw = parseCanonical(answer.genesis);
    } catch (error) {
      throw new JoinError(
        `the inviting node sent a genesis that is not canonical JSON: ${(error as Error).message}`,
      );
    }
    const parsed = GenesisDoc.safeParse(raw);
    if (!parsed.success) {
      throw new JoinError(`the inviting node sent no valid genesis: ${describeZod(parsed.error)}`);
    }
    const hash = genesisHashOf(parsed.data);
    if (hash !== this.invitation.genesisHash || parsed.data.chainId !== this.invitation.chainId) {
      throw new JoinError(
        `the inviting node sent the genesis of another chain (${parsed.data.chainId}, hash ${hash.slice(0, 16)}…), not the invitation's (${this.invitation.chainId}, ${this.invitation.genesisHash.slice(0, 16)}…); nothing was written`,
      );
    }
    return { doc: parsed.data, text: answer.genesis };
  }

  /** Sends the signed member.join transaction with the token; the answer is its id. */
  async joinRequest(txText: string, txId: string): Promise<void> {
    const answer = await this.ask(
      joinRequestFrame(this.invitation.token, txText),
      'the join request',
    );
    if (answer.kind !== 'join-ack') {
      throw new JoinError(`the inviting node answered the join request with ${answer.kind}`);
    }
    if (answer.txId !== txId) {
      throw new JoinError('the inviting node acknowledged another transaction than the one sent');
    }
  }

  async status(): Promise<JoinState> {
    const answer = await this.ask(joinStatusFrame(this.invitation.token), 'the status request');
    if (answer.kind !== 'join-state') {
      throw new JoinError(`the inviting node answered the status request with ${answer.kind}`);
    }
    return answer.state;
  }
}

/** Opens a guest connection, runs `use` on it, and closes it whatever happens. */
export async function withInviter<T>(
  invitation: Invitation,
  use: (connection: InviterConnection) => Promise<T>,
): Promise<T> {
  const connection = await InviterConnection.open(invitation);
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}
