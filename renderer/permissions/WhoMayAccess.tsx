import { CONSENT_ACTIONS, RECORD_CLASSES, codesOf } from '../../shared/permissions/codes';
import type { PatientRef } from '../../shared/rpc/permissions';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { MemberName } from './links';
import { actionLabel, classLabel, list, purposeLabel } from './words';

const ALL_CLASSES = codesOf(RECORD_CLASSES).length;
const ALL_ACTIONS = codesOf(CONSENT_ACTIONS).length;

/** Who may access the patient's records now, and for what, as the consents in force say. */
export function WhoMayAccess({ patient }: { patient: PatientRef }) {
  const query = usePermissionsQuery('permissions.whoMayAccess', patient);
  const members = query.data;
  return (
    <section className="page-section" aria-labelledby="who-may-access">
      <h2 id="who-may-access">
        Who may access now
        {members && <span className="count">{members.length}</span>}
      </h2>
      <p className="section-note muted">
        What the consents in force permit at this moment, member by member. Emergency treatment is
        left out: it goes ahead as break-glass (and is reviewed) unless a consent refuses it.
      </p>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {members ? (
        members.length === 0 ? (
          <EmptyState>
            No member may access this patient’s records now: no consent in force permits any access.
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table who-table" aria-label="Who may access now">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">Purpose</th>
                  <th scope="col">Actions</th>
                  <th scope="col">Records</th>
                </tr>
              </thead>
              <tbody>
                {members.flatMap((m) =>
                  m.grants.map((g, i) => (
                    <tr key={`${m.member}-${g.purpose}-${i}`} data-member={m.member}>
                      {i === 0 && (
                        <th scope="row" rowSpan={m.grants.length}>
                          <MemberName id={m.member} name={m.memberName} />
                          <span className="cell-sub">{m.kind}</span>
                        </th>
                      )}
                      <td>
                        {purposeLabel(g.purpose)} <code className="muted">{g.purpose}</code>
                      </td>
                      <td>
                        {g.actions.length === ALL_ACTIONS ? (
                          <span className="muted">any action</span>
                        ) : (
                          list(g.actions.map(actionLabel))
                        )}
                      </td>
                      <td>
                        {g.classes.length === ALL_CLASSES ? (
                          <span className="muted">any records</span>
                        ) : (
                          list(g.classes.map(classLabel))
                        )}
                      </td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        )
      ) : (
        query.loading && <Loading what="who may access" />
      )}
    </section>
  );
}
