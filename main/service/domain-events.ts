import type { AppliedBlock } from '../../shared/ledger/chain';
import type { RpcEvent } from '../../shared/rpc/contract';
import { membershipEvents } from '../members/events';

/**
 * Where each domain's live events come from: a function from a committed block (its header and
 * the record changes it made) to the events the console is sent. A domain adds its own by adding
 * one entry; they are sent in this order, after the block's own block.committed.
 */
const DOMAIN_EVENTS: readonly ((block: AppliedBlock) => RpcEvent[])[] = [membershipEvents];

/** Every event a committed block gives rise to: block.committed, then each domain's. */
export function eventsOf(block: AppliedBlock): RpcEvent[] {
  return [
    {
      type: 'block.committed',
      height: block.header.height,
      hash: block.hash,
      txCount: block.txs.length,
    },
    ...DOMAIN_EVENTS.flatMap((events) => events(block)),
  ];
}
