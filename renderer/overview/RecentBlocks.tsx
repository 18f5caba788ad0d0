import { useEffect, type ReactNode } from 'react';
import type { BlockSummary, ProposalView } from '../../shared/rpc/contract';
import { BlockHeightHeader, BlockProposer } from '../blocks/block-cells';
import { absoluteTime, RelativeTime } from '../components/Time';
import { plural } from '../components/text';
import { describeAction, type MembersById } from '../members/describe';
import { useBlocksStore } from '../stores/blocks-store';

/**
 * What a block did: its first transaction's summary, and the proposals it decided. Committed
 * blocks never change and the store caches them, so each block is fetched once per session: a
 * new block costs one `blocks.get`, never a refetch of all the rows.
 */
function BlockActivity({
  block,
  decisions,
  members,
}: {
  block: BlockSummary;
  decisions: ProposalView[];
  members: MembersById;
}) {
  const detail = useBlocksStore((state) => state.blocks[block.height]);
  const loadBlock = useBlocksStore((state) => state.loadBlock);
  const hasTxs = block.txCount > 0;

  useEffect(() => {
    if (hasTxs) void loadBlock(block.height);
  }, [hasTxs, block.height, loadBlock]);

  const first = detail?.data?.txs[0];
  let what: ReactNode;
  if (block.height === 0) what = <span className="muted">The founding members and the policy</span>;
  else if (!hasTxs) what = <span className="muted">No transactions</span>;
  else if (first) {
    what = (
      <>
        {first.summary}
        {block.txCount > 1 && (
          <span className="muted"> and {plural(block.txCount - 1, 'more transaction')}</span>
        )}
      </>
    );
  } else {
    // Still loading, or failed: the count in the next column already says what is known.
    what = <span className="muted">…</span>;
  }
  return (
    <>
      {what}
      {decisions.map((proposal) => (
        <span key={proposal.id} className="cell-sub">
          Decided: {describeAction(proposal.action, members)}, <strong>{proposal.status}</strong>
        </span>
      ))}
    </>
  );
}

/** The newest blocks, newest first; `decided` marks the blocks that decided a proposal. */
export function RecentBlocks({
  blocks,
  decided,
  members,
  headingId,
}: {
  blocks: BlockSummary[];
  decided: ProposalView[];
  members: MembersById;
  headingId: string;
}) {
  return (
    <div className="table-wrap">
      <table className="table recent-blocks" aria-labelledby={headingId}>
        <thead>
          <tr>
            <th scope="col" className="numeric">
              Height
            </th>
            <th scope="col">Time</th>
            <th scope="col">Proposer</th>
            <th scope="col" className="numeric">
              {/* Short, so that the summaries keep their room in a 1024 px window. */}
              <abbr title="Transactions">Txs</abbr>
            </th>
            <th scope="col">What it did</th>
          </tr>
        </thead>
        <tbody>
          {blocks.map((block) => (
            <tr key={block.height} data-height={block.height}>
              <BlockHeightHeader height={block.height} />
              <td className="nowrap">
                <RelativeTime ms={block.time} />
                <span className="cell-sub muted">{absoluteTime(block.time)}</span>
              </td>
              <td className="nowrap">
                <BlockProposer block={block} />
              </td>
              <td className="numeric">{block.txCount}</td>
              <td>
                <BlockActivity
                  block={block}
                  decisions={decided.filter((p) => p.decidedHeight === block.height)}
                  members={members}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
