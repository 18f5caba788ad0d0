import { existsSync, readFileSync } from 'node:fs';
import { certificateProblem, decodeCertificate, decodeHeader } from '../../shared/ledger/block';
import { validatorsHashOf } from '../../shared/ledger/block';
import { GenesisDoc } from '../../shared/ledger/genesis';
import { validatorsAt } from '../../shared/registry';
import { verifySignature } from '../platform/ed25519';
import type { CheckPool } from '../platform/check-pool';
import { readHighWater, writeHighWater } from './high-water';
import { Replica, textOf } from './replica';
import { digestOfTables } from './state-digest';
import {
  checkDatabase,
  checkGenesisPin,
  Finding,
  verifyReplicaFile,
  verifyReplicaFilePooled,
  type SnapshotCheck,
  type TrustedGenesis,
  type VerifyOutcome,
} from './verify-replica';

export interface ReplicaFiles {
  replica: string;
  genesis: string;
  highWater: string;
}

/** Why the replica may not be written to or built upon; the node then serves it read-only. */
export interface ReplicaProblem {
  height: number | null;
  reason: string;
}

export interface CheckedReplica {
  replica: Replica;
  problem: ReplicaProblem | null;
}

/** genesis.json as this node trusts it; a damaged file is a finding, never a crash. */
export function readTrustedGenesis(file: string): TrustedGenesis {
  if (!existsSync(file)) return 'missing';
  let raw: unknown;
  try {
    // A byte-order mark, as some editors write, is not part of the JSON.
    raw = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Finding(0, `genesis.json cannot be read: ${(error as Error).message}`);
  }
  const parsed = GenesisDoc.safeParse(raw);
  if (!parsed.success) throw new Finding(0, 'genesis.json is not a valid genesis document');
  return parsed.data;
}

/**
 * Why genesis.json does not pin the chain this replica holds (it is missing, unreadable, or names
 * another chain), as the node finds it at start, or null. For the commands that act for the
 * folder's chain beside the node (next-node-key, invite): where the node would run the replica
 * read-only, they must not go ahead on what it holds.
 */
export function genesisPinProblem(replica: Replica, genesisFile: string): string | null {
  try {
    checkGenesisPin(replica, readTrustedGenesis(genesisFile));
    return null;
  } catch (error) {
    if (error instanceof Finding) return error.message;
    throw error;
  }
}

/**
 * Committed blocks must still be there: SQLite silently drops the end of a damaged write-ahead
 * log, which would roll the chain back without a word.
 */
function checkHighWater(replica: Replica, file: string): void {
  checkHighWaterMark(replica, file, readHighWater(file));
}

/** checkHighWater with the mark `file` held, read earlier (see markBeforeSnapshot). */
function checkHighWaterMark(
  replica: Replica,
  file: string,
  mark: ReturnType<typeof readHighWater>,
): void {
  if (mark === undefined) return;
  if (mark === 'damaged')
    throw new Finding(null, `the committed-height mark ${file} is damaged; it cannot be trusted`);
  const tip = replica.tip();
  const block = replica.block(mark.height);
  if (tip.height < mark.height) {
    throw new Finding(
      tip.height + 1,
      `committed blocks are missing: this node had committed up to height ${mark.height}, but the replica ends at height ${tip.height} (its write-ahead log was damaged or removed). To recover, stop the node and move ${file} aside: it then starts at height ${tip.height} and fetches the blocks above it from its peers. On a chain with no peer to fetch them from (a single validator off any network) they are lost: restore the data folder from a backup taken with the node stopped, if one holds them`,
    );
  }
  if (!block || block.hash !== mark.hash) {
    throw new Finding(
      mark.height,
      `block ${mark.height} is not the block this node committed at that height`,
    );
  }
}

/**
 * The last block must be intact and final: its header hashes to its stored hash, it links to
 * the block before it, and its certificate verifies against the validators in force at its
 * height (skipped only for a block whose validators' hash names another set: a chain whose set
 * changed before the schedule recorded it, which no released node could make).
 */
function checkTip(replica: Replica): void {
  const tip = replica.tip();
  const row = replica.block(tip.height);
  if (!row) throw new Finding(tip.height, 'the last block is missing');
  const mark = replica.tipMark();
  if (!mark || mark.height !== tip.height || mark.hash !== row.hash) {
    throw new Finding(
      tip.height,
      'the last stored block is not the tip the replica recorded (a block was added or removed behind the node)',
    );
  }
  if (tip.height === 0) return;
  const previous = replica.block(tip.height - 1);
  try {
    const header = decodeHeader(textOf(row.header));
    if (!previous || header.prevHash !== previous.hash)
      throw new Error('it does not link to the block before it');
    const cert = decodeCertificate(textOf(row.cert));
    // V_tip, which the schedule keeps once the set has changed: the set in the state may
    // already be the one a decision in the tip or the block before it scheduled.
    const validators = validatorsAt(replica.view, tip.height);
    if (header.validatorsHash === validatorsHashOf(validators)) {
      const problem = certificateProblem(
        cert,
        header,
        row.hash,
        validators.map((v) => v.nodeKey),
        verifySignature,
      );
      if (problem) throw new Error(problem);
    }
  } catch (error) {
    throw new Finding(tip.height, `the last block is damaged: ${(error as Error).message}`);
  }
}

