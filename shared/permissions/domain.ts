import { defineDomain } from '../ledger/domain';
import { describePermissionsTx } from './describe';
import { PERMISSIONS_RECORDS } from './records';
import { applyPermissionsTx } from './rules';
import { PERMISSIONS_TXS } from './txs';

/**
 * Record permissions (HL7 FHIR R4 Consent and AuditEvent in codes): patients' consents kept by
 * their custodian, the members it lets record them, and accesses to records with the outcome
 * the consents in force decide. Patients appear only as pseudonyms.
 */
export const permissionsDomain = defineDomain({
  name: 'permissions',
  txs: PERMISSIONS_TXS,
  records: PERMISSIONS_RECORDS,
  apply: applyPermissionsTx,
  describe: describePermissionsTx,
});
