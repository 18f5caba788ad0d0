import type { MemberView } from '../../shared/rpc/contract';
import { useMembersStore } from '../stores/members-store';

/** The consortium's active members by name (the members list is loaded with the console). */
export function useActiveMembers(): MemberView[] {
  const members = useMembersStore((state) => state.list.data);
  return (members ?? []).filter((m) => m.status === 'active');
}

/**
 * A member picker: active members by legal name and kind. Field gives it its id and the aria
 * attributes of its hint and error.
 */
export function MemberSelect({
  value,
  onChange,
  placeholder,
  exclude = [],
  disabled,
  ...aria
}: {
  value: string;
  onChange: (member: string) => void;
  placeholder: string;
  exclude?: readonly string[];
  disabled?: boolean;
  id?: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
  'aria-label'?: string;
}) {
  const members = useActiveMembers().filter((m) => !exclude.includes(m.id));
  return (
    <select
      {...aria}
      value={value}
      disabled={disabled}
      onChange={(event) => onChange(event.currentTarget.value)}
    >
      <option value="">{placeholder}</option>
      {members.map((m) => (
        <option key={m.id} value={m.id}>
          {m.legalName} ({m.kind})
        </option>
      ))}
    </select>
  );
}
