import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import type { DecodedTx } from '../../shared/ledger/tx';
import { initChainFolder } from '../../main/cli/commands';
import { anchorTx } from './anchor-tx';
import { BANNED_UNTIL } from './ban-line';
import { freePorts } from './ports';
import { tempDir } from './cli';
import { startCarechain, type CliProcess } from './cli-process';
import { until, withReplica } from './processes';

/** A `carechain node` process on a folder of its own, and who it is on the network. */
export interface NodeProcess {
  name: string;
  dir: string;
  key: KeyPair;
  port: number;
  process: CliProcess;
  /** All it has printed so far: stdout, then stderr. */
  output(): string;
}

/** Starts `carechain node` on `node`'s folder: a new node, or one stopped before, again. */
export function startNode(node: Pick<NodeProcess, 'name' | 'dir' | 'key' | 'port'>): NodeProcess {
  const started = startCarechain(['node', '--dir', node.dir]);
  return {
    name: node.name,
    dir: node.dir,
    key: node.key,
    port: node.port,
    process: started,
    output: () => `${started.stdout()}${started.stderr()}`,
  };
}

/** The tip of a node's replica, read beside the running node. */
export const tipOf = (dir: string) => withReplica(dir, (r) => r.tip());

/** A network made by startValidatorNetwork, its validators running. */
export interface ValidatorNetwork {
  root: string;
  basePort: number;
  genesis: GenesisDoc;
  genesisHash: string;
  /** validator-1's admin key; the other validators' admin keys are thrown away. */
  admin: KeyPair;
  validatorKeys: KeyPair[];
  /** The node keys of `members`, in their order. */
  memberKeys: KeyPair[];
  /** validator-1 first. */
  nodes: NodeProcess[];
  /** A valid transaction of validator-1's admin, not yet sent anywhere. */
  validTx(): DecodedTx;
}

/**
 * A new chain of `validators` validators (`validator-1`, …), each a `carechain node` process on
 * a folder of `root` listening on 127.0.0.1 with no peers to dial, awaited on the network; and
 * `members` that are no validators, whose node keys the test holds to connect as their peers
 * (attackers, watchers): the validators dial them at an endpoint where nothing listens.
 */
export async function startValidatorNetwork({
  chainId,
  validators,
  members,
  prefix,
}: {
  chainId: string;
  validators: number;
  members: { id: string; legalName: string }[];
  /** Of the temporary root folder's name. */
  prefix: string;
}): Promise<ValidatorNetwork> {
  const root = tempDir(prefix);
  const basePort = await freePorts(validators + members.length);
  const admin = generateKeyPair();
  const validatorKeys = Array.from({ length: validators }, () => generateKeyPair());
  const memberKeys = members.map(() => generateKeyPair());
  const genesis = GenesisDoc.parse({
    v: 1,
    chainId,
    time: Date.now(),
    policy: { threshold: 'majority', proposalTtlHours: 72 },
    members: [
      ...validatorKeys.map((key, i) => ({
        id: `validator-${i + 1}`,
        legalName: `Validator ${i + 1}`,
        kind: 'hospital',
        adminKeys: [i === 0 ? admin.publicKey : generateKeyPair().publicKey],
        nodeKey: key.publicKey,
        endpoint: `tcp://127.0.0.1:${basePort + i}`,
        validator: true,
      })),
      ...members.map((member, i) => ({
        ...member,
        kind: 'clinic',
        adminKeys: [generateKeyPair().publicKey],
        nodeKey: (memberKeys[i] as KeyPair).publicKey,
        // Nothing listens there: the validators' dials fail and back off.
        endpoint: `tcp://127.0.0.1:${basePort + validators + i}`,
        validator: false,
      })),
    ],
  });
  const nodes = validatorKeys.map((key, i) => {
    const dir = path.join(root, `validator-${i + 1}`);
    initChainFolder(dir, genesis, key);
    writeFileSync(
      path.join(dir, 'network.json'),
      JSON.stringify({ listen: `127.0.0.1:${basePort + i}`, peers: [] }),
    );
    return startNode({ name: `validator-${i + 1}`, dir, key, port: basePort + i });
  });
  await until(
    () => nodes.every((n) => /on the network as/.test(n.output())),
    `${validators} validators on the network`,
  );
  const genesisHash = tipOf(nodes[0]?.dir as string).genesisHash;
  return {
    root,
    basePort,
    genesis,
    genesisHash,
    admin,
    validatorKeys,
    memberKeys,
    nodes,
    validTx: () => anchorTx({ chainId, genesisHash }, 'validator-1', admin),
  };
}

/**
 * Waits until `node` has logged a ban of the peer it knows as `peer` for a reason matching
 * `reason`, and returns that reason; fails with the end of the node's output.
 */
export async function bannedFor(node: NodeProcess, peer: string, reason: RegExp): Promise<string> {
  const pattern = new RegExp(`peer ${peer} \\([0-9a-f]{12}…\\): ${BANNED_UNTIL}: (.*)`);
  const found = await until(
    () => {
      const line = node
        .output()
        .split('\n')
        .map((l) => pattern.exec(l)?.[1])
        .find((r) => r !== undefined && reason.test(r));
      // Wrapped: an empty reason is a ban too.
      return line === undefined ? undefined : { line };
    },
    `${node.name} banning ${peer} for ${reason}`,
    30_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; its output ends:\n${node.output().slice(-3000)}`);
  });
  return found.line;
}
