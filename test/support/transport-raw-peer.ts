import '../../main/network/transport/node20';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import type { Connection, Stream } from '@libp2p/interface';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { encodeMessage, type Frame } from '../../main/network/transport/frames';
import {
  LEDGER_VERSION,
  NETWORK_VERSION,
  helloFrame,
  type Hello,
} from '../../main/network/transport/hello';
import { libp2pPrivateKey } from '../../main/network/transport/peer-id';
import { protocolId, type ProtocolName } from '../../main/network/transport/protocols';
import type { KeyPair } from '../../shared/ledger/keys';

/*
 * A hostile peer: a real libp2p node (TCP, Noise, yamux) with a real node key that speaks the
 * carechain protocols by hand, so a test can send what PeerTransport never would: frames before
 * Hello, a second Hello, a lying Hello, over-limit lengths, garbage. It takes (and ignores)
 * whatever the node under test sends it, so the connection stays up while it misbehaves.
 */
export class RawPeer {
  private constructor(
    readonly node: Libp2p,
    readonly nodeKey: KeyPair,
    private readonly genesisHash: string,
  ) {}

  static async start(nodeKey: KeyPair, genesisHash: string): Promise<RawPeer> {
    const node = await createLibp2p({
      privateKey: await libp2pPrivateKey(nodeKey),
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionMonitor: { enabled: false },
    });
    const peer = new RawPeer(node, nodeKey, genesisHash);
    for (const name of ['hello', 'status', 'tx', 'consensus', 'blocks', 'join'] as const) {
      await node.handle(protocolId(genesisHash, name), (stream) => {
        stream.addEventListener('message', () => undefined);
      });
    }
    return peer;
  }

  connect(address: string): Promise<Connection> {
    return this.node.dial(multiaddr(address));
  }

  open(connection: Connection, protocol: ProtocolName): Promise<Stream> {
    return connection.newStream(protocolId(this.genesisHash, protocol));
  }

  /** A Hello as PeerTransport would send it, with `changes` applied. */
  hello(chainId: string, changes: Partial<Hello> = {}): Frame {
    return helloFrame({
      network: NETWORK_VERSION,
      ledger: LEDGER_VERSION,
      chainId,
      genesisHash: this.genesisHash,
      nodeKey: this.nodeKey.publicKey,
      height: 0,
      headHash: this.genesisHash,
      role: 'replica',
      software: 'raw-peer',
      ...changes,
    });
  }

  static message(frame: Frame, maxBytes = 8 * 1024 * 1024): Uint8Array {
    return encodeMessage(frame, maxBytes);
  }

  async stop(): Promise<void> {
    await this.node.stop();
  }
}
