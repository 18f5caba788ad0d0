/**
 * The finding as it was made: through the RPC, a console could propose changes that stop the
 * chain's only validator (approved, the chain halts for good). The ledger rules refuse removing
 * the last validator, so no client, not only the console's UI, gets it onto the chain; and the
 * node refuses to propose a rotation of its own node key to a key it does not hold (it could
 * never switch to it at H + 2). Adding a validator, and rotating the validator's node key to the
 * key its node generated (network.nextNodeKey), are allowed now that the network runs consensus
 * and nodes switch keys (docs/consensus.md §7.4, §7.6).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/ledger/keys';
import {
  DEMO_PASSPHRASE,
  demoFolder,
  demoTemplate,
  InProcessNode,
} from '../support/replica-attack';

interface MemberRow {
  id: string;
  nodeKey: string;
  validator: boolean;
}

// The run's demo template is built (if no file has yet) outside any test's timeout.
beforeAll(() => demoTemplate());

let node: InProcessNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});

describe('proposals that would stop the only validator, sent through the RPC', () => {
  it('are refused with the reason, and nothing is queued; adding a validator is not', async () => {
    node = await InProcessNode.open(await demoFolder('carechain-liveness-'));
    await node.ok('session.unlock', { passphrase: DEMO_PASSPHRASE });
    const members = await node.ok<MemberRow[]>('members.list');
    const validator = members.find((m) => m.validator);
    const other = members.find((m) => !m.validator);
    expect(validator?.id).toBe('st-marys-hospital');

    const rotation = (newKey: string) => ({
      type: 'rotate-key',
      member: validator?.id,
      role: 'node',
      oldKey: validator?.nodeKey,
      newKey,
    });
    const removal = await node.call('proposals.create', {
      action: { type: 'remove-validator', member: validator?.id },
    });
    expect(removal.ok, 'remove-validator was accepted').toBe(false);
    if (!removal.ok) {
      expect(removal.error.code).toBe('rejected');
      expect(removal.error.message).toMatch(/without a validator/);
    }
    const elsewhere = await node.call('proposals.create', {
      action: rotation(generateKeyPair().publicKey),
    });
    expect(elsewhere.ok, 'a rotation to a key the node does not hold was accepted').toBe(false);
    if (!elsewhere.ok) {
      expect(elsewhere.error.code).toBe('bad_request');
      expect(elsewhere.error.message).toMatch(/generate the new node key on this node/);
    }
    const status = await node.ok<{ pendingTxs: number }>('chain.status');
    expect(status.pendingTxs).toBe(0);

    // Control: an ordinary proposal from the same console is accepted, and so are adding a
    // validator (to be voted on; on this one-node demo it would need the new validator's node)
    // and rotating the validator's node key to the key its node made.
    const { publicKey } = await node.ok<{ publicKey: string }>('network.nextNodeKey');
    for (const action of [
      { type: 'suspend', member: other?.id },
      { type: 'add-validator', member: other?.id },
      rotation(publicKey),
    ]) {
      expect(await node.call('proposals.create', { action }), action.type).toMatchObject({
        ok: true,
      });
    }
  });
});
