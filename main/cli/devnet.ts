import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { generateKeyPair } from '../../shared/ledger/keys';
import type { MemberKind } from '../../shared/members/schemas';
import { DEMO_CHAIN_ID, DEMO_FOUNDERS, DEMO_PASSPHRASE } from '../service/demo';
import { writeDemoDevnet } from './devnet-demo';
import { sealProfiles, writeKeyFile, writeProfile } from '../service/keystore';
import { dataPaths } from '../service/data-dir';
import { NETWORK_CONFIG_FILE } from '../network/network-config';
import { initChainFolder } from './commands';
import { UsageError } from './usage-error';

/** What `carechain devnet` made, so a second run starts the same network again. */
const DevnetFile = z.strictObject({
  v: z.literal(1),
  chainId: z.string(),
  nodes: z.array(z.strictObject({ id: z.string(), dir: z.string(), port: z.int() })).min(1),
  replica: z.strictObject({ id: z.string(), dir: z.string(), port: z.int() }),
  /** Made with --demo: the replicas hold the demo consortium's history. */
  demo: z.boolean().optional(),
});
type DevnetFile = z.infer<typeof DevnetFile>;

const DEVNET_FILE = 'devnet.json';
export const MAX_DEVNET_NODES = 16;

const ORGS: readonly { id: string; name: string; kind: MemberKind }[] = [
  { id: 'st-marys-hospital', name: "St Mary's Hospital", kind: 'hospital' },
  { id: 'northwind-pharma', name: 'Northwind Pharma', kind: 'manufacturer' },
  { id: 'atlas-distribution', name: 'Atlas Distribution', kind: 'distributor' },
  { id: 'citycare-pharmacy', name: 'CityCare Pharmacy', kind: 'pharmacy' },
  { id: 'meridian-research', name: 'Meridian Research', kind: 'research' },
  { id: 'medicines-agency', name: 'Medicines Agency', kind: 'regulator' },
  { id: 'lakeside-clinic', name: 'Lakeside Clinic', kind: 'clinic' },
];

function orgOf(i: number): { id: string; name: string; kind: MemberKind } {
  return (
    ORGS[i] ?? { id: `devnet-clinic-${i + 1}`, name: `Devnet Clinic ${i + 1}`, kind: 'clinic' }
  );
}

export interface DevnetOptions {
  nodes: number;
  dir: string;
  basePort: number;
  /** The demo consortium's history, decided by the devnet's validators (at most 5). */
  demo?: boolean;
  /**
   * The node (1 to N) run with its console served (`carechain serve`), since a running node holds
   * its folder: a console cannot be served beside it.
   */
  console?: number;
}

/**
 * Creates a local network in `dir` (once): one data folder per validator, each a founder of one
 * genesis with its endpoint on 127.0.0.1, its node key, its signing record, its network settings
 * and a console profile (passphrase of the demo); and one more member's folder, a replica that
 * is not a validator and that devnet does not start, to try catching up from scratch.
 */
export function createDevnet(opts: DevnetOptions): DevnetFile {
  const root = path.resolve(opts.dir);
  if (existsSync(root) && !statSync(root).isDirectory()) {
    throw new UsageError(
      `${root} is a file, not a folder: give an empty or new folder for a devnet`,
    );
  }
  if (existsSync(root) && readdirSync(root).length > 0) {
    throw new UsageError(
      `${root} is not empty and holds no ${DEVNET_FILE}: give an empty or new folder for a devnet`,
    );
  }
  mkdirSync(root, { recursive: true, mode: 0o700 });
  if (opts.demo) {
    const built = writeDemoDevnet(root, opts.nodes, opts.basePort);
    const made: DevnetFile = {
      v: 1,
      chainId: DEMO_CHAIN_ID,
      nodes: built.validators,
      replica: built.replica,
      demo: true,
    };
    writeFileSync(path.join(root, DEVNET_FILE), `${JSON.stringify(made, null, 2)}\n`);
    return made;
  }
  const chainId = 'carechain-devnet';
  const folders = Array.from({ length: opts.nodes + 1 }, (_, i) => {
    const org = orgOf(i);
    const validator = i < opts.nodes;
    return {
      org,
      validator,
      dir: validator ? `node-${i + 1}` : 'replica',
      port: opts.basePort + i,
      admin: generateKeyPair(),
      node: generateKeyPair(),
    };
  });
  const genesis = GenesisDoc.parse({
    v: 1,
    chainId,
    time: Date.now(),
    policy: { threshold: 'majority', proposalTtlHours: 72 },
    members: folders.map((f) => ({
      id: f.org.id,
      legalName: f.org.name,
      kind: f.org.kind,
      adminKeys: [f.admin.publicKey],
      nodeKey: f.node.publicKey,
      endpoint: `tcp://127.0.0.1:${f.port}`,
      validator: f.validator,
    })),
  });
  for (const f of folders) {
    const dir = path.join(root, f.dir);
    initChainFolder(dir, genesis, f.node);
    const paths = dataPaths(dir);
    writeKeyFile(path.join(dir, 'admin-key.json'), f.admin);
    writeProfile(
      paths.profile,
      sealProfiles([{ memberId: f.org.id, pair: f.admin }], DEMO_PASSPHRASE, true),
    );
    writeFileSync(
      path.join(dir, NETWORK_CONFIG_FILE),
      `${JSON.stringify({ listen: `127.0.0.1:${f.port}`, peers: [] }, null, 2)}\n`,
    );
  }
  const entry = (f: (typeof folders)[number]) => ({ id: f.org.id, dir: f.dir, port: f.port });
  const made: DevnetFile = {
    v: 1,
    chainId,
    nodes: folders.filter((f) => f.validator).map(entry),
    replica: entry(folders[folders.length - 1] as (typeof folders)[number]),
  };
  // Written last: a folder with it holds a complete devnet.
  writeFileSync(path.join(root, DEVNET_FILE), `${JSON.stringify(made, null, 2)}\n`);
  return made;
}

