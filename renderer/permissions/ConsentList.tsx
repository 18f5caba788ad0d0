import { CONSENT_CATEGORIES, CONSENT_SCOPES, POLICY_RULES } from '../../shared/permissions/codes';
import type { ConsentView } from '../../shared/rpc/permissions';
import { Badge } from '../components/Badge';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { absoluteTime } from '../components/Time';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { BlockLink, MemberName, PatientLink } from './links';
import { STANDING_LABELS, STANDING_TONES } from './words';

/** Consents listed on the Patients page; the newest this many. */
const SHOWN = 25;

export function StandingBadge({ standing }: { standing: ConsentView['standing'] }) {
  return <Badge tone={STANDING_TONES[standing]}>{STANDING_LABELS[standing]}</Badge>;
}

/** "Privacy Consent · Patient Consent (59284-0) · opt-out with exceptions". */
export function consentKind(v: ConsentView['current']): string {
  return `${CONSENT_SCOPES[v.scope].display} · ${CONSENT_CATEGORIES[v.category].display} · ${POLICY_RULES[v.policy].display}`;
}

function ConsentTable({
  consents,
  label,
  showCustodian,
}: {
  consents: ConsentView[];
  label: string;
  showCustodian: boolean;
}) {
  return (
    <div className="table-wrap">
      <table className="table consent-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">Patient</th>
            {showCustodian && <th scope="col">Custodian</th>}
            <th scope="col">Consent</th>
            <th scope="col">Standing</th>
            <th scope="col">Last version</th>
          </tr>
        </thead>
        <tbody>
          {consents.map(({ consent, current, custodianName, standing }) => (
            <tr key={consent.id} data-consent={consent.id}>
              <td>
                <PatientLink custodian={consent.custodian} patient={consent.patient} />
              </td>
              {showCustodian && (
                <td>
                  <MemberName id={consent.custodian} name={custodianName} />
                </td>
              )}
              <td>{consentKind(current)}</td>
              <td>
                <StandingBadge standing={standing} />
              </td>
              <td className="nowrap">
                v{current.version} · {absoluteTime(current.time)}
                <span className="cell-sub">
                  <BlockLink height={current.height} /> by{' '}
                  <MemberName id={current.recordedBy} name={current.recordedByName} />
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The newest consents the profile's member is custodian, delegate or grantee of. */
export function ConsentList({
  relation,
  title,
  empty,
  hideWhenEmpty = false,
}: {
  relation: 'custodian' | 'delegate' | 'grantee';
  title: string;
  empty: string;
  hideWhenEmpty?: boolean;
}) {
  const query = usePermissionsQuery('permissions.consents.list', { relation, limit: SHOWN });
  const consents = query.data;
  if (hideWhenEmpty && consents?.length === 0) return null;
  const id = `consents-${relation}`;
  return (
    <section className="page-section" aria-labelledby={id}>
      <h2 id={id}>
        {title}
        {consents && <span className="count">{consents.length}</span>}
      </h2>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {consents ? (
        consents.length === 0 ? (
          <EmptyState>{empty}</EmptyState>
        ) : (
          <>
            <ConsentTable
              consents={consents}
              label={title}
              showCustodian={relation !== 'custodian'}
            />
            {consents.length === SHOWN && (
              <p className="muted section-note">The newest {SHOWN} are listed.</p>
            )}
          </>
        )
      ) : (
        query.loading && <Loading what="consents" />
      )}
    </section>
  );
}
