import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { GenesisDoc } from '../../shared/ledger/genesis';
import type { KeyPair } from '../../shared/ledger/keys';
import { signTx, type DecodedTx, type TxBody } from '../../shared/ledger/tx';
import { membership } from '../../shared/members/state';
import { PeerTransport } from '../../main/network/transport/transport';
import { txsFrame } from '../../main/network/wire';
import { readKeyFile } from '../../main/service/keystore';
import { until, withReplica } from './processes';

/**
 * The founding members of a running `carechain devnet` signing governance transactions with
 * their admin keys (the devnet folders keep them) and gossiping them into one validator (node-2,
 * or node `via + 1`) through a member peer (the devnet replica's node key): how tests stand for
 * the members' admins voting in their own consoles.
 */
export interface MemberVotes {
  genesis: GenesisDoc;
  genesisHash: string;
  /** The validators' node keys, node-1 first. */
  nodeKeys: string[];
  /** A transaction signed by founder `i` (the four validators, then the replica's member). */
  sign(i: number, body: Record<string, unknown>): DecodedTx;
  gossip(txs: DecodedTx[]): void;
  /**
   * Founders `who` approve `proposalId`, once the node gossiped to holds it (a vote on a proposal
   * a node does not know yet is refused there without blame), sent again every few seconds until
   * `decided`.
   */
  approve(proposalId: string, who: number[], decided: () => boolean, what: string): Promise<void>;
  /** As `approve`, with votes to reject. */
  reject(proposalId: string, who: number[], decided: () => boolean, what: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A member peer of a running `carechain devnet`: a transport with the devnet replica's node key
 * (a member that is no validator, before its own node runs), started and connected to nobody
 * yet, with what a test needs to dial the validators and sign for the founders.
 */
export interface DevnetMemberPeer {
  peer: PeerTransport;
  genesis: GenesisDoc;
  genesisHash: string;
  /** The validators' node keys, node-1 first. */
  nodeKeys: string[];
  /** Where each validator listens (tcp://host:port), node-1 first. */
  endpoints: string[];
  /** The founders' admin keys: the validators' in their order, then the replica's member's. */
  admins: KeyPair[];
}

export async function devnetMemberPeer(root: string, dirs: string[]): Promise<DevnetMemberPeer> {
  const node1 = dirs[0] as string;
  const genesis = GenesisDoc.parse(
    JSON.parse(readFileSync(path.join(node1, 'genesis.json'), 'utf8')),
  );
  const genesisHash = withReplica(node1, (r) => r.tip().genesisHash);
  const admins: KeyPair[] = [...dirs, path.join(root, 'replica')].map((dir) =>
    readKeyFile(path.join(dir, 'admin-key.json')),
  );
  const nodeKeys = dirs.map((dir) => readKeyFile(path.join(dir, 'node-key.json')).publicKey);
  const endpoints = dirs.map((dir) => {
    const { listen } = JSON.parse(readFileSync(path.join(dir, 'network.json'), 'utf8')) as {
      listen: string;
    };
    return `tcp://${listen}`;
  });
  const peer = new PeerTransport({
    nodeKey: readKeyFile(path.join(root, 'replica', 'node-key.json')),
    chainId: genesis.chainId,
    genesisHash,
    listen: { host: '127.0.0.1', port: 0 },
    admit: () => ({ class: 'member' }),
  });
  await peer.start();
  return { peer, genesis, genesisHash, nodeKeys, endpoints, admins };
}

export async function memberVotes(root: string, dirs: string[], via = 1): Promise<MemberVotes> {
  const node1 = dirs[0] as string;
  const target = dirs[via] as string;
  const { peer, genesis, genesisHash, nodeKeys, endpoints, admins } = await devnetMemberPeer(
    root,
    dirs,
  );
  const memberIds = genesis.members.map((m) => m.id);
  await peer.dial(endpoints[via] as string, nodeKeys[via] as string);

  const sign = (i: number, body: Record<string, unknown>): DecodedTx =>
    signTx(
      {
        v: 1,
        chainId: genesis.chainId,
        member: memberIds[i] as string,
        signer: (admins[i] as KeyPair).publicKey,
        nonce: randomBytes(8).toString('hex'),
        ...body,
      } as TxBody,
      (admins[i] as KeyPair).secretKey,
      genesisHash,
    );
  const gossip = (txs: DecodedTx[]) =>
    expect(peer.send(nodeKeys[via] as string, 'tx', txsFrame(txs.map((t) => t.text)))).toBe('sent');

  const vote = async (
    choice: 'approve' | 'reject',
    proposalId: string,
    who: number[],
    decided: () => boolean,
    what: string,
  ) => {
    await until(
      () => withReplica(target, (r) => membership(r.view).proposal(proposalId)) !== undefined,
      `node-${via + 1} holding proposal ${proposalId.slice(0, 8)}`,
    );
    // Sent again every 3 s until decided; waited for with until(), which fails naming the wait
    // before the test's own timeout would.
    let sent = 0;
    await until(() => {
      if (decided()) return true;
      if (Date.now() - sent >= 3_000) {
        gossip(who.map((i) => sign(i, { type: 'governance.vote', proposalId, choice })));
        sent = Date.now();
      }
      return false;
    }, what).catch((error: Error) => {
      const record = withReplica(node1, (r) => membership(r.view).proposal(proposalId));
      throw new Error(`${error.message}: ${JSON.stringify(record)}`, { cause: error });
    });
  };

  return {
    genesis,
    genesisHash,
    nodeKeys,
    sign,
    gossip,
    approve: (...args) => vote('approve', ...args),
    reject: (...args) => vote('reject', ...args),
    stop: () => peer.stop(),
  };
}
