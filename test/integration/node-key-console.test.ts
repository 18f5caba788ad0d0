/**
 * The console rotating its own node's key (docs/consensus.md §7.4), on a copy of the demo chain
 * whose one validator is this node (St Mary's): the node service's own chain node (openChainNode,
 * making blocks alone), session and handlers. The new key is generated on the node
 * (network.nextNodeKey) before the proposal; a proposal naming another key is refused at the
 * form's field; approved in block H, block H + 1 is still certified by the old key and H + 2 by
 * the new one, which then is node-key.json, the old key kept aside.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeCertificate } from '../../shared/ledger/block';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { signTx, type TxBody } from '../../shared/ledger/tx';
import { membership } from '../../shared/members/state';
import { methods, type MethodName, type Params, type Result } from '../../shared/rpc/contract';
import { dataPaths } from '../../main/service/data-dir';
import { buildDemo, DEMO_PASSPHRASE } from '../../main/service/demo';
import { createHandlers } from '../../main/service/handlers';
import { readKeyFile, readProfile } from '../../main/service/keystore';
import { openChainNode, type OpenedNode } from '../../main/service/open-node';
import { Session } from '../../main/service/session';
import { tempDir } from '../support/cli';
import { until } from '../support/processes';

const ME = 'st-marys-hospital';
const VOTERS = [
  ME,
  'northwind-pharma',
  'medline-distribution',
  'citycare-pharmacy',
  'meridian-generics',
  'atlas-health-logistics',
] as const;

let template: string;
beforeAll(() => {
  template = tempDir('carechain-node-key-');
  buildDemo(template);
});

let opened: OpenedNode | null = null;
afterEach(() => {
  opened?.node.stop();
  opened?.node.replica.close();
  opened = null;
});

function openConsole() {
  const dir = tempDir('carechain-node-key-');
  for (const name of ['chain.db', 'genesis.json', 'node-key.json', 'profile.json', 'demo-keys']) {
    const from = path.join(template, name);
    if (existsSync(from)) cpSync(from, path.join(dir, name), { recursive: true });
  }
  const paths = dataPaths(dir);
  const lines: string[] = [];
  opened = openChainNode(paths, { error: () => undefined, nodeKey: (line) => lines.push(line) });
  const { node } = opened;
  const session = new Session(paths, () => node);
  session.load(readProfile(paths.profile));
  const handlers = createHandlers({
    session,
    node: () => node,
    replicaProblem: () => null,
    openDemo: () => {
      throw new Error('the demo is open');
    },
    paths,
  });
  const call = async <M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> => {
    const parsed = methods[method].params.parse(params) as Params<M>;
    const handler = handlers[method] as (p: Params<M>) => unknown;
    return methods[method].result.parse(await handler(parsed)) as Result<M>;
  };
  const vote = (member: string, proposalId: string) => {
    const key = readKeyFile(path.join(paths.demoKeys, `${member}.admin.json`));
    const body = {
      v: 1,
      chainId: node.replica.tip().chainId,
      member,
      signer: key.publicKey,
      nonce: randomBytes(16).toString('hex'),
      type: 'governance.vote',
      proposalId,
      choice: 'approve',
    } as TxBody;
    return node.submit(signTx(body, key.secretKey, node.replica.genesisHash()));
  };
  return { dir, paths, node, call, vote, lines };
}

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string; issues?: { path: string }[] };
  }
  throw new Error('expected a refusal');
}

describe("rotating this node's own node key from the console", () => {
  it('generates the key on the node, refuses another, and switches at H + 2', async () => {
    const c = openConsole();
    await c.call('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const oldKey: KeyPair = readKeyFile(c.paths.nodeKey);
    expect(membership(c.node.replica.view).member(ME)?.nodeKey).toBe(oldKey.publicKey);

    const { publicKey: newKey } = await c.call('network.nextNodeKey', {});
    expect(readKeyFile(path.join(c.dir, 'node-key.next.json')).publicKey).toBe(newKey);
    expect(existsSync(path.join(c.dir, 'sign-state', `${newKey}.json`))).toBe(true);
    expect((await c.call('network.nextNodeKey', {})).publicKey).toBe(newKey);

    const action = (key: string) =>
      ({
        type: 'rotate-key',
        member: ME,
        role: 'node',
        oldKey: oldKey.publicKey,
        newKey: key,
      }) as const;
    // A key the node does not hold: it could never switch to it.
    const refused = await refusal(
      c.call('proposals.create', { action: action(generateKeyPair().publicKey) }),
    );
    expect(refused.code).toBe('bad_request');
    expect(refused.issues?.[0]?.path).toBe('newKey');
    expect(refused.message).toMatch(/generate the new node key on this node/);

    const { txId } = await c.call('proposals.create', { action: action(newKey) });
    await until(() => membership(c.node.replica.view).proposal(txId) !== undefined, 'proposal');
    for (const member of VOTERS) c.vote(member, txId);
    await until(
      () => membership(c.node.replica.view).proposal(txId)?.status === 'approved',
      'the rotation approved',
    );
    const H = membership(c.node.replica.view).proposal(txId)?.decidedHeight as number;
    // Blocks go on being made by this one validator: H + 1 under the old key, H + 2 the new.
    for (let ttl = 100; c.node.replica.tip().height < H + 2; ttl++) {
      const tip = c.node.replica.tip().height;
      await c.call('proposals.create', {
        action: { type: 'change-policy', policy: { threshold: 'majority', proposalTtlHours: ttl } },
      });
      await until(() => c.node.replica.tip().height > tip, `a block after ${tip}`);
    }
    const signer = (h: number) => {
      const block = c.node.replica.block(h);
      return block ? decodeCertificate(block.cert.toString('utf8')).signatures[0]?.validator : null;
    };
    expect(signer(H + 1)).toBe(oldKey.publicKey);
    expect(signer(H + 2)).toBe(newKey);
    expect(readKeyFile(c.paths.nodeKey).publicKey).toBe(newKey);
    expect(existsSync(path.join(c.dir, 'node-key.next.json'))).toBe(false);
    expect(
      readKeyFile(path.join(c.dir, `node-key.retired-${oldKey.publicKey.slice(0, 16)}.json`)),
    ).toEqual(oldKey);
    expect(c.lines.join('\n')).toMatch(/node key switched to/);
  }, 60_000);
});
