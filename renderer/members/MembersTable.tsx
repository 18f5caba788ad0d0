import { Link } from '@tanstack/react-router';
import type { MemberView } from '../../shared/rpc/contract';
import { StatusBadge } from '../components/Badge';
import { EmptyState } from '../components/States';

export function MembersTable({
  members,
  profileMember,
}: {
  members: MemberView[];
  profileMember: string;
}) {
  if (members.length === 0) return <EmptyState>The chain has no members yet.</EmptyState>;
  return (
    <div className="table-wrap">
      <table className="table" aria-labelledby="members-heading">
        <thead>
          <tr>
            <th scope="col">Legal name</th>
            <th scope="col">Member id</th>
            <th scope="col">Kind</th>
            <th scope="col">Status</th>
            <th scope="col">Validator</th>
            <th scope="col" className="numeric">
              Joined at block
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.id} data-member={member.id}>
              <th scope="row">
                <Link to="/members/$id" params={{ id: member.id }}>
                  {member.legalName}
                </Link>
                {member.id === profileMember && <span className="you"> (you)</span>}
              </th>
              <td>
                <code>{member.id}</code>
              </td>
              <td>{member.kind}</td>
              <td>
                <StatusBadge status={member.status} />
              </td>
              <td>{member.validator ? 'Yes' : 'No'}</td>
              <td className="numeric">
                <Link to="/blocks/$height" params={{ height: member.joinedHeight }}>
                  {member.joinedHeight}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
