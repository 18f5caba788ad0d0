import { isIP } from 'node:net';
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
import type { Ed25519PrivateKey, PeerId } from '@libp2p/interface';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { fromHex, toHex } from '../../../shared/ledger/bytes';
import type { KeyPair } from '../../../shared/ledger/keys';

/*
 * A node's libp2p identity IS its on-chain node key (docs/sync.md §1, §2): the libp2p Ed25519
 * private key is made from the node key's 32-byte seed, so the peer id is derived from the node
 * key and Noise proves, in its handshake, that the other side holds that key.
 */

const NODE_KEY = /^[0-9a-f]{64}$/;

function checkNodeKey(hex: string): void {
  if (!NODE_KEY.test(hex)) throw new Error('a node key is 32 bytes as 64 lowercase hex digits');
}

/** The libp2p private key of a node key pair; refuses a pair whose halves do not match. */
export async function libp2pPrivateKey(nodeKey: KeyPair): Promise<Ed25519PrivateKey> {
  checkNodeKey(nodeKey.publicKey);
  if (!NODE_KEY.test(nodeKey.secretKey)) {
    throw new Error('a node secret key is a 32-byte seed as 64 lowercase hex digits');
  }
  const key = await generateKeyPairFromSeed('Ed25519', fromHex(nodeKey.secretKey));
  if (toHex(key.publicKey.raw) !== nodeKey.publicKey) {
    throw new Error('the node key pair does not match: its public key is not its seed’s');
  }
  return key;
}

export function peerIdOfNodeKey(nodeKeyHex: string): PeerId {
  checkNodeKey(nodeKeyHex);
  return peerIdFromPublicKey(publicKeyFromRaw(fromHex(nodeKeyHex)));
}

/** The node key (hex) a peer id stands for; only Ed25519 peer ids are node keys. */
export function nodeKeyOfPeerId(peerId: PeerId): string {
  if (peerId.type !== 'Ed25519') {
    throw new Error(`peer id ${peerId.toString()} is not an Ed25519 key, so not a node key`);
  }
  return toHex(peerId.publicKey.raw);
}

export function nodeKeyOfPeerIdText(text: string): string {
  let peerId: PeerId;
  try {
    peerId = peerIdFromString(text);
  } catch {
    throw new Error(`"${text.slice(0, 80)}" is not a peer id`);
  }
  return nodeKeyOfPeerId(peerId);
}

export interface Endpoint {
  /** The multiaddr protocol the host goes under (docs/sync.md §2.1). */
  family: 'ip4' | 'ip6' | 'dns4';
  host: string;
  port: number;
}

const DNS_NAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses a member's `tcp://host:port` endpoint, strictly: one spelling, a port from 1 to 65535. */
export function parseEndpoint(endpoint: string): Endpoint {
  const match = /^tcp:\/\/(\[[0-9a-f:.]+\]|[^:/[\]]+):([1-9][0-9]{0,4})$/.exec(endpoint);
  if (!match) throw new Error(`endpoint "${endpoint.slice(0, 200)}" is not tcp://host:port`);
  const [, rawHost = '', rawPort = ''] = match;
  const port = Number(rawPort);
  if (port > 65535) throw new Error(`endpoint "${endpoint}" has a port over 65535`);
  if (rawHost.startsWith('[')) {
    const host = rawHost.slice(1, -1);
    if (isIP(host) !== 6) throw new Error(`endpoint "${endpoint}" has no valid IPv6 address`);
    return { family: 'ip6', host, port };
  }
  if (isIP(rawHost) === 4) return { family: 'ip4', host: rawHost, port };
  if (/^[0-9.]+$/.test(rawHost) || !DNS_NAME.test(rawHost)) {
    throw new Error(`endpoint "${endpoint}" has no valid IPv4 address or host name`);
  }
  return { family: 'dns4', host: rawHost, port };
}

/** The multiaddr to dial a member at: its endpoint, pinned to the key it must prove (§2.1). */
export function endpointMultiaddr(endpoint: string, nodeKeyHex: string): Multiaddr {
  const { family, host, port } = parseEndpoint(endpoint);
  const peerId = peerIdOfNodeKey(nodeKeyHex).toString();
  return multiaddr(`/${family}/${host}/tcp/${port}/p2p/${peerId}`);
}

/** The node key a multiaddr's /p2p/ part names, or null if it names none. */
export function nodeKeyOfMultiaddr(address: Multiaddr): string | null {
  const p2p = address.getComponents().filter((c) => c.name === 'p2p');
  const last = p2p[p2p.length - 1];
  return last?.value === undefined ? null : nodeKeyOfPeerIdText(last.value);
}
