/*
 * A PeerTransport in a process of its own, for tests that kill a peer with SIGKILL. It is
 * bundled with esbuild as scripts/build.mjs bundles the node service (transport-bundle.ts), so
 * it also proves the transport runs from a bundle on this Node. It admits every key as a member,
 * prints what happens as JSON lines on stdout, and takes commands as JSON lines on stdin.
 */
import { createInterface } from 'node:readline';
import { PeerTransport } from '../../main/network/transport/transport';
import type { ProtocolName } from '../../main/network/transport/protocols';
import type { KeyPair } from '../../shared/ledger/keys';

interface Config {
  nodeKey: KeyPair;
  chainId: string;
  genesisHash: string;
}

type Command =
  | { cmd: 'dial'; target: string; key: string }
  /** Sends frames of `size` characters to `key` without end, as fast as the queue takes them. */
  | { cmd: 'flood'; key: string; protocol: ProtocolName; size: number };

const config = JSON.parse(process.env.TRANSPORT_PEER_CONFIG ?? '{}') as Config;
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const transport = new PeerTransport({
  ...config,
  listen: { host: '127.0.0.1', port: 0 },
  admit: () => ({ class: 'member' }),
});
transport.on('peer-connected', (key) => say({ event: 'peer-connected', key }));
transport.on('peer-disconnected', (key, reason) =>
  say({ event: 'peer-disconnected', key, reason }),
);
transport.on('peer-refused', (key, reason) => say({ event: 'peer-refused', key, reason }));
transport.on('offence', (key, kind, reason) => say({ event: 'offence', key, kind, reason }));
transport.on('frame', (key, protocol, frame) =>
  say({ event: 'frame', key, protocol, type: frame.type, head: frame.head }),
);

function flood(key: string, protocol: ProtocolName, size: number): void {
  let n = 0;
  const item = 'f'.repeat(size);
  const tick = () => {
    for (;;) {
      const result = transport.send(key, protocol, { type: 2, head: { n }, items: [item] });
      if (result === 'not-connected') return;
      if (result !== 'sent') break;
      n++;
      if (n % 8 === 0) break;
    }
    setTimeout(tick, 5);
  };
  tick();
}

await transport.start();
say({ event: 'listening', addresses: transport.addresses() });
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as Command;
  if (command.cmd === 'dial') {
    transport.dial(command.target, command.key).then(
      () => say({ event: 'dialled', key: command.key }),
      (error: Error) => say({ event: 'dial-failed', key: command.key, reason: error.message }),
    );
  } else {
    flood(command.key, command.protocol, command.size);
  }
});
