import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConsensusDriver, type BlockBody } from '../network/consensus-driver';
import { nodeChain } from '../network/node-chain';
import { SignGuard } from '../network/sign-state';
import type { SignedMessage } from '../../shared/consensus/messages';
import type { KeyPair } from '../../shared/ledger/keys';
import { ChainNode } from '../service/chain-node';
import { dataPaths } from '../service/data-dir';
import {
  DEMO_FOUNDERS,
  DEMO_ORGS,
  demoCast,
  demoProfiles,
  playDemo,
  type DemoCast,
} from '../service/demo';
import { writeKeyFile, writeProfile } from '../service/keystore';
import { Replica } from '../store/replica';
import { initChainFolder } from './commands';

/*
 * `carechain devnet --demo`: the demo consortium's history (demo.ts) decided by the devnet's own
 * validators. The demo's first founders are the validators, each node key a devnet node's; every
 * block of the history is decided by the consensus rounds of docs/consensus.md among them, each
 * validator a ConsensusDriver over its own replica and signing through its own double-sign guard
 * (so its signing record holds what it signed), exactly as on the network. Only the transport is
 * in memory, and the clock is the demo's: the history spans a hundred days, which a network
 * running in real time could not write in minutes. The devnet then starts from these replicas.
 */

interface Validator {
  dir: string;
  chain: ChainNode;
  driver: ConsensusDriver;
}

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/** Consensus among validators in one process, on a simulated clock, one block at a time. */
class DemoConsensus {
  readonly clock: { now: number };
  private readonly validators: Validator[] = [];
  private readonly tasks: (() => void)[] = [];
  private readonly timers = new Set<Timer>();
  private seq = 0;
  private readonly failures: Error[] = [];

  constructor(start: number) {
    this.clock = { now: start };
  }

  add(dir: string, cast: DemoCast, key: KeyPair): ChainNode {
    const paths = dataPaths(dir);
    const replica = Replica.open(paths.replica);
    // Synced once at the end (close): a sync per block would only make the build slower.
    replica.db.pragma('synchronous = OFF');
    const chain = new ChainNode(replica, key, () => this.clock.now);
    chain.useConsensus(() => null);
    const tip = replica.tip();
    const guard = SignGuard.open(dir, key, { chainId: tip.chainId, genesisHash: tip.genesisHash });
    const self = { dir, chain } as Validator;
    const others = () => this.validators.filter((v) => v !== self);
    self.driver = new ConsensusDriver(
      nodeChain(chain),
      {
        now: () => this.clock.now,
        setTimer: (ms, fire) => {
          const timer = { at: this.clock.now + ms, seq: this.seq++, fire };
          this.timers.add(timer);
          return () => this.timers.delete(timer);
        },
        sign: (message) => {
          const outcome = guard.sign(message);
          if (outcome.ok) return outcome.message;
          this.failures.push(new Error(`${dir} did not sign: ${outcome.detail}`));
          return null;
        },
        broadcast: (message: SignedMessage, block: BlockBody | null) => {
          for (const peer of others()) {
            this.tasks.push(() => {
              peer.driver.receive(message, block);
              if (block) peer.driver.receiveBlock(block);
            });
          }
        },
        fetchBlock: (_height, _round, hash) => {
          for (const peer of others()) {
            const block = peer.driver.heldBlock(hash);
            if (block) {
              this.tasks.push(() => self.driver.receiveBlock(block));
              return;
            }
          }
        },
        evidence: (first) =>
          this.failures.push(new Error(`validator ${first.validator} signed twice`)),
        behind: () => this.tasks.push(() => this.catchUp(self)),
        committed: () => undefined,
        failed: (error) => this.failures.push(error),
        ownSignatureSeen: (message) => void guard.observeOwnSignature(message),
      },
      { chainId: cast.genesis.chainId, self: key.publicKey },
    );
    this.validators.push(self);
    return chain;
  }

  start(): void {
    for (const v of this.validators) v.driver.start();
    // A transaction queued at the first validator reaches every other's mempool, as gossip would.
    const [first, ...rest] = this.validators;
    first?.chain.listen({
      queued: (txs) => {
        for (const v of rest) for (const tx of txs) v.chain.submit(tx);
      },
    });
  }

  /** Runs the rounds until every validator has committed the next block; throws if none comes. */
  commit(): void {
    const target = Math.max(...this.validators.map((v) => v.chain.replica.tip().height)) + 1;
    for (const v of this.validators) v.driver.poke();
    for (let steps = 0; ; steps++) {
      const failure = this.failures[0];
      if (failure) throw new Error(`demo on the devnet: ${failure.message}`);
      if (this.validators.every((v) => v.chain.replica.tip().height >= target)) return;
      if (steps > 200_000) throw new Error('demo on the devnet: the validators decided no block');
      const task = this.tasks.shift();
      if (task) {
        task();
        continue;
      }
      const timer = [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!timer) throw new Error('demo on the devnet: a block was expected and none is due');
      this.timers.delete(timer);
      this.clock.now = Math.max(this.clock.now, timer.at);
      timer.fire();
    }
  }

