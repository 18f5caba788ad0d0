import { MemberId } from '../../ledger/schemas';
import { Pseudonym, type AccessRecord, type ConsentVersionRecord } from '../schemas';
import { accessToAuditEvent } from './audit-event';
import { parsed } from './common';
import { consentToFhir } from './consent';
import type { FhirBundle, FhirBundleEntry } from './types';
import { TAG, checkContext, fhirInstant, resourceBase, type FhirContext } from './vocabulary';

/** Everything recorded about one patient's records at one custodian. */
export interface PatientAccessRecords {
  readonly custodian: string;
  readonly patient: string;
  /** Every version of every consent of the patient at the custodian. */
  readonly consents: readonly ConsentVersionRecord[];
  /** Every recorded access to the patient's records at the custodian. */
  readonly accesses: readonly AccessRecord[];
}

export interface BundleOptions {
  /** When the report was put together (Bundle.timestamp), milliseconds; the caller's clock. */
  readonly timestamp?: number;
  /**
   * The accesses given are only the newest this many of more: the bundle says so in a tag, so
   * that a reader of the file alone is not told it holds every access.
   */
  readonly accessesCutAt?: number;
}

/** The tag of a report whose oldest accesses were left out (Bundle.meta.tag). */
export const CUT_REPORT_TAG = { system: `${TAG}report`, code: 'accesses-cut' } as const;

interface Sortable {
  time: number;
  height: number;
  /** Consents before accesses in the same block. */
  rank: number;
  key: string;
  entry: FhirBundleEntry;
}

/**
 * A patient access report as a FHIR R4 Bundle of type `collection`: every consent version and
 * every access, in the order the chain recorded them (block time, then height; in one block, the
 * consents first, then by id and version).
 *
 * fullUrls are RESTful URLs under the chain's base (`…/fhir/chain/<chainId>/Consent/<id>`), the
 * same for every version of a consent, which FHIR allows when their meta.versionId differ
 * (bdl-7); an AuditEvent's `Consent/<id>/_history/<version>` then resolves to the version entry
 * inside the bundle by FHIR's own rules for relative references. urn:uuid fullUrls would not let
 * those relative references resolve.
 *
 * Refused, with the reason: a record of another patient or custodian, and a consent version or
 * access given twice.
 */
export function patientAccessBundle(
  records: PatientAccessRecords,
  context: FhirContext,
  options: BundleOptions = {},
): FhirBundle {
  checkContext(context);
  const custodian = parsed(MemberId, records.custodian, 'member id');
  const patient = parsed(Pseudonym, records.patient, 'patient pseudonym');
  const base = resourceBase(context.chainId);
  const seen = new Set<string>();
  const once = (key: string, what: string) => {
    if (seen.has(key)) throw new Error(`FHIR export: ${what} is given twice`);
    seen.add(key);
  };
  const belongs = (r: { custodian: string; patient: string }, what: string) => {
    if (r.custodian !== custodian || r.patient !== patient) {
      throw new Error(
        `FHIR export: ${what} is of another patient or custodian than the report's (${custodian})`,
      );
    }
  };
  const items: Sortable[] = [];
  for (const version of records.consents) {
    const resource = consentToFhir(version, context);
    const what = `consent ${version.consent} version ${version.version}`;
    belongs(version, what);
    once(`consent:${version.consent}:${version.version}`, what);
    items.push({
      time: version.time,
      height: version.height,
      rank: 0,
      key: `${version.consent}:${String(version.version).padStart(16, '0')}`,
      entry: { fullUrl: `${base}/Consent/${resource.id}`, resource },
    });
  }
  for (const access of records.accesses) {
    const resource = accessToAuditEvent(access, context);
    const what = `access ${access.id}`;
    belongs(access, what);
    once(`access:${access.id}`, what);
    items.push({
      time: access.time,
      height: access.height,
      rank: 1,
      key: access.id,
      entry: { fullUrl: `${base}/AuditEvent/${resource.id}`, resource },
    });
  }
  items.sort(
    (a, b) =>
      a.time - b.time ||
      a.height - b.height ||
      a.rank - b.rank ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const cut = options.accessesCutAt;
  return {
    resourceType: 'Bundle',
    ...(cut !== undefined && {
      meta: {
        tag: [
          {
            ...CUT_REPORT_TAG,
            display: `only the newest ${cut} accesses are included; older ones were left out`,
          },
        ],
      },
    }),
    type: 'collection',
    ...(options.timestamp !== undefined && { timestamp: fhirInstant(options.timestamp) }),
    ...(items.length > 0 && { entry: items.map((i) => i.entry) }),
  };
}
