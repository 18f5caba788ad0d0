import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { GenesisDoc, GenesisMember } from '../../shared/ledger/genesis';
import { generateKeyPair } from '../../shared/ledger/keys';
import { ChainId } from '../../shared/ledger/schemas';
import { describeZod } from '../../shared/ledger/tx';
import { Policy } from '../../shared/members/schemas';
import { Replica } from '../store/replica';
import { verifyDataFolder } from '../store/startup-check';
import { ChainNode } from '../service/chain-node';
import { dataPaths, ensureDir } from '../service/data-dir';
import { buildDemo, DEMO_PASSPHRASE } from '../service/demo';
import { keyFileText, readKeyFile, writeKeyFile } from '../service/keystore';
import { acquireLock } from '../service/lock';
import { startNodeService } from '../service/node-service';
import { startWebHost } from '../web/host';

class CommandError extends Error {}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
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
  const paths = dataPaths(opts.dir);
  if (existsSync(paths.replica)) throw new CommandError(`${paths.root} already holds a chain`);
  ensureDir(paths.root);
  writeFileSync(paths.genesis, `${JSON.stringify(genesis.data, null, 2)}\n`);
  if (nodeKey) writeKeyFile(paths.nodeKey, nodeKey);
  const replica = Replica.open(paths.replica);
  try {
    replica.initGenesis(genesis.data);
    const tip = replica.tip();
    console.log(`initialised chain ${tip.chainId} in ${paths.root}\ngenesis block ${tip.hash}`);
  } finally {
    replica.close();
  }
}

function requireReplica(dir: string) {
  const paths = dataPaths(dir);
  if (!existsSync(paths.replica)) {
    throw new CommandError(
      `${paths.root} holds no replica (${path.basename(paths.replica)}); run carechain init or carechain demo first`,
    );
  }
  return paths;
}

export async function runNode(opts: { dir: string }): Promise<void> {
  const paths = requireReplica(opts.dir);
  const lock = acquireLock(paths.lock);
  const replica = Replica.open(paths.replica);
  const nodeKey = existsSync(paths.nodeKey) ? readKeyFile(paths.nodeKey) : null;
  const node = new ChainNode(replica, nodeKey);
  node.listen({
    committed: (b) =>
      console.log(`block ${b.header.height} ${b.hash.slice(0, 16)}… ${b.txs.length} tx`),
    rejected: (tx, reason) => console.log(`rejected ${tx.id.slice(0, 16)}…: ${reason}`),
  });
  node.start(400, (error) => console.error(`block production failed: ${error.message}`));
  const tip = replica.tip();
  console.log(
    `node on chain ${tip.chainId} at height ${tip.height}; ${node.canProduce() ? 'producing blocks as the validator' : 'not a validator of this chain'}. Ctrl-C stops it.`,
  );
  try {
    await untilStopped();
  } finally {
    node.stop();
    replica.close();
    lock.release();
  }
}

export function runDemo(opts: { dir: string }): void {
  const started = performance.now();
  const { height } = buildDemo(opts.dir);
  const paths = dataPaths(opts.dir);
  console.log(
    [
      `demo consortium built in ${paths.root} (height ${height}, ${Math.round(performance.now() - started)} ms)`,
      `console profile: St Mary's University Hospital, passphrase "${DEMO_PASSPHRASE}"`,
      `open it with: carechain serve --dir ${opts.dir}`,
    ].join('\n'),
  );
}

export function runVerify(opts: { dir: string }): void {
  const paths = requireReplica(opts.dir);
  const outcome = verifyDataFolder(paths);
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
    await untilStopped();
  } finally {
    await host.close();
    await service.close();
  }
}
