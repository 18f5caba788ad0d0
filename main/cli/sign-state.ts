import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { SignGuard, SignStateError, signStateFile } from '../network/sign-state';
import { dataPaths } from '../service/data-dir';
import { readKeyFile } from '../service/keystore';
import { FolderBusyError } from '../service/lock';
import { NoDataFolderError, openDataFolder } from '../service/startup';
import { Replica } from '../store/replica';
import { UsageError } from './usage-error';

/** The flag that says the operator read why a reset is dangerous. */
export const RESET_FLAG = '--i-understand-double-signing';

export interface SignStateResetOptions {
  dir: string;
  /** The height the network is deciding now, as another member's Network page shows it. */
  networkHeight?: string;
  iUnderstandDoubleSigning?: boolean;
}

const DANGER = [
  'A validator’s signing record (sign-state/<node key>.json) is what stops it from signing two',
  'conflicting votes at one height, which the other validators report as evidence of',
  'equivocation and which can split the chain. Resetting it forgets what this key signed: do it',
  'only for a node restored without its record (or with a damaged one), give the height the',
  'network is deciding now (the "Deciding block" of another member’s Network page, or of a',
  'running node), and make sure no other machine runs this node key. The key then signs nothing',
  'at or below the height after that one. The old record, if any, is kept beside the new one.',
].join('\n');

/**
 * `carechain sign-state reset` (docs/consensus.md §9, rule 4): writes a new signing record for
 * the folder's node key that lets it sign only above the height after the one the network is
 * deciding. Refused while the node runs (the folder's lock), without the explicit flag, with no
 * height or a height the local replica is already past, and when the record shows the key
 * signed at that height or above. The old record is copied aside first.
 */
export function runSignStateReset(opts: SignStateResetOptions): void {
  if (!opts.iUnderstandDoubleSigning) {
    throw new UsageError(
      `${DANGER}\n\nNothing was changed. To reset it anyway, add ${RESET_FLAG}.`,
    );
  }
  const raw = opts.networkHeight;
  if (raw === undefined) {
    throw new UsageError(
      '--network-height is required: the height the network is deciding now (another member’s Network page shows it as "Deciding block")',
    );
  }
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) {
    throw new UsageError(`--network-height is a whole number of 1 or more, not "${raw}"`);
  }
  const deciding = Number(raw);
  let opened;
  try {
    // A folder that is not there has nothing to reset: said without making it.
    opened = openDataFolder(opts.dir, { create: false });
  } catch (error) {
    if (error instanceof NoDataFolderError) {
      throw new UsageError(
        `${dataPaths(opts.dir).root} holds no replica and node key: nothing to reset`,
      );
    }
    if ((error as Error).cause instanceof FolderBusyError) {
      throw new UsageError(
        `${(error as Error).message}: stop the node (or the console serving it) first; its signing record is never reset under a running node`,
      );
    }
    throw error;
  }
  const { paths, lock } = opened;
  try {
    if (!existsSync(paths.replica) || !existsSync(paths.nodeKey)) {
      throw new UsageError(`${paths.root} holds no replica and node key: nothing to reset`);
    }
    const key = readKeyFile(paths.nodeKey);
    const replica = Replica.open(paths.replica, { readonly: true });
    let tip;
    try {
      tip = replica.tip();
    } finally {
      replica.close();
    }
    if (deciding <= tip.height) {
      throw new UsageError(
        `this replica already holds block ${tip.height}, so the network is deciding ${tip.height + 1} or later, not ${deciding}: give the height another member’s node is deciding now`,
      );
    }
    const file = signStateFile(paths.root, key.publicKey);
    const aside = `${file}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    if (existsSync(file)) copyFileSync(file, aside);
    const guard = SignGuard.open(paths.root, key, {
      chainId: tip.chainId,
      genesisHash: tip.genesisHash,
    });
    const from = deciding + 1;
    try {
      guard.reset(from);
    } catch (error) {
      // The record was not replaced: no copy of it is needed.
      if (existsSync(aside)) rmSync(aside);
      if (error instanceof SignStateError) throw new UsageError(`not reset: ${error.message}`);
      throw error;
    }
    console.log(
      [
        `reset the signing record of node key ${key.publicKey}: it signs nothing at or below height ${from}, round 0 (proposal), and from there on as usual.`,
        existsSync(aside) ? `The old record is kept as ${aside}.` : 'There was no record before.',
      ].join('\n'),
    );
  } finally {
    lock.release();
  }
}
