import type { AppliedBlock } from '../../shared/ledger/chain';
import { proposalRecords } from '../../shared/members/records';
import type { ProposalRecord } from '../../shared/members/schemas';
import type { RpcEvent } from '../../shared/rpc/contract';

/** Live events for proposals a block opened or decided. */
export function membershipEvents(block: AppliedBlock): RpcEvent[] {
  const events: RpcEvent[] = [];
  for (const change of block.changes) {
    if (change.record !== proposalRecords) continue;
    const p = change.value as ProposalRecord;
    const member = 'member' in p.action ? p.action.member : p.proposer;
    if (p.status === 'open' && p.createdHeight === block.header.height) {
      events.push({ type: 'proposal.opened', id: p.id, action: p.action.type, member });
    } else if (p.status !== 'open') {
      events.push({ type: 'proposal.decided', id: p.id, status: p.status, member });
    }
  }
  return events;
}
