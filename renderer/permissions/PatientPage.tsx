import { Link } from '@tanstack/react-router';
import { useCallback, useState } from 'react';
import { shortPseudonym } from '../../shared/permissions/describe';
import type { DecidingProvision } from '../../shared/permissions/schemas';
import type { PatientRef } from '../../shared/rpc/permissions';
import { useProfile } from '../app/profile';
import { Hex } from '../components/Hex';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { AccessCheck } from './AccessCheck';
import { AccessHistory } from './AccessHistory';
import { ConsentCard } from './ConsentCard';
import { MemberName } from './links';
import { useMayRecordFor } from './may-record';
import { WhoMayAccess } from './WhoMayAccess';

function PatientFacts({ patient, mayRecord }: { patient: PatientRef; mayRecord: string | null }) {
  return (
    <dl className="facts patient-facts">
      <dt>Custodian</dt>
      <dd>
        <MemberName id={patient.custodian} />
      </dd>
      <dt>Pseudonym</dt>
      <dd>
        <Hex value={patient.patient} label="patient pseudonym" />
        <span className="fact-note">
          The chain knows the patient by this alone; only the custodian can find it from the
          patient’s identifier.
        </span>
      </dd>
      {mayRecord && (
        <>
          <dt>Consents</dt>
          <dd>{mayRecord}</dd>
        </>
      )}
    </dl>
  );
}

/**
 * `#/permissions/patients/<custodian>/<pseudonym>`: a patient's consents as provision trees
 * with their versions, who may access the records now, every access recorded, and the check.
 */
export function PatientPage({ custodian, patient }: PatientRef) {
  const profile = useProfile();
  const ref: PatientRef = { custodian, patient };
  const consents = usePermissionsQuery('permissions.consents.ofPatient', ref);
  const may = useMayRecordFor(custodian);
  const [decided, setDecided] = useState<DecidingProvision | null>(null);
  const onDecided = useCallback((d: DecidingProvision | null) => setDecided(d), []);
  const own = custodian === profile.memberId;
  const recordNote = own
    ? `${profile.memberName} is the custodian: it records, amends and revokes them.`
    : may
      ? `${profile.memberName} records them as a delegate of the custodian.`
      : null;

  const actions = (
    <div className="patient-actions">
      {may && (
        <Link
          to="/permissions/patients/$custodian/$patient/consent"
          params={{ custodian, patient }}
          className="button-link button-primary"
        >
          Record a consent
        </Link>
      )}
      <Link
        to="/permissions/access"
        search={{ custodian, patient }}
        className="button-link button-secondary"
      >
        Record an access
      </Link>
      <Link
        to="/permissions/patients/$custodian/$patient/report"
        params={{ custodian, patient }}
        className="button-link button-secondary"
      >
        Access report
      </Link>
    </div>
  );

  return (
    <Page
      back={<Link to="/permissions">← Patients</Link>}
      title={<>Patient {shortPseudonym(patient)}</>}
      actions={actions}
    >
      <PatientFacts patient={ref} mayRecord={recordNote} />
      <section className="page-section" aria-labelledby="patient-consents">
        <h2 id="patient-consents">
          Consents
          {consents.data && <span className="count">{consents.data.length}</span>}
        </h2>
        {consents.error && <ErrorNotice error={consents.error} retry={consents.reload} />}
        {consents.data ? (
          consents.data.length === 0 ? (
            <EmptyState>
              No consent is recorded for this patient
              {own ? '' : ' at this custodian'}. Without one, no access is permitted: only emergency
              treatment goes ahead, as break-glass.
            </EmptyState>
          ) : (
            <div className="consent-list">
              {consents.data.map((view) => (
                <ConsentCard
                  key={view.consent.id}
                  view={view}
                  mayRecord={may}
                  highlight={decided?.versionTx === view.current.txId ? decided.path : null}
                />
              ))}
            </div>
          )
        ) : (
          consents.loading && <Loading what="the consents" />
        )}
      </section>
      <WhoMayAccess patient={ref} />
      <AccessCheck patient={ref} consents={consents.data} onDecided={onDecided} />
      <AccessHistory patient={ref} />
    </Page>
  );
}
