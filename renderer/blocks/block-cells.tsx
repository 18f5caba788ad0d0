import type { BlockSummary } from '../../shared/rpc/contract';
import { href } from '../app/routes';
import { shortHex } from '../components/Hex';
import { useMembersById } from '../stores/members-store';

/** The row header of a block table: its height, linking to the block. */
export function BlockHeightHeader({ height }: { height: number }) {
  return (
    <th scope="row" className="numeric">
      <a href={href.block(height)} aria-label={`Block ${height}`}>
        {height}
      </a>
    </th>
  );
}

/** Who proposed a block: its member by legal name, else the validator key it was signed with. */
export function BlockProposer({ block }: { block: BlockSummary }) {
  const members = useMembersById();
  if (block.proposerMember === null) {
    // Genesis has no proposer; any other block names at least its validator key.
    if (block.proposer === '') return <span className="muted">Genesis</span>;
    return <code title={block.proposer}>{shortHex(block.proposer)}</code>;
  }
  const name = members.get(block.proposerMember)?.legalName ?? block.proposerMember;
  return <a href={href.member(block.proposerMember)}>{name}</a>;
}
