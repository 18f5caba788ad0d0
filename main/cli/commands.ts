import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { NetworkNode } from '../network/network-node';
import { networked, startNetwork } from '../network/start-network';
import { startFailure } from '../network/service-network';
import { SignGuard } from '../network/sign-state';
import { prepareNextNodeKey } from '../network/node-key-rotation';
import { guardAgainstStreamStateErrors } from '../network/transport/stream-error-guard';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { GenesisMember } from '../../shared/members/genesis';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import type { ChainTip } from '../../shared/ledger/chain';
import { ChainId } from '../../shared/ledger/schemas';
import { describeZod } from '../../shared/ledger/tx';
import { Policy } from '../../shared/members/schemas';
import { Replica } from '../store/replica';
import { genesisPinProblem, verifyDataFolderPooled } from '../store/startup-check';
import { CheckPool } from '../platform/check-pool';
import { buildChain, dataPaths, pendingBuild, type DataPaths } from '../service/data-dir';
import { buildDemo, DEMO_PASSPHRASE } from '../service/demo';
import { keyFileText, readKeyFile, writeKeyFile } from '../service/keystore';
import { startNodeService } from '../service/node-service';
import { openChainNode, type OpenedNode } from '../service/open-node';
import {
  NoDataFolderError,
  openDataFolder,
  startStep,
  type OpenedFolder,
} from '../service/startup';
import { startWebHost } from '../web/host';

class CommandError extends Error {}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

/**
 * Waits for the stop with the process kept alive: signal listeners do not keep Node running, so a
 * node with nothing else to wait on (a read-only replica, off any network) would otherwise end at
 * once with Node's code 13, right after saying that Ctrl-C stops it.
 */
async function runUntil(stopped: Promise<void>): Promise<void> {
  const alive = setInterval(() => undefined, 2 ** 30);
  try {
    await stopped;
  } finally {
    clearInterval(alive);
  }
}

export function runKeygen(opts: { out?: string }): void {
  const pair = generateKeyPair();
  if (!opts.out) {
    process.stdout.write(keyFileText(pair));
    return;
  }
  if (existsSync(opts.out))
    throw new CommandError(`${opts.out} already exists; a key file is never overwritten`);
  writeKeyFile(opts.out, pair);
  console.log(`wrote ${opts.out}\npublic key ${pair.publicKey}`);
}

/**
 * `carechain next-node-key`: the node's next node key for a rotation (docs/consensus.md §7.4),
 * generated on first use beside node-key.json with its signing record, both on disk before its
 * public key is printed: the key to name in the rotate-key proposal. Runs beside a running node
 * (it reads the replica only), which switches to the key once the rotation is in force.
 */
export function runNextNodeKey(opts: { dir: string }): void {
  const paths = dataPaths(opts.dir);
  if (!existsSync(paths.replica)) throw new CommandError(`${paths.root} holds no chain`);
  if (!existsSync(paths.nodeKey)) {
    throw new CommandError(`${paths.nodeKey} is missing: only a node with a node key rotates it`);
  }
  const replica = Replica.open(paths.replica, { readonly: true });
  let chain;
  try {
    const problem = genesisPinProblem(replica, paths.genesis);
    if (problem) {
      throw new CommandError(
        `${paths.root}: ${problem}. The node runs this replica read-only; no next node key was made`,
      );
    }
    const tip = replica.tip();
    chain = { chainId: tip.chainId, genesisHash: tip.genesisHash };
  } finally {
    replica.close();
  }
  const current = readKeyFile(paths.nodeKey).publicKey;
  const next = prepareNextNodeKey(paths.root, chain);
  console.log(
    [
      `current node key ${current}`,
      `next node key    ${next.publicKey}`,
      `propose rotate-key of this member's node key from ${current.slice(0, 16)}… to the next key; the node switches to it two blocks after the decision`,
    ].join('\n'),
  );
}