function readDevnet(root: string): DevnetFile | null {
  const file = path.join(root, DEVNET_FILE);
  if (!existsSync(file)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`${file} is not a devnet description (${reason})`);
  }
  const parsed = DevnetFile.safeParse(json);
  if (!parsed.success) throw new UsageError(`${file} is not a devnet description`);
  return parsed.data;
}

/**
 * `carechain devnet`: creates the local network on first use, then runs every validator as its
 * own `carechain node` process until Ctrl-C, with each line of their output prefixed by node.
 */
export async function runDevnet(opts: DevnetOptions): Promise<void> {
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_DEVNET_NODES) {
    throw new UsageError(`--nodes is a whole number from 1 to ${MAX_DEVNET_NODES}`);
  }
  if (opts.basePort < 1024 || opts.basePort + opts.nodes > 65535) {
    throw new UsageError('--base-port leaves no room for the nodes’ ports (1024–65535)');
  }
  const root = path.resolve(opts.dir);
  const existing = readDevnet(root);
  const nodeCount = existing?.nodes.length ?? opts.nodes;
  if (
    opts.console !== undefined &&
    (!Number.isInteger(opts.console) || opts.console < 1 || opts.console > nodeCount)
  ) {
    throw new UsageError(
      `--console names one of the ${nodeCount} nodes: a number from 1 to ${nodeCount}`,
    );
  }
  if (!existing && opts.demo && opts.nodes > DEMO_FOUNDERS) {
    throw new UsageError(
      `--demo: the demo consortium has ${DEMO_FOUNDERS} founders, so its devnet has 1 to ${DEMO_FOUNDERS} validators (--nodes)`,
    );
  }
  if (!existing && opts.demo) {
    console.log(`building the demo's history, decided by ${opts.nodes} validators…`);
  }
  const devnet = existing ?? createDevnet(opts);
  if (existing && existing.nodes.length !== opts.nodes) {
    console.log(`${root} holds a devnet of ${existing.nodes.length} nodes; starting those`);
  }
  const firstPort = existing?.nodes[0]?.port;
  if (firstPort !== undefined && firstPort !== opts.basePort) {
    const last = firstPort + (existing?.nodes.length ?? 1) - 1;
    console.log(
      `${root} holds a devnet on ports ${firstPort}–${last} (in its genesis and each node's network.json); starting it there, not at --base-port ${opts.basePort}`,
    );
  }
  if (existing && opts.demo && !existing.demo) {
    console.log(`${root} holds a devnet made without --demo; starting it as it is`);
  }
  const cli = process.argv[1];
  if (!cli) throw new Error('cannot tell how this carechain was started');
  const children: ChildProcess[] = [];
  let stopping = false;
  let exitedNodes = 0;
  let allExited: () => void = () => undefined;
  // Whoever reads the devnet's output closing it (`carechain devnet … | head`) or the terminal
  // going away stops the nodes as Ctrl-C does: left running, they would hold their folders and
  // ports with nobody to stop them.
  let outputOpen = true;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      for (const child of children) child.kill('SIGTERM');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.once('SIGHUP', stop);
    const outputGone = () => {
      outputOpen = false;
      stop();
    };
    process.stdout.on('error', outputGone);
    process.stderr.on('error', outputGone);
    allExited = resolve;
  });
  const write = (stream: NodeJS.WriteStream, text: string) => {
    if (outputOpen) stream.write(text);
  };
  for (const [i, node] of devnet.nodes.entries()) {
    const dir = path.join(root, node.dir);
    const served = opts.console === i + 1;
    const child = spawn(process.execPath, [cli, served ? 'serve' : 'node', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const prefix = (chunk: Buffer) =>
      chunk
        .toString('utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => `[${node.dir}] ${line}\n`)
        .join('');
    child.stdout?.on('data', (chunk: Buffer) => write(process.stdout, prefix(chunk)));
    child.stderr?.on('data', (chunk: Buffer) => write(process.stderr, prefix(chunk)));
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.log(
          `[${node.dir}] exited (${signal ?? `code ${code}`}); restart it with: carechain ${served ? 'serve' : 'node'} --dir ${dir}`,
        );
        // With none left there is nothing to run: end, rather than wait on nothing.
        if (++exitedNodes === devnet.nodes.length) allExited();
      }
    });
    console.log(`[${node.dir}] ${node.id} on 127.0.0.1:${node.port}, pid ${child.pid}`);
  }
  console.log(
    [
      `devnet ${devnet.chainId}: ${devnet.nodes.length} validators in ${root}. Ctrl-C stops them.`,
      opts.console === undefined
        ? `a console for one of them: start the devnet with --console N (node N is then served; passphrase "${DEMO_PASSPHRASE}")`
        : `the console of node-${opts.console}: open the link node-${opts.console} prints (passphrase "${DEMO_PASSPHRASE}")`,
      `a replica that is not a validator, to catch up from scratch: carechain node --dir ${path.join(root, devnet.replica.dir)}`,
    ].join('\n'),
  );
  await stopped;
  if (!stopping) throw new Error('every node of the devnet has exited (see above)');
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) resolve();
          else child.once('exit', () => resolve());
        }),
    ),
  );
}
