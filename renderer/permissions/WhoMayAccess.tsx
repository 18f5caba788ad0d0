import { CONSENT_ACTIONS, RECORD_CLASSES, codesOf } from '../../shared/permissions/codes';
import type { PatientRef } from '../../shared/rpc/permissions';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { MemberName } from './links';
import { Chips } from './Chips';
import { actionLabel, classLabel, purposeWithCode } from './words';

const ALL_CLASSES = codesOf(RECORD_CLASSES);
const ALL_ACTIONS = codesOf(CONSENT_ACTIONS);

/**
 * Some codes of a closed set, read the short way: "any", the codes named, or when most are,
 * "any except" the few left out.
 */
function Some<C extends string>({
  codes,
  all,
  label,
  any,
  what,
}: {
  codes: readonly C[];
  all: readonly C[];
  label: (code: C) => string;
  any: string;
  what: string;
}) {
  if (codes.length === all.length) return <span className="muted">{any}</span>;
  if (codes.length > all.length / 2) {
    const left = all.filter((c) => !codes.includes(c));
    return (
      <>
        <span className="muted">{any} except </span>
        <Chips values={left.map(label)} label={`${what} left out`} />
      </>
    );
  }
  return <Chips values={codes.map(label)} label={what} />;
}

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
                      <td className="nowrap">{purposeWithCode(g.purpose)}</td>
                      <td>
                        <Some
                          codes={g.actions}
                          all={ALL_ACTIONS}
                          label={actionLabel}
                          any="any action"
                          what="Actions"
                        />
                      </td>
                      <td>
                        <Some
                          codes={g.classes}
                          all={ALL_CLASSES}
                          label={classLabel}
                          any="any records"
                          what="Records"
                        />
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
