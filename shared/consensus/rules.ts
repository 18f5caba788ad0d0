import { RuleError, type TxContext } from '../ledger/domain';
import type { VerifySignature } from '../ledger/keys';
import type { Overlay } from '../ledger/state';
import { numberKey } from '../ledger/records';
import { requireActiveSigner } from '../members/rules';
import { validatorsAt } from '../members/schedule';
import { conflicting, decodeMessage, type SignedMessage } from './messages';
import { evidenceRecords } from './records';
import type { ConsensusTx } from './txs';

function decodeEvidence(text: string, name: 'a' | 'b', verify: VerifySignature): SignedMessage {
  try {
    return decodeMessage(text, verify);
  } catch (error) {
    throw new RuleError(`evidence message ${name}: ${(error as Error).message}`);
  }
}

/**
 * Records proof that a validator signed two different messages for one position
 * (docs/consensus.md, section 10.3): both decode and verify under the platform's rule, are for
 * this chain, are of one key, kind, height and round, and name different values; the height is
 * not above this block's; the key was in V_height, which names the accused; and that fault is
 * not yet recorded.
 */
function applyEvidence(view: Overlay, body: ConsensusTx, ctx: TxContext): void {
  requireActiveSigner(view, body, { orNodeKey: true });
  // applyTx always passes it; only a caller applying rules by hand could leave it out.
  if (!ctx.verify) throw new Error('evidence needs the platform signature verifier');
  const a = decodeEvidence(body.a, 'a', ctx.verify);
  const b = decodeEvidence(body.b, 'b', ctx.verify);
  for (const [name, m] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (m.chainId !== body.chainId)
      throw new RuleError(`evidence message ${name} is for chain ${m.chainId}`);
  }
  if (a.validator !== b.validator)
    throw new RuleError('the two messages are signed by different keys');
  if (a.kind !== b.kind)
    throw new RuleError(`the two messages are of different kinds (${a.kind} and ${b.kind})`);
  if (a.height !== b.height || a.round !== b.round) {
    throw new RuleError(
      `the two messages are for different rounds (height ${a.height} round ${a.round}, height ${b.height} round ${b.round})`,
    );
  }
  if (!conflicting(a, b))
    throw new RuleError('the two messages name the same value: that is not equivocation');
  if (a.height > ctx.height) {
    throw new RuleError(
      `the messages are for height ${a.height}, above this block's height ${ctx.height}`,
    );
  }
  const accused = validatorsAt(view, a.height).find((v) => v.nodeKey === a.validator);
  if (!accused) {
    throw new RuleError(
      `the key ${a.validator.slice(0, 12)}… was not a validator at height ${a.height}`,
    );
  }
  const key = [a.validator, numberKey(a.height), numberKey(a.round), a.kind];
  if (view.get(evidenceRecords, key)) {
    throw new RuleError(
      `evidence that ${accused.member} signed two ${a.kind}s at height ${a.height}, round ${a.round} is already recorded`,
    );
  }
  view.put(evidenceRecords, {
    validator: a.validator,
    member: accused.member,
    height: a.height,
    round: a.round,
    kind: a.kind,
    a: body.a,
    b: body.b,
    reporter: body.member,
    txId: ctx.txId,
  });
}

/** Applies one consensus transaction; throws RuleError if it breaks a rule. */
export function applyConsensusTx(view: Overlay, body: ConsensusTx, ctx: TxContext): void {
  switch (body.type) {
    case 'consensus.evidence':
      applyEvidence(view, body, ctx);
      break;
  }
}
