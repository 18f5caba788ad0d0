/**

 * A reason typed in the console reaches the ledger in the one form its rules accept: the RPC
 * normalises it to NFC before signing, and the text rules still refuse what no normalisation
 * makes visible.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PASSPHRASE,
  demoFolder,
  demoTemplate,
  InProcessNode,
  sleep,
} from '../support/replica-attack';

interface ProposalRow {
  id: string;
  reason: string | null;
  action: { type: string; member?: string };
}

// The run's demo template is built (if no file has yet) outside any test's timeout.
beforeAll(() => demoTemplate());

let node: InProcessNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

async function openUnlocked(): Promise<InProcessNode> {
  node = await InProcessNode.open(await demoFolder('carechain-reason-'));
  await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
  return node;
}

describe('reasons typed in the console', () => {
  it('are signed in NFC when they arrive decomposed', async () => {
    const n = await openUnlocked();
    const decomposed = 'Re\u0301vision of the cold-chain audit';
    expect(decomposed.normalize('NFC')).not.toBe(decomposed);
    const { txId } = await n.ok<{ txId: string }>('proposals.create', {
      action: { type: 'suspend', member: 'citycare-pharmacy' },
      reason: decomposed,
    });
    let proposal: ProposalRow | undefined;
    for (let i = 0; i < 50 && !proposal; i++) {
      await sleep(100);
      const open = await n.ok<ProposalRow[]>('proposals.list', { status: 'open' });
      proposal = open.find((p) => p.id === txId);
    }
    expect(proposal?.reason).toBe('R\u00e9vision of the cold-chain audit');
  });

  it('are refused, naming the character, when only invisible', async () => {
    const n = await openUnlocked();
    const response = await n.call('proposals.create', {
      action: { type: 'suspend', member: 'citycare-pharmacy' },
      reason: '\u200b',
    });
    expect(response.ok).toBe(false);
    if (!response.ok) {
      expect(response.error.code).toBe('bad_request');
      expect(response.error.message).toContain('U+200B');
    }
    const status = await n.ok<{ pendingTxs: number }>('chain.status');
    expect(status.pendingTxs).toBe(0);
  });
});
