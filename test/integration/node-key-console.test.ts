/**
 * The console rotating its own node's key (docs/consensus.md §7.4), on a copy of the demo chain
 * whose one validator is this node (St Mary's): the node service's own chain node (openChainNode,
 * making blocks alone), session and handlers. The new key is generated on the node
 * (network.nextNodeKey) before the proposal; a proposal naming another key is refused at the
 * form's field; approved in block H, block H + 1 is still certified by the old key and H + 2 by
 * the new one, which then is node-key.json, the old key kept aside.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeCertificate } from '../../shared/ledger/block';
import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import { membership } from '../../shared/members/state';
import { buildDemo } from '../../main/service/demo';
import { readKeyFile } from '../../main/service/keystore';
import { openChainNode, type OpenedNode } from '../../main/service/open-node';
import type { ServiceError } from '../../main/service/service-error';
import { tempDir } from '../support/cli';
import { DEMO_MAJORITY, openDemoConsole } from '../support/demo-console';
import { until } from '../support/processes';

const [ME] = DEMO_MAJORITY;

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

/** The demo console, its chain node opened as the node service opens it (blocks on its timer). */
async function openConsole() {
  const lines: string[] = [];
  const c = await openDemoConsole(template, ME, {
    openNode: (paths) => {
      opened = openChainNode(paths, {
        error: () => undefined,
        nodeKey: (line) => lines.push(line),
      });
      return opened.node;
    },
  });
  const vote = (member: string, proposalId: string) =>
    c.actAs(member, { type: 'governance.vote', proposalId, choice: 'approve' });
  return { ...c, vote, lines };
}

describe("rotating this node's own node key from the console", () => {
  it('generates the key on the node, refuses another, and switches at H + 2', async () => {
    const c = await openConsole();
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
    const refused = (await c.refusal('proposals.create', {
      action: action(generateKeyPair().publicKey),
    })) as ServiceError;
    expect(refused.code).toBe('bad_request');
    expect(refused.issues?.[0]?.path).toBe('newKey');
    expect(refused.message).toMatch(/generate the new node key on this node/);

    const { txId } = await c.call('proposals.create', { action: action(newKey) });
    await until(() => membership(c.node.replica.view).proposal(txId) !== undefined, 'proposal');
    for (const member of DEMO_MAJORITY) c.vote(member, txId);
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