  /** Copies committed blocks from the validator furthest ahead (sync in miniature). */
  private catchUp(self: Validator): void {
    const source = [...this.validators].sort(
      (a, b) => b.chain.replica.tip().height - a.chain.replica.tip().height,
    )[0];
    if (!source || source === self) return;
    for (let h = self.chain.replica.tip().height + 1; h <= source.chain.replica.tip().height; h++) {
      const wire = source.chain.replica.wireBlock(h);
      if (!wire) break;
      self.chain.commitBlock(wire);
    }
    self.driver.caughtUp();
  }

  close(): void {
    for (const v of this.validators) {
      v.driver.stop();
      v.chain.replica.db.pragma('synchronous = FULL');
      v.chain.replica.db.pragma('wal_checkpoint(TRUNCATE)');
      v.chain.replica.close();
    }
  }
}

export interface DemoDevnetFolder {
  /** Folder name under the devnet root: node-1… for validators, `replica` for the spare. */
  dir: string;
  /** The member whose node it is, and its port on 127.0.0.1. */
  id: string;
  port: number;
}

/**
 * Writes a devnet of `nodes` validators (1 to 5, the demo's founders) holding the demo's
 * history, and one more member's folder (a replica that is not a validator, not started), all
 * in `root`: each folder with the genesis, the replica, its node key and signing record, its
 * member's admin key (admin-key.json), a console profile of every member with its own first,
 * and network.json. Returns the folders; the caller writes devnet.json.
 */
export function writeDemoDevnet(
  root: string,
  nodes: number,
  basePort: number,
  now = Date.now(),
): { validators: DemoDevnetFolder[]; replica: DemoDevnetFolder } {
  if (nodes > DEMO_FOUNDERS) {
    throw new Error(
      `the demo has ${DEMO_FOUNDERS} founders: --demo runs 1 to ${DEMO_FOUNDERS} validators`,
    );
  }
  const keyDir = path.join(root, 'demo-keys');
  const endpointOf = (index: number) => `tcp://127.0.0.1:${basePort + index}`;
  mkdirSync(keyDir, { recursive: true, mode: 0o700 });
  const cast = demoCast(now, keyDir, { validators: nodes, endpointOf });
  // The validators are the first founders; the replica is the next organisation, a member by
  // the end of the history (a founder, or the institute admitted in week 1).
  const folders: (DemoDevnetFolder & { validator: boolean })[] = DEMO_ORGS.slice(0, nodes + 1).map(
    (org, i) => ({
      dir: i < nodes ? `node-${i + 1}` : 'replica',
      id: org.id,
      port: basePort + i,
      validator: i < nodes,
    }),
  );
  const keysOf = (id: string) => {
    const keys = cast.keys.get(id);
    if (!keys) throw new Error(`demo: no keys for ${id}`);
    return keys;
  };
  for (const f of folders) initChainFolder(path.join(root, f.dir), cast.genesis, keysOf(f.id).node);

  const consensus = new DemoConsensus(cast.start);
  const chains = folders
    .filter((f) => f.validator)
    .map((f) => consensus.add(path.join(root, f.dir), cast, keysOf(f.id).node));
  const primary = chains[0];
  if (!primary) throw new Error('demo: a devnet has at least one validator');
  consensus.start();
  let played;
  try {
    played = playDemo(cast, {
      node: primary,
      clock: consensus.clock,
      keyDir,
      endpointOf,
      commit: () => consensus.commit(),
    });
    for (const f of folders) {
      const dir = path.join(root, f.dir);
      writeKeyFile(path.join(dir, 'admin-key.json'), keysOf(f.id).admin);
      writeProfile(
        dataPaths(dir).profile,
        demoProfiles(primary.replica, cast, played.secrets, f.id),
      );
      writeFileSync(
        path.join(dir, 'network.json'),
        `${JSON.stringify({ listen: `127.0.0.1:${f.port}`, peers: [] }, null, 2)}\n`,
      );
    }
  } finally {
    consensus.close();
  }
  // The spare replica starts at genesis: `carechain node --dir …/replica` catches up from peers.
  const strip = ({ dir, id, port }: DemoDevnetFolder) => ({ dir, id, port });
  return {
    validators: folders.filter((f) => f.validator).map(strip),
    replica: strip(folders[folders.length - 1] as DemoDevnetFolder),
  };
}
