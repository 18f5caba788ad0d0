// Rotating this node's own node key (docs/consensus.md §7.4): the new key is generated on the
// node before the rotation is proposed and kept beside the current one (node-key.next.json);
// once the rotation is in force for the next height the node switches to it, keeping the old
// key file as node-key.retired-<key>.json. Every step is a file written durably or a rename, so a
// node killed at any point comes back with the key the chain expects of it.
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { ChainIdentity } from '../../shared/consensus/sign-guard';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import type { StateView } from '../../shared/ledger/state';
import type { ProposalRecord } from '../../shared/members/schemas';
import { membership } from '../../shared/members/state';
import { validatorsAt } from '../../shared/registry';
import { keyFileText, readKeyFile } from '../service/keystore';
import { fsyncFolder, SignGuard, signStateFile } from './sign-state';

export const NODE_KEY_FILE = 'node-key.json';
export const NEXT_NODE_KEY_FILE = 'node-key.next.json';

export function nextNodeKeyFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), NEXT_NODE_KEY_FILE);
}

/** Where a node key that was rotated out is kept: its file is never deleted. */
export function retiredNodeKeyFile(dataDir: string, publicKey: string): string {
  return path.join(path.resolve(dataDir), `node-key.retired-${publicKey.slice(0, 16)}.json`);
}

/** What settling the node key did. */
export type NodeKeyStep =
  /** No next key is held. */
  | { kind: 'none' }
  /** A next key is held: its rotation is not decided yet, or not in force at the next height. */
  | { kind: 'waiting'; next: string }
  /** The node key is now the next key; the old one was kept as `retired`. */
  | { kind: 'switched'; key: KeyPair; retired: string | null }
  /** The rotation to the next key was rejected, expired or failed: the next key was deleted. */
  | { kind: 'discarded'; next: string; reason: string };

/**
 * The next node key of this node, generated now if it holds none: written to
 * node-key.next.json (owner-readable only, fsynced, never over an existing file) with a fresh
 * signing record (docs/consensus.md §9, rule 4), both on disk before this returns, so the key a
 * rotation proposal names is always one the node holds. Asked again, it returns the same key.
 */
export function prepareNextNodeKey(dataDir: string, chain: ChainIdentity): KeyPair {
  const file = nextNodeKeyFile(dataDir);
  if (!existsSync(file)) {
    const pair = generateKeyPair();
    const temp = `${file}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeFileSync(fd, keyFileText(pair));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temp, file);
    } catch (error) {
      // Made meanwhile by another caller: that key is the next key.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temp, { force: true });
    }
    fsyncFolder(path.dirname(file));
  }
  const key = readKeyFile(file);
  ensureFreshRecord(dataDir, key, chain);
  return key;
}

/** The next key held, if any (its public key), without generating one. */
export function heldNextNodeKey(dataDir: string): string | null {
  const file = nextNodeKeyFile(dataDir);
  return existsSync(file) ? readKeyFile(file).publicKey : null;
}

/**
 * The next key held when its rotation has been carried out but is not in force yet (the replica
 * is at H, the old key still in V_{H+1}; at H + 1 the switch is made): the key a network node
 * starting now takes part under. Its old key would sign only H + 1, which the network may well
 * be past, and peers that committed H + 2 no longer admit it, so a node restarted there would
 * be shut out; under the new key it catches up, and signs from H + 2. Not signing H + 1 is safe.
 */
export function decidedNextNodeKey(dataDir: string, view: StateView): KeyPair | null {
  const file = nextNodeKeyFile(dataDir);
  if (!existsSync(file)) return null;
  const next = readKeyFile(file);
  return membership(view)
    .members()
    .some((m) => m.nodeKey === next.publicKey)
    ? next
    : null;
}

/**
 * Moves this node's key files on with the chain, after each committed block and at start:
 * - the rotation to the next key was carried out and the old key is not in force at the next
 *   height (`V_{tip+1}`: a validator's switches at H + 2, any other member's at once): the old
 *   key file is kept as node-key.retired-….json, and the next key renamed over node-key.json;
 * - a rotate-key proposal naming the next key was decided without being carried out (rejected,
 *   expired, failed) and none is open: the next key is deleted, having never signed anything;
 * - otherwise nothing changes.
 * `proposalsAbout` gives every proposal about a member (MembershipQueries.proposalsAbout).
 */
export function settleNodeKey(
  dataDir: string,
  chain: ChainIdentity,
  view: StateView,
  tipHeight: number,
  proposalsAbout: (memberId: string) => ProposalRecord[],
): NodeKeyStep {
  const root = path.resolve(dataDir);
  const nextFile = nextNodeKeyFile(root);
  if (!existsSync(nextFile)) return { kind: 'none' };
  const next = readKeyFile(nextFile);
  const currentFile = path.join(root, NODE_KEY_FILE);
  const current = existsSync(currentFile) ? readKeyFile(currentFile) : null;
  const members = membership(view).members();
  if (members.some((m) => m.nodeKey === next.publicKey)) {
    const oldInForce =
      current !== null &&
      validatorsAt(view, tipHeight + 1).some((v) => v.nodeKey === current.publicKey);
    if (oldInForce) return { kind: 'waiting', next: next.publicKey };
    // A key that was never node-key.json has never signed: its record may be created if lost.
    ensureFreshRecord(root, next, chain);
    let retired: string | null = null;
    if (current && current.publicKey !== next.publicKey) {
      retired = retiredNodeKeyFile(root, current.publicKey);
      if (!existsSync(retired)) linkSync(currentFile, retired);
      fsyncFolder(root);
    }
    renameSync(nextFile, currentFile);
    fsyncFolder(root);
    return { kind: 'switched', key: next, retired };
  }
  const own = current ? members.find((m) => m.nodeKey === current.publicKey) : undefined;
  if (!own) return { kind: 'waiting', next: next.publicKey };
  const rotations = proposalsAbout(own.id).filter(
    (p) =>
      p.action.type === 'rotate-key' &&
      p.action.role === 'node' &&
      p.action.newKey === next.publicKey,
  );
  const ended = rotations.find((p) => p.status !== 'open' && p.status !== 'approved');
  if (!ended || rotations.some((p) => p.status === 'open')) {
    return { kind: 'waiting', next: next.publicKey };
  }
  rmSync(nextFile, { force: true });
  fsyncFolder(root);
  return {
    kind: 'discarded',
    next: next.publicKey,
    reason: `the rotation of this node's key to ${next.publicKey.slice(0, 16)}… was ${ended.status}`,
  };
}

function ensureFreshRecord(dataDir: string, key: KeyPair, chain: ChainIdentity): void {
  // One made when the key was generated is kept: a record is never replaced by a fresh one.
  if (existsSync(signStateFile(dataDir, key.publicKey))) return;
  SignGuard.createFresh(dataDir, key, chain);
}
