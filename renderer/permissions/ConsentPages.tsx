import { Link } from '@tanstack/react-router';
import { shortPseudonym } from '../../shared/permissions/describe';
import type { PatientRef } from '../../shared/rpc/permissions';
import { useProfile } from '../app/profile';
import { shortHex } from '../components/Hex';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { consentKind, StandingBadge } from './ConsentList';
import { isFinal } from './ConsentCard';
import { consentDraftOf } from './consent-draft';
import { ConsentForm } from './ConsentForm';
import { MemberName, PatientLink } from './links';
import { useMayRecordFor } from './may-record';

function NotRecorder({ custodian }: { custodian: string }) {
  const profile = useProfile();
  return (
    <EmptyState>
      Only the custodian, or a member it made its delegate, records consents for its patients.{' '}
      {profile.memberName} is not a delegate of <MemberName id={custodian} />.
    </EmptyState>
  );
}

function BackToPatient({ patient }: { patient: PatientRef }) {
  return (
    <PatientLink custodian={patient.custodian} patient={patient.patient}>
      ← Patient {shortPseudonym(patient.patient)}
    </PatientLink>
  );
}

/** `#/permissions/patients/<custodian>/<pseudonym>/consent`: record a new consent. */
export function RecordConsentPage({ custodian, patient }: PatientRef) {
  const profile = useProfile();
  const may = useMayRecordFor(custodian);
  const delegates = usePermissionsQuery(
    'permissions.delegates',
    custodian === profile.memberId ? null : { custodian },
  );
  const ref = { custodian, patient };
  const deciding = custodian !== profile.memberId && !delegates.data && delegates.loading;
  return (
    <Page title="Record a consent" back={<BackToPatient patient={ref} />}>
      <p className="lede">
        For patient <code title={patient}>{shortPseudonym(patient)}</code> of{' '}
        <MemberName id={custodian} />
        {custodian === profile.memberId ? '' : `, signed by ${profile.memberName} as its delegate`}.
        Nothing on chain names the patient: only codes, the pseudonym and the document’s hash.
      </p>
      {deciding ? (
        <Loading what="whether you may record consents here" />
      ) : may ? (
        <ConsentForm mode={{ kind: 'record', patient: ref }} />
      ) : (
        <NotRecorder custodian={custodian} />
      )}
    </Page>
  );
}

/** `#/permissions/consents/<id>/amend`: a new version of a consent, prefilled from the current. */
export function AmendConsentPage({ id }: { id: string }) {
  const query = usePermissionsQuery('permissions.consents.get', { id });
  const view = query.data;
  const may = useMayRecordFor(view?.consent.custodian ?? null);
  const ref = view ? { custodian: view.consent.custodian, patient: view.consent.patient } : null;
  return (
    <Page
      title={
        view ? (
          <>
            Amend consent · v{view.current.version} <StandingBadge standing={view.standing} />
          </>
        ) : (
          `Amend consent ${shortHex(id)}`
        )
      }
      back={ref ? <BackToPatient patient={ref} /> : <Link to="/permissions">← Patients</Link>}
    >
      {query.error && (
        <ErrorNotice
          error={query.error}
          retry={query.error.code === 'not_found' ? undefined : query.reload}
        />
      )}
      {view && ref ? (
        <>
          <p className="lede">
            {consentKind(view.current)}. The form holds version {view.current.version}: what you
            sign restates the consent as version {view.current.version + 1}.
          </p>
          {isFinal(view.consent.status) ? (
            <EmptyState>
              This consent is {view.consent.status} and can no longer change: record a new consent
              for the patient instead.
            </EmptyState>
          ) : may ? (
            <ConsentForm
              // A new version on chain gives a fresh form, prefilled from it.
              key={view.current.txId}
              mode={{ kind: 'amend', consent: id, patient: ref, version: view.current.version }}
              initial={consentDraftOf(view.current)}
            />
          ) : (
            <NotRecorder custodian={ref.custodian} />
          )}
        </>
      ) : (
        query.loading && <Loading what="the consent" />
      )}
    </Page>
  );
}