const FoundersFile = z.strictObject({
  chainId: ChainId,
  policy: Policy,
  members: z.array(GenesisMember).min(1),
});

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandError(
      `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CommandError(`${what} ${file} is not JSON: ${(error as Error).message}`);
  }
}

export function runInit(opts: { founders: string; dir: string; nodeKey?: string }): void {
  const founders = FoundersFile.safeParse(readJson(opts.founders, 'founders file'));
  if (!founders.success)
    throw new CommandError(`founders file ${opts.founders}: ${describeZod(founders.error)}`);
  const genesis = GenesisDoc.safeParse({ v: 1, time: Date.now(), ...founders.data });
  if (!genesis.success)
    throw new CommandError(`founders file ${opts.founders}: ${describeZod(genesis.error)}`);
  const nodeKey = opts.nodeKey ? readKeyFile(opts.nodeKey) : null;
  if (nodeKey && !genesis.data.members.some((m) => m.nodeKey === nodeKey.publicKey)) {
    throw new CommandError(`the node key ${opts.nodeKey} is not the nodeKey of any founder`);
  }
  const tip = initChainFolder(opts.dir, genesis.data, nodeKey);
  console.log(
    `initialised chain ${tip.chainId} in ${path.resolve(opts.dir)}\ngenesis block ${tip.hash}`,
  );
}

/**
 * Makes a data folder hold a new chain: genesis document, node key, block 0 and the node key's
 * signing record. Built beside the folder's files and moved in once complete: killed at any
 * moment, it leaves either no chain or this one.
 */
export function initChainFolder(
  dir: string,
  genesis: GenesisDoc,
  nodeKey: KeyPair | null,
): ChainTip {
  const { paths, lock, completed } = openDataFolder(dir);
  try {
    if (existsSync(paths.replica)) {
      throw new CommandError(
        completed
          ? `${paths.root} already holds a chain: an interrupted carechain ${completed} had built it, and it is now in place`
          : `${paths.root} already holds a chain`,
      );
    }
    const tip = buildChain(paths, 'init', (into) => {
      writeFileSync(into.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
      if (nodeKey) writeKeyFile(into.nodeKey, nodeKey);
      const replica = Replica.open(into.replica);
      try {
        replica.initGenesis(genesis);
        return replica.tip();
      } finally {
        replica.close();
      }
    });
    // A key new to this chain cannot have signed on it: its signing record starts empty.
    if (nodeKey) {
      SignGuard.createFresh(paths.root, nodeKey, {
        chainId: tip.chainId,
        genesisHash: tip.genesisHash,
      });
    }
    return tip;
  } finally {
    lock.release();
  }
}

function requireReplica(paths: DataPaths): void {
  try {
    statSync(paths.replica);
    return;
  } catch (error) {
    // Only a replica that is not there is "no replica": a folder this user may not read, or a
    // path through a file, is said as such (carechain.ts words the error).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const pending = pendingBuild(paths);
  if (pending) {
    throw new CommandError(
      `${paths.root} holds no replica yet: an interrupted carechain ${pending} built one that is not moved into place; the next carechain node, serve, init or demo in this folder finishes it`,
    );
  }
  throw new CommandError(
    `${paths.root} holds no replica (${path.basename(paths.replica)}); run carechain init or carechain demo first`,
  );
}

export async function runNode(opts: { dir: string }): Promise<void> {
  // Listening from the start: a SIGTERM or Ctrl-C during start-up also ends in a clean close.
  const stopped = untilStopped();
  guardAgainstStreamStateErrors((line) => console.error(line));
  let folder: OpenedFolder;
  try {
    // A folder that is not there holds no chain: said without making it (a mistyped --dir).
    folder = openDataFolder(opts.dir, { create: false });
  } catch (error) {
    if (error instanceof NoDataFolderError) requireReplica(dataPaths(opts.dir));
    throw error;
  }
  const { paths, lock } = folder;
  let opened: OpenedNode | null = null;
  let network: NetworkNode | null = null;
  try {
    requireReplica(paths);
    // The node key first: a damaged one is named as such, before the replica is opened.
    if (existsSync(paths.nodeKey))
      startStep('the node key file', paths.nodeKey, () => readKeyFile(paths.nodeKey));
    opened = startStep('the replica', paths.replica, () =>
      openChainNode(paths, {
        committed: (b) =>
          console.log(
            `block ${b.header.height} ${b.hash.slice(0, 16)}… ${b.txs.length} tx, round ${b.cert.round}, ${b.cert.signatures.length} signatures`,
          ),
        rejected: (tx, reason) => console.log(`rejected ${tx.id.slice(0, 16)}…: ${reason}`),
        error: (error) => console.error(`block production failed: ${error.message}`),
        nodeKey: (line) => console.log(line),
      }),
    );
    const { node, problem } = opened;
    const tip = node.replica.tip();
    if (problem) {
      console.error(
        `the replica is read-only: ${problem.height === null ? '' : `block ${problem.height}: `}${problem.reason}`,
      );
    }
    const config = problem ? null : networked(paths, node);
    if (config) {
      try {
        network = await startNetwork(paths, node, config, (line) => console.error(line));
      } catch (error) {
        throw new CommandError(`the network did not start: ${startFailure(error as Error)}`);
      }
      const status = network.status();
      console.log(
        `node on chain ${tip.chainId} at height ${tip.height}, on the network as ${status.nodeKey.slice(0, 16)}…, listening on ${status.addresses.join(', ')}. Ctrl-C stops it.`,
      );
    } else {
      console.log(
        `node on chain ${tip.chainId} at height ${tip.height}; ${problem ? 'read-only, producing no blocks' : node.canProduce() ? 'producing blocks as the validator' : 'not a validator of this chain'}. Ctrl-C stops it.`,
      );
    }
    await runUntil(stopped);
  } finally {
    await network?.stop();
    opened?.node.stop();
    opened?.node.replica.close();
    lock.release();
  }
}

export function runDemo(opts: { dir: string }): void {
  const started = performance.now();
  const { paths, lock, completed } = openDataFolder(opts.dir);
  let height: number | null;
  try {
    if (existsSync(paths.replica) && completed === 'demo') {
      // An earlier demo was killed after it had built everything; it is now in place.
      height = null;
    } else if (existsSync(paths.replica)) {
      throw new CommandError(
        `${paths.root} already holds a chain; choose another folder for the demo`,
      );
    } else {
      height = buildDemo(paths.root).height;
    }
  } finally {
    lock.release();
  }
  console.log(
    [
      height === null
        ? `demo consortium in ${paths.root} (completed from an earlier, interrupted carechain demo)`
        : `demo consortium built in ${paths.root} (height ${height}, ${Math.round(performance.now() - started)} ms)`,
      `console profiles: every member (St Mary's University Hospital first; Switch profile for another), passphrase "${DEMO_PASSPHRASE}"`,
      `open it with: carechain serve --dir ${opts.dir}`,
    ].join('\n'),
  );
}