/**
 * Opens the node's replica and checks it before anything is served or signed on it: SQLite's
 * integrity, the schema, the genesis pin, committed blocks not rolled back, the tip's header and
 * certificate, a full verification of every block not verified before, and the derived state
 * against the commitment recorded with the last block. A failure is returned as the problem
 * (the node then serves the replica read-only), not thrown; only a file SQLite cannot open at
 * all throws.
 */
export function openCheckedReplica(files: ReplicaFiles): CheckedReplica {
  const replica = Replica.open(files.replica);
  try {
    return { replica, problem: checkOpened(replica, files) };
  } catch (error) {
    replica.close();
    throw error;
  }
}

function checkOpened(replica: Replica, files: ReplicaFiles): ReplicaProblem | null {
  try {
    checkDatabase(replica);
    if (!replica.isInitialised()) {
      if (replica.block(0)) {
        throw new Finding(0, 'the stored genesis document is missing from the replica');
      }
      throw new Finding(null, 'the replica holds no chain (an interrupted init or demo?)');
    }
    const trusted = readTrustedGenesis(files.genesis);
    checkGenesisPin(replica, trusted);
    checkHighWater(replica, files.highWater);
    checkTip(replica);
    const tip = replica.tip();
    const verified = replica.verifiedMark();
    if (!verified || verified.height !== tip.height || verified.hash !== tip.hash) {
      // Blocks this replica has not verified itself: verify everything before building on it.
      const outcome = verifyReplicaFile(files.replica, trusted);
      if (!outcome.ok) throw new Finding(outcome.height, outcome.reason);
      replica.markVerified({ height: tip.height, hash: tip.hash }, outcome.digest);
    }
    const recorded = replica.stateDigest();
    if (
      !recorded ||
      recorded.height !== tip.height ||
      recorded.digest !== digestOfTables(replica.db)
    ) {
      // Name the first row that differs, if a full replay can; otherwise say what we know.
      const outcome = verifyReplicaFile(files.replica, trusted);
      if (!outcome.ok) throw new Finding(outcome.height, outcome.reason);
      throw new Finding(
        tip.height,
        'the commitment recorded with the last block does not match the stored chain and state',
      );
    }
    writeHighWater(files.highWater, { height: tip.height, hash: tip.hash });
    return null;
  } catch (error) {
    if (error instanceof Finding) return { height: error.height, reason: error.message };
    return { height: null, reason: (error as Error).message };
  }
}

/**
 * `carechain verify`: the same findings the node would report at start (the database itself,
 * which chain it is, then whether its committed blocks were rolled back), then a full
 * re-verification from genesis, all on one snapshot.
 */
export function verifyDataFolder(files: ReplicaFiles): VerifyOutcome {
  const trusted = trustedGenesisOf(files);
  if (trusted !== 'missing' && 'ok' in trusted) return trusted;
  return verifyReplicaFile(files.replica, trusted, markBeforeSnapshot(files));
}

/**
 * The committed-height check on verify's snapshot, with the mark read now, before the snapshot
 * is taken: a running node writes the mark only after its commit, so a mark read first never
 * names a block the later snapshot lacks, while one read after could (a false alarm).
 */
function markBeforeSnapshot(files: ReplicaFiles): SnapshotCheck {
  const mark = readHighWater(files.highWater);
  return (stored) => checkHighWaterMark(stored, files.highWater, mark);
}

/** The genesis this node trusts, or why it cannot be read, as a failed outcome. */
function trustedGenesisOf(files: ReplicaFiles): TrustedGenesis | VerifyOutcome {
  try {
    return readTrustedGenesis(files.genesis);
  } catch (error) {
    if (error instanceof Finding) return { ok: false, height: error.height, reason: error.message };
    return { ok: false, height: null, reason: (error as Error).message };
  }
}

/** verifyDataFolder with the replay's stateless checks on `pool`'s threads. */
export async function verifyDataFolderPooled(
  files: ReplicaFiles,
  pool: CheckPool,
): Promise<VerifyOutcome> {
  const trusted = trustedGenesisOf(files);
  if (trusted !== 'missing' && 'ok' in trusted) return trusted;
  return verifyReplicaFilePooled(files.replica, trusted, pool, markBeforeSnapshot(files));
}
