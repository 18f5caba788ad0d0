import type { Frame } from '../../main/network/transport/frames';
import type { Hello } from '../../main/network/transport/hello';
import type { ProtocolName } from '../../main/network/transport/protocols';
import { PeerTransport, type PeerTransportOptions } from '../../main/network/transport/transport';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';

export const CHAIN_ID = 'test-chain';
export const GENESIS = 'ab'.repeat(32);

export type TransportEvent =
  | { event: 'peer-connected'; key: string; hello: Hello }
  | { event: 'peer-disconnected'; key: string; reason: string }
  | { event: 'peer-refused'; key: string; reason: string }
  | { event: 'frame'; key: string; protocol: ProtocolName; frame: Frame }
  | { event: 'offence'; key: string; kind: 'fatal' | 'minor'; reason: string };

/** A started PeerTransport on 127.0.0.1 with everything it emits recorded. */
export interface TestNode {
  transport: PeerTransport;
  key: KeyPair;
  address: string;
  events: TransportEvent[];
  internalErrors: unknown[];
  waitFor<E extends TransportEvent['event']>(
    event: E,
    match?: (e: Extract<TransportEvent, { event: E }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<TransportEvent, { event: E }>>;
}

const running: PeerTransport[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

/** Something for stopAllNodes to undo first (a raw peer, a child process, a proxy). */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** Undoes what onCleanup registered, then stops every transport startNode started. */
export async function stopAllNodes(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(running.splice(0).map((t) => t.stop()));
}

export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Whether `node` still accepts a new member and passes it a frame. */
export async function stillServes(node: TestNode): Promise<void> {
  const c = await startNode();
  await c.transport.dial(node.address, node.key.publicKey);
  const sent = c.transport.send(node.key.publicKey, 'status', {
    type: 1,
    head: { ok: 1 },
    items: [],
  });
  if (sent !== 'sent') throw new Error(`could not send: ${sent}`);
  await node.waitFor('frame', (e) => e.key === c.key.publicKey && e.protocol === 'status');
}

export async function startNode(
  options: Partial<Omit<PeerTransportOptions, 'nodeKey'>> & { key?: KeyPair } = {},
): Promise<TestNode> {
  const key = options.key ?? generateKeyPair();
  const internalErrors: unknown[] = [];
  const transport = new PeerTransport({
    chainId: CHAIN_ID,
    genesisHash: GENESIS,
    listen: { host: '127.0.0.1', port: 0 },
    admit: () => ({ class: 'member' }),
    onInternalError: (error) => internalErrors.push(error),
    ...options,
    nodeKey: key,
  });
  const events: TransportEvent[] = [];
  const waiting = new Set<() => void>();
  const record = (event: TransportEvent) => {
    events.push(event);
    waiting.forEach((check) => check());
  };
  transport.on('peer-connected', (k, hello) => record({ event: 'peer-connected', key: k, hello }));
  transport.on('peer-disconnected', (k, reason) =>
    record({ event: 'peer-disconnected', key: k, reason }),
  );
  transport.on('peer-refused', (k, reason) => record({ event: 'peer-refused', key: k, reason }));
  transport.on('frame', (k, protocol, frame) =>
    record({ event: 'frame', key: k, protocol, frame }),
  );
  transport.on('offence', (k, kind, reason) => record({ event: 'offence', key: k, kind, reason }));
  await transport.start();
  running.push(transport);
  const address = transport.addresses()[0];
  if (!address) throw new Error('the transport listens nowhere');
  return {
    transport,
    key,
    address,
    events,
    internalErrors,
    waitFor(event, match = () => true, timeoutMs = 10_000) {
      type Wanted = Extract<TransportEvent, { event: typeof event }>;
      return new Promise<Wanted>((resolve, reject) => {
        const check = () => {
          const found = events.find((e): e is Wanted => e.event === event && match(e as Wanted));
          if (!found) return;
          clearTimeout(timer);
          waiting.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no ${event} in time; events: ${describe(events)}`));
        }, timeoutMs);
        waiting.add(check);
        check();
      });
    },
  };
}

function describe(events: TransportEvent[]): string {
  return JSON.stringify(
    events.map((e) => (e.event === 'frame' ? { event: e.event, protocol: e.protocol } : e)),
  ).slice(0, 2000);
}
