import { defineRecord } from '../ledger/records';
import { AccessRecord, ConsentRecord, ConsentVersionRecord, DelegateRecord } from './schemas';

export const consentRecords = defineRecord<ConsentRecord, 'ofPatient'>({
  kind: 'consent',
  table: 'perm_consents',
  schema: ConsentRecord,
  key: [{ field: 'id', column: 'id', of: (c) => c.id }],
  columns: {
    custodian: (c) => c.custodian,
    patient: (c) => c.patient,
    status: (c) => c.status,
    scope: (c) => c.scope,
    version: (c) => c.version,
    recorded_height: (c) => c.recordedHeight,
  },
  lists: {
    /** What the decision reads: a patient's consents at one custodian, oldest first. */
    ofPatient: { match: ['custodian', 'patient'], orderBy: ['recorded_height'] },
  },
});

export const consentVersionRecords = defineRecord<ConsentVersionRecord, 'ofConsent'>({
  kind: 'consentVersion',
  table: 'perm_consent_versions',
  schema: ConsentVersionRecord,
  key: [{ field: 'txId', column: 'tx_id', of: (v) => v.txId }],
  columns: {
    consent_id: (v) => v.consent,
    version: (v) => v.version,
    custodian: (v) => v.custodian,
    patient: (v) => v.patient,
    recorded_by: (v) => v.recordedBy,
  },
  lists: { ofConsent: { match: ['consent_id'], orderBy: ['version'] } },
});

export const delegateRecords = defineRecord<DelegateRecord, 'ofCustodian'>({
  kind: 'consentDelegate',
  table: 'perm_delegates',
  schema: DelegateRecord,
  key: [
    { field: 'custodian', column: 'custodian', of: (d) => d.custodian },
    { field: 'delegate', column: 'delegate', of: (d) => d.delegate },
  ],
  columns: { active: (d) => (d.active ? 1 : 0) },
  lists: { ofCustodian: { match: ['custodian'] } },
});

export const accessRecords = defineRecord<AccessRecord>({
  kind: 'access',
  table: 'perm_access',
  schema: AccessRecord,
  key: [{ field: 'id', column: 'id', of: (a) => a.id }],
  columns: {
    custodian: (a) => a.custodian,
    patient: (a) => a.patient,
    accessor: (a) => a.accessor,
    outcome: (a) => a.outcome,
    review: (a) => a.review?.status ?? '',
    time: (a) => a.time,
  },
});

export const PERMISSIONS_RECORDS = [
  consentRecords,
  consentVersionRecords,
  delegateRecords,
  accessRecords,
];