/** A reader: it takes no lock, so it runs beside a node (and beside an init or demo). */
export async function runVerify(opts: { dir: string }): Promise<void> {
  const paths = dataPaths(opts.dir);
  requireReplica(paths);
  // Every core checks signatures ahead of the replay (docs/sync.md §7.2, as catch-up does).
  const pool = new CheckPool();
  let outcome;
  try {
    outcome = await verifyDataFolderPooled(paths, pool);
  } finally {
    await pool.close();
  }
  if (outcome.ok) {
    console.log(
      `OK: ${outcome.blocks} blocks and ${outcome.txs} transactions verified from genesis to height ${outcome.height}`,
    );
    return;
  }
  const where = outcome.height === null ? 'replica' : `block ${outcome.height}`;
  console.error(`FAILED at ${where}: ${outcome.reason}`);
  process.exitCode = 1;
}

function rendererDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
}

export async function runServe(opts: { dir: string; port: number }): Promise<void> {
  // Listening from the start: a SIGTERM or Ctrl-C during start-up also ends in a clean close.
  const stopped = untilStopped();
  guardAgainstStreamStateErrors((line) => console.error(line));
  const staticDir = rendererDir();
  if (!existsSync(path.join(staticDir, 'index.html'))) {
    throw new CommandError(`the console is not built (${staticDir} is missing); run npm run build`);
  }
  const service = await startNodeService({ dataDir: opts.dir });
  let host;
  try {
    host = await startWebHost({
      service,
      staticDir,
      port: opts.port,
      // Each link signs one browser in: print the next one for the next browser.
      onLinkUsed: (next) =>
        console.log(
          `That console link has been used and will not work again. For another browser, open ${next}`,
        ),
    });
  } catch (error) {
    await service.close();
    throw new CommandError(`cannot listen on 127.0.0.1:${opts.port}: ${(error as Error).message}`);
  }
  console.log(
    `CareChain console for ${dataPaths(opts.dir).root}\nopen ${host.consoleUrl}\n(the link works once; after it is used a new one is printed here)`,
  );
  try {
    await stopped;
  } finally {
    await host.close();
    await service.close();
  }
}
