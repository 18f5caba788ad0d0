import { Link } from '@tanstack/react-router';
import type { BlockSummary } from '../../shared/rpc/contract';
import { shortHex } from '../components/Hex';
import { useMembersById } from '../stores/members-store';

/** The row header of a block table: its height, linking to the block. */
export function BlockHeightHeader({ height }: { height: number }) {
  return (
    <th scope="row" className="numeric">
      <Link to="/blocks/$height" params={{ height }} aria-label={`Block ${height}`}>
        {height}
      </Link>
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
  return (
    <Link to="/members/$id" params={{ id: block.proposerMember }}>
      {name}
    </Link>
  );
}
