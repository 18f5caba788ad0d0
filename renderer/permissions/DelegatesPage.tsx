import { Link } from '@tanstack/react-router';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useProfile } from '../app/profile';
import { Badge } from '../components/Badge';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useMembersById } from '../stores/members-store';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { SubmissionNotice, SubmitRow, usePermissionsSubmit, useSigningBlocked } from './forms';
import { BlockLink, MemberName, TxLink } from './links';
import { MemberSelect } from './MemberSelect';

const ORIGIN = 'permissions:delegates';

function AddDelegate({ current }: { current: string[] }) {
  const profile = useProfile();
  const members = useMembersById();
  const [delegate, setDelegate] = useState('');
  const { errors, setErrors, sending, submit } = usePermissionsSubmit(ORIGIN);
  const blocked = useSigningBlocked();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (delegate === '') {
      setErrors({ fields: { delegate: 'Choose the member to make a delegate.' }, form: null });
      return;
    }
    const name = members.get(delegate)?.legalName ?? delegate;
    const txId = await submit(
      `Let ${name} record consents for ${profile.memberName}’s patients`,
      'permissions.delegates.set',
      { delegate, active: true },
      {
        fields: new Set(['delegate']),
        fieldOfRefusal: (message) => (/delegate/.test(message) ? 'delegate' : null),
      },
    );
    if (txId) setDelegate('');
  };

  return (
    <form className="card delegate-form" onSubmit={(event) => void onSubmit(event)} noValidate>
      <h2>Add a delegate</h2>
      <Field
        id="delegate-member"
        label="Member"
        hint="It records, amends and revokes consents for your patients, signed as itself."
        error={errors.fields.delegate}
      >
        <MemberSelect
          value={delegate}
          onChange={(value) => {
            setDelegate(value);
            setErrors({ fields: {}, form: null });
          }}
          placeholder="Choose a member…"
          exclude={[profile.memberId, ...current]}
          disabled={sending}
        />
      </Field>
      <SubmitRow
        label="Make it a delegate"
        sending={sending}
        error={errors.form}
        blocked={blocked}
      />
    </form>
  );
}

function StopDelegate({ delegate, name }: { delegate: string; name: string }) {
  const profile = useProfile();
  const [confirming, setConfirming] = useState(false);
  const { errors, sending, submit } = usePermissionsSubmit(ORIGIN);
  const blocked = useSigningBlocked();
  if (!confirming) {
    return (
      <button
        type="button"
        className="button-secondary button-small"
        disabled={blocked !== null}
        onClick={() => setConfirming(true)}
      >
        Stop…
      </button>
    );
  }
  return (
    <form
      className="inline-confirm"
      onSubmit={(event) => {
        event.preventDefault();
        void submit(
          `Stop ${name} recording consents for ${profile.memberName}’s patients`,
          'permissions.delegates.set',
          { delegate, active: false },
          { fields: new Set() },
        ).then((txId) => txId && setConfirming(false));
      }}
    >
      <SubmitRow
        label={`Stop ${name}`}
        sending={sending}
        error={errors.form}
        blocked={blocked}
        extra={
          <button
            type="button"
            className="button-secondary"
            disabled={sending}
            onClick={() => setConfirming(false)}
          >
            Cancel
          </button>
        }
      />
    </form>
  );
}

/** One member's standing as a delegate, with what can be done about it. */
interface StandingRow {
  member: string;
  name: string;
  /** The row's data attribute (`data-delegate`, `data-custodian`). */
  attributes: Record<`data-${string}`, string>;
  active: boolean;
  height: number;
  txId: string;
  action: ReactNode;
}

/** Members with their standing as delegates (active or stopped) and its last change. */
function StandingTable({
  label,
  memberHeading,
  rows,
}: {
  label: string;
  memberHeading: string;
  rows: StandingRow[];
}) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">{memberHeading}</th>
            <th scope="col">Standing</th>
            <th scope="col">Last change</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.member} {...row.attributes}>
              <th scope="row">
                <MemberName id={row.member} name={row.name} />
              </th>
              <td>
                <Badge tone={row.active ? 'good' : 'neutral'}>
                  {row.active ? 'delegate' : 'stopped'}
                </Badge>
              </td>
              <td>
                <BlockLink height={row.height} /> · <TxLink id={row.txId}>transaction</TxLink>
              </td>
              <td>{row.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The custodians that made the profile's member their delegate: it records consents for their
 * patients, whom it opens by the pseudonym the custodian gives (only a custodian can find a
 * patient from an identifier).
 */
function Delegations() {
  const profile = useProfile();
  const query = usePermissionsQuery('permissions.delegations', {});
  const delegations = query.data;
  return (
    <section className="page-section" aria-labelledby="delegations-heading">
      <h2 id="delegations-heading">
        Custodians {profile.memberName} records consents for
        {delegations && <span className="count">{delegations.length}</span>}
      </h2>
      <p className="section-note muted">
        Members that made {profile.memberName} their delegate. Their patients are opened by the
        pseudonym the custodian gives: only a custodian finds a patient from an identifier.
      </p>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {delegations ? (
        delegations.length === 0 ? (
          <EmptyState>
            No member has made {profile.memberName} its delegate: it records consents for its own
            patients only.
          </EmptyState>
        ) : (
          <StandingTable
            label={`Custodians ${profile.memberName} records consents for`}
            memberHeading="Custodian"
            rows={delegations.map((d) => ({
              member: d.custodian,
              name: d.custodianName,
              attributes: { 'data-custodian': d.custodian },
              active: d.active,
              height: d.height,
              txId: d.txId,
              action: d.active && (
                <Link
                  to="/permissions"
                  search={{ custodian: d.custodian }}
                  className="button-link button-secondary button-small"
                  aria-label={`Open a patient of ${d.custodianName} by pseudonym`}
                >
                  Open a patient…
                </Link>
              ),
            }))}
          />
        )
      ) : (
        query.loading && <Loading what="delegations" />
      )}
    </section>
  );
}

/** `#/permissions/delegates`: the members the profile's member lets record its consents. */
export function DelegatesPage() {
  const profile = useProfile();
  const query = usePermissionsQuery('permissions.delegates', {});
  const delegates = query.data;
  const active = (delegates ?? []).filter((d) => d.active).map((d) => d.delegate);
  return (
    <Page title="Delegates">
      <p className="lede">
        Members {profile.memberName} lets record consents for its patients, e.g. a clinic that takes
        consents on its behalf. Every consent they record names them.
      </p>
      <SubmissionNotice origin={ORIGIN} />
      <div className="delegates-layout">
        <section aria-labelledby="delegates-heading">
          <h2 id="delegates-heading" className="visually-hidden">
            Delegates of {profile.memberName}
          </h2>
          {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
          {delegates ? (
            delegates.length === 0 ? (
              <EmptyState>
                {profile.memberName} has no delegate: only it records consents for its patients.
              </EmptyState>
            ) : (
              <StandingTable
                label={`Delegates of ${profile.memberName}`}
                memberHeading="Member"
                rows={delegates.map((d) => ({
                  member: d.delegate,
                  name: d.delegateName,
                  attributes: { 'data-delegate': d.delegate },
                  active: d.active,
                  height: d.height,
                  txId: d.txId,
                  action: d.active && <StopDelegate delegate={d.delegate} name={d.delegateName} />,
                }))}
              />
            )
          ) : (
            query.loading && <Loading what="delegates" />
          )}
        </section>
        <AddDelegate current={active} />
      </div>
      <Delegations />
    </Page>
  );
}
