import { existsSync } from 'node:fs';
import type { AppliedBlock } from '../../shared/ledger/chain';
import type { DecodedTx } from '../../shared/ledger/tx';
import { writeHighWater } from '../store/high-water';
import { openCheckedReplica, type ReplicaProblem } from '../store/startup-check';
import { ChainNode } from './chain-node';
import type { DataPaths } from './data-dir';
import type { KeyPair } from '../../shared/ledger/keys';
import { KeyFileError, readKeyFile } from './keystore';
import { MembershipQueries } from '../members/queries';
import { settleNodeKey } from '../network/node-key-rotation';

const BLOCK_INTERVAL_MS = 400;

export interface OpenedNode {
  node: ChainNode;
  /** Why the replica is served read-only, or null when it checked out. */
  problem: ReplicaProblem | null;
}

export interface NodeEvents {
  committed?(block: AppliedBlock): void;
  rejected?(tx: DecodedTx, reason: string): void;
  error(error: Error): void;
  /** This node's key moved on: switched to its next key, or the next key discarded. */
  nodeKey?(line: string): void;
}

/**
 * Opens a data folder's chain the one way both `carechain node` and the node service do: the
 * replica checked before anything is built on it (read-only with the reason if it is damaged),
 * the node key read, journalled submissions restored, and block production started. Every
 * committed block moves the committed-height mark forward. A failure closes what it opened.
 */
export function openChainNode(paths: DataPaths, events: NodeEvents): OpenedNode {
  const { replica, problem } = openCheckedReplica(paths);
  try {
    // A damaged node key file is a reason the node cannot make blocks, shown with the replica
    // served; it is not a reason to show nothing at all.
    let nodeKey: KeyPair | null = null;
    let nodeKeyProblem: string | null = null;
    const proposals = new MembershipQueries(replica.db);
    // A rotation of this node's key that came into force (or ended) while it was stopped, even
    // killed half-way through the switch, is settled before the key is read.
    const settle = (): KeyPair | null => {
      if (problem) return null;
      const tip = replica.tip();
      try {
        const chain = { chainId: tip.chainId, genesisHash: tip.genesisHash };
        const step = settleNodeKey(paths.root, chain, replica.view, tip.height, (member) =>
          proposals.proposalsAbout(member),
        );
        if (step.kind === 'switched') {
          events.nodeKey?.(
            `node key switched to ${step.key.publicKey.slice(0, 16)}… for height ${tip.height + 1}${step.retired ? `; the old key is kept in ${step.retired}` : ''}`,
          );
          return step.key;
        }
        if (step.kind === 'discarded') events.nodeKey?.(`next node key discarded: ${step.reason}`);
      } catch (error) {
        events.nodeKey?.(`the node key could not be settled: ${(error as Error).message}`);
      }
      return null;
    };
    settle();
    if (existsSync(paths.nodeKey)) {
      try {
        nodeKey = readKeyFile(paths.nodeKey);
      } catch (error) {
        if (!(error instanceof KeyFileError)) throw error;
        nodeKeyProblem = error.message;
      }
    }
    const node = new ChainNode(replica, nodeKey);
    if (nodeKeyProblem) node.setNodeKeyProblem(nodeKeyProblem);
    node.listen({
      committed: (block, more) => {
        // The mark and the node key follow the tip; blocks committed together need them once.
        if (!more) {
          writeHighWater(paths.highWater, { height: block.header.height, hash: block.hash });
          const switched = settle();
          if (switched) node.useNodeKey(switched);
        }
        events.committed?.(block);
      },
      rejected: (tx, reason) => events.rejected?.(tx, reason),
    });
    if (problem) {
      node.setReadOnly(
        problem.height === null ? problem.reason : `block ${problem.height}: ${problem.reason}`,
      );
    } else {
      node.restoreSubmissions();
      node.start(BLOCK_INTERVAL_MS, (error) => {
        // Its SQLite transaction rolled back, so the replica is as it was; but what failed once
        // fails again, and submissions would wait for ever without a word: stop taking them.
        node.setReadOnly(
          `making the next block failed (${error.message}); restart the node once the cause is fixed`,
        );
        events.error(error);
      });
    }
    return { node, problem };
  } catch (error) {
    replica.close();
    throw error;
  }
}
