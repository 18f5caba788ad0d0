import { existsSync } from 'node:fs';
import type { DecodedTx } from '../../shared/ledger/tx';
import type { ChainNode } from '../service/chain-node';
import { dataPaths, type DataPaths } from '../service/data-dir';
import { openChainNode, type OpenedNode } from '../service/open-node';
import { NoDataFolderError, openDataFolder } from '../service/startup';

/**
 * For a command that writes to the chain (epcis import, anchor add): the data folder's own
 * chain node, with the folder's lock held, closed and unlocked however `work` ends. While a node
 * runs on the folder the lock is taken: the refusal says `whileRunning`, where to act instead.
 */
export async function withOwnNode<T>(
  dir: string,
  whileRunning: string,
  work: (node: ChainNode, paths: DataPaths) => Promise<T>,
): Promise<T> {
  let folder: ReturnType<typeof openDataFolder>;
  try {
    // A folder that is not there holds no chain: said without making it (a mistyped --dir).
    folder = openDataFolder(dir, { create: false });
  } catch (error) {
    if (error instanceof NoDataFolderError) {
      throw new Error(`${dataPaths(dir).root} holds no chain (no chain.db)`, { cause: error });
    }
    const message = (error as Error).message;
    throw new Error(
      /another CareChain process/.test(message) ? `${message}: ${whileRunning}` : message,
      { cause: error },
    );
  }
  const { paths, lock } = folder;
  let opened: OpenedNode | null = null;
  try {
    if (!existsSync(paths.replica)) throw new Error(`${paths.root} holds no chain (no chain.db)`);
    opened = openChainNode(paths, { error: () => undefined });
    return await work(opened.node, paths);
  } finally {
    opened?.node.stop();
    opened?.node.replica.close();
    lock.release();
  }
}

/**
 * Queues signed transactions all or none, journalled together (a crash keeps all or none), then
 * makes blocks until every one is committed. Rule refusals come back as the node's RuleError.
 */
export async function commitAll(node: ChainNode, txs: readonly DecodedTx[]): Promise<string[]> {
  const ids = node.submitAll(txs, { journal: true });
  while (ids.some((id) => !node.replica.tx(id))) {
    node.produce();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return ids;
}
