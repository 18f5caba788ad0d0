/**
 * The finding as it was made: through the RPC, a console could propose changes that stop the
 * chain's only validator (approved, the chain halts for good). The ledger rules refuse them, so
 * no client, not only the console's UI, gets them onto the chain: removing the last validator,
 * and rotating a validator's node key (its running node cannot switch keys). Adding a validator
 * is allowed now that the network runs consensus (the console warns first, docs/consensus.md
 * §7.6).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../shared/ledger/keys';
import { DEMO_PASSPHRASE, demoFolder, InProcessNode } from '../support/replica-attack';

interface MemberRow {
  id: string;
  nodeKey: string;
  validator: boolean;
}

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

    const attempts = [
      {
        type: 'rotate-key',
        member: validator?.id,
        role: 'node',
        oldKey: validator?.nodeKey,
        newKey: generateKeyPair().publicKey,
      },
      { type: 'remove-validator', member: validator?.id },
    ];
    for (const action of attempts) {
      const response = await node.call('proposals.create', { action });
      expect(response.ok, `${action.type} was accepted`).toBe(false);
      if (!response.ok) {
        expect(response.error.code).toBe('rejected');
        expect(response.error.message).toMatch(/validator/);
      }
    }
    const status = await node.ok<{ pendingTxs: number }>('chain.status');
    expect(status.pendingTxs).toBe(0);

    // Control: an ordinary proposal from the same console is accepted, and so is adding a
    // validator (to be voted on; on this one-node demo it would need the new validator's node).
    for (const action of [
      { type: 'suspend', member: other?.id },
      { type: 'add-validator', member: other?.id },
    ]) {
      expect(await node.call('proposals.create', { action }), action.type).toMatchObject({
        ok: true,
      });
    }
  });
});
