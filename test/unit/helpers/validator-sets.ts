/**
 * Chains whose validator set changes, for the tests of the validators in force per height
 * (validator-schedule.test.ts, and multi-validator.test.ts with the single-validator rule
 * lifted): four validator founders, decisions carried out through real blocks, blocks checked
 * without committing, and a replay by a replica that never saw the chain being built.
 */
import { expect } from 'vitest';
import type { WireBlock } from '../../../shared/ledger/block';
import { BlockRejected } from '../../../shared/ledger/chain';
import type { Validator } from '../../../shared/ledger/domain';
import { scheduleRecords } from '../../../shared/members/records';
import type { ProposalAction } from '../../../shared/members/schemas';
import { TestChain, type TestChainOptions } from './test-chain';

/**
 * Six founders, the first four validators. By member id the validators are A(cme), M(edline),
 * N(orthside) and S(t Mary); P(harmacy) and R(esearch) are members only.
 */
export function fourValidators(options: TestChainOptions = {}) {
  const chain = TestChain.create({ founders: 6, validators: 4, ...options });
  const [S, N, A, M, P, R] = chain.founderIds as [string, string, string, string, string, string];
  return { chain, S, N, A, M, P, R };
}

/**
 * Proposes in one block (as the first voter) and approves in the next; the voters must be just
 * enough to decide. Returns H, the height of the block that carried the decision out.
 */
export function decide(
  chain: TestChain,
  action: ProposalAction,
  voters: readonly string[],
): number {
  const proposal = chain.propose(voters[0] as string, action);
  chain.commitOk([proposal]);
  chain.commitOk(chain.votes(voters, proposal.id, 'approve'));
  expect(chain.proposal(proposal.id).status).toBe('approved');
  return chain.height;
}

export const memberIds = (validators: readonly Validator[]) => validators.map((v) => v.member);

/** The schedule records, each as its first height and the ids of its validators. */
export function scheduleOf(chain: TestChain) {
  return chain.state
    .list(scheduleRecords, 'all')
    .map((s) => ({ fromHeight: s.fromHeight, members: memberIds(s.validators) }));
}

/** Why verifyBlock refuses the block at the next height (it must refuse it). */
export function blockRefusal(chain: TestChain, wire: WireBlock): string {
  try {
    chain.check(wire);
  } catch (error) {
    if (error instanceof BlockRejected) return error.message;
    throw error;
  }
  throw new Error('the block was accepted');
}

/** Every block again, from genesis: the same tip and the same schedule. */
export function replay(chain: TestChain): void {
  const replica = chain.newReplica();
  for (const wire of chain.blocks) replica.apply(wire);
  expect(replica.tip).toEqual(chain.tip);
  expect(replica.state.list(scheduleRecords, 'all')).toEqual(
    chain.state.list(scheduleRecords, 'all'),
  );
}
