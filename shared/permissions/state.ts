import type { StateView } from '../ledger/state';
import { accessRecords, consentRecords, consentVersionRecords, delegateRecords } from './records';
import type {
  AccessRecord,
  ConsentRecord,
  ConsentVersionRecord,
  DelegateRecord,
  Pseudonym,
} from './schemas';

/** Record-permission state as its rules and queries read it, over any state view. */
export interface Permissions {
  consent(id: string): ConsentRecord | undefined;
  version(txId: string): ConsentVersionRecord | undefined;
  /** Every version of a consent, oldest first. */
  versions(consentId: string): ConsentVersionRecord[];
  /** A patient's consents at a custodian, in the order they were recorded. */
  consentsOf(custodian: string, patient: Pseudonym): ConsentRecord[];
  /** The current version of each of a patient's consents, in the order they were recorded. */
  currentVersionsOf(custodian: string, patient: Pseudonym): ConsentVersionRecord[];
  /**
   * Each of a patient's consents as it stood at a time: its newest version recorded at or before
   * it (a consent first recorded later is left out), in the order they were recorded.
   */
  versionsAsOf(custodian: string, patient: Pseudonym, time: number): ConsentVersionRecord[];
  delegate(custodian: string, delegate: string): DelegateRecord | undefined;
  access(id: string): AccessRecord | undefined;
}

export function permissions(view: StateView): Permissions {
  const version = (txId: string) => view.get(consentVersionRecords, [txId]);
  const consentsOf = (custodian: string, patient: string) =>
    view.list(consentRecords, 'ofPatient', custodian, patient);
  return {
    consent: (id) => view.get(consentRecords, [id]),
    version,
    versions: (consentId) => view.list(consentVersionRecords, 'ofConsent', consentId),
    consentsOf,
    currentVersionsOf: (custodian, patient) =>
      consentsOf(custodian, patient).map((c) => {
        const current = version(c.versionTx);
        if (!current) throw new Error(`consent ${c.id} has no version ${c.versionTx}`);
        return current;
      }),
    versionsAsOf: (custodian, patient, time) =>
      consentsOf(custodian, patient).flatMap((c) => {
        const versions = view.list(consentVersionRecords, 'ofConsent', c.id);
        const standing = versions.filter((v) => v.time <= time).at(-1);
        return standing ? [standing] : [];
      }),
    delegate: (custodian, delegate) => view.get(delegateRecords, [custodian, delegate]),
    access: (id) => view.get(accessRecords, [id]),
  };
}
