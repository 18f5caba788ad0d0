import { decodeTx } from '../../shared/ledger/tx';
import { describeBody } from '../../shared/registry';
import type { ChainNode } from '../service/chain-node';
import type { HandlerContext, HandlersFor } from '../service/handler-context';

export type SubmissionsMethod = 'submissions.list';

/** The journal is a local table: an entry edited into nonsense is shown as such, not fatal. */
function journalledSummary(node: ChainNode, text: string): string {
  try {
    return describeBody(decodeTx(text).body, node.replica.view);
  } catch (error) {
    return `Unreadable journal entry: ${(error as Error).message}`;
  }
}

/**
 * What this console signed and what became of each (waiting, committed, refused), from the
 * node's journal of its own submissions. Whatever the domain, a submission is described through
 * the registry.
 */
export function submissionsHandlers(ctx: HandlerContext): HandlersFor<SubmissionsMethod> {
  return {
    'submissions.list': ({ limit }) => {
      const node = ctx.requireNode();
      return node.replica.recentSubmissions(limit).map((s) => ({
        txId: s.txId,
        type: s.type,
        summary: journalledSummary(node, s.text),
        submittedAt: s.submittedAt,
        status: s.status,
        height: s.height,
        reason: s.reason,
        decidedAt: s.decidedAt,
      }));
    },
  };
}
