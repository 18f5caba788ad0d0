import type { BlockSummary } from '../../shared/rpc/contract';
import { href } from '../app/routes';
import { shortHex } from '../components/Hex';
import { useMembersById } from '../stores/members-store';

/**
 * A member by legal name, linking to its page. Transactions can also come from applicants that
 * are not members (yet): those show their id without a link to a page that does not exist.
 */
export function MemberLink({ id }: { id: string }) {
  const member = useMembersById().get(id);
  if (!member) return <code>{id}</code>;
  return <a href={href.member(id)}>{member.legalName}</a>;
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
