import { href } from '../app/routes';
import { useMembersById } from '../stores/members-store';

/** A member by legal name (id as fallback), linking to its page. */
export function MemberLink({ id }: { id: string }) {
  const members = useMembersById();
  return <a href={href.member(id)}>{members.get(id)?.legalName ?? id}</a>;
}
