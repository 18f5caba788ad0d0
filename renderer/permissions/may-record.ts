import { useProfile } from '../app/profile';
import { usePermissionsQuery } from '../stores/permissions-queries';

/**
 * Whether the profile's member records consents for a custodian's patients: it is the
 * custodian, or a delegate the custodian registered on chain (and has not stopped). The rules
 * check it again when the transaction is applied.
 */
export function useMayRecordFor(custodian: string | null): boolean {
  const profile = useProfile();
  const own = custodian === profile.memberId;
  const delegates = usePermissionsQuery(
    'permissions.delegates',
    custodian === null || own ? null : { custodian },
  );
  if (custodian === null) return false;
  if (own) return true;
  return (delegates.data ?? []).some((d) => d.delegate === profile.memberId && d.active);
}
