import { Link } from '@tanstack/react-router';
import { useMembersById } from '../stores/members-store';

/**
 * A member by legal name, linking to its page. Transactions can also come from applicants that
 * are not members (yet): those show their id without a link to a page that does not exist.
 */
export function MemberLink({ id }: { id: string }) {
  const member = useMembersById().get(id);
  if (!member) return <code>{id}</code>;
  return (
    <Link to="/members/$id" params={{ id }}>
      {member.legalName}
    </Link>
  );
}
