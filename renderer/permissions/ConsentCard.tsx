import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { CONSENT_CATEGORIES, CONSENT_STATUSES, POLICY_RULES } from '../../shared/permissions/codes';
import type { ConsentView, ConsentVersionView } from '../../shared/rpc/permissions';
import { Hex } from '../components/Hex';
import { ErrorNotice, Loading } from '../components/States';
import { absoluteTime } from '../components/Time';
import { StudyLink } from '../research/links';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { consentKind, StandingBadge } from './ConsentList';
import { FhirLink } from './Download';
import { BlockLink, consentAnchor, MemberName, TxLink } from './links';
import { ProvisionTree } from './ProvisionTree';
import { SubmissionNotice } from './forms';
import { RevokeConsent, revokeOrigin } from './RevokeConsent';
import { periodText } from './words';

/** Statuses after which a consent no longer changes: a new consent follows instead. */
const FINAL = new Set(['inactive', 'rejected', 'entered-in-error']);

export function isFinal(status: string): boolean {
  return FINAL.has(status);
}

/** `consent-<first 12 digits of its id>-v2.fhir.json`. */
function consentFile(v: ConsentVersionView): string {
  return `consent-${v.consent.slice(0, 12)}-v${v.version}.fhir.json`;
}

function VersionRow({ v }: { v: ConsentVersionView }) {
  return (
    <tr data-version={v.version}>
      <th scope="row">v{v.version}</th>
      <td>{CONSENT_STATUSES[v.status]}</td>
      <td>
        <MemberName id={v.recordedBy} name={v.recordedByName} />
      </td>
      <td className="nowrap">
        {absoluteTime(v.time)}
        <span className="cell-sub">
          <BlockLink height={v.height} /> · <TxLink id={v.txId}>transaction</TxLink>
        </span>
      </td>
      <td>
        <code title={v.document}>{v.document.slice(0, 12)}…</code>
      </td>
      <td>
        <FhirLink
          method="permissions.fhir.consent"
          params={{ id: v.consent, version: v.version }}
          file={consentFile(v)}
          title={`Version ${v.version} as a FHIR R4 Consent resource (JSON)`}
        >
          FHIR Consent
        </FhirLink>
      </td>
    </tr>
  );
}

/** Every version of a consent, oldest first, read when the history is opened. */
function VersionHistory({ id, versions }: { id: string; versions: number }) {
  const [open, setOpen] = useState(false);
  const query = usePermissionsQuery('permissions.consents.get', open ? { id } : null);
  return (
    <details className="version-history" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        Version history ({versions} {versions === 1 ? 'version' : 'versions'})
      </summary>
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {query.data ? (
        <div className="table-wrap">
          <table className="table" aria-label="Versions of this consent">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Recorded by</th>
                <th scope="col">When</th>
                <th scope="col">Document</th>
                <th scope="col">
                  <span className="visually-hidden">Export</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {query.data.versions.map((v) => (
                <VersionRow key={v.txId} v={v} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        query.loading && <Loading what="the versions" />
      )}
    </details>
  );
}

function ConsentFacts({ view }: { view: ConsentView }) {
  const v = view.current;
  const policy = POLICY_RULES[v.policy];
  return (
    <dl className="facts facts-compact">
      <dt>Category</dt>
      <dd>
        {CONSENT_CATEGORIES[v.category].display} <code className="muted">{v.category}</code>
      </dd>
      <dt>Policy rule</dt>
      <dd>
        {policy.display} <code className="muted">{v.policy}</code>
        <span className="muted">
          {' '}
          · the base rule {policy.base === 'permit' ? 'permits' : 'denies'}
        </span>
      </dd>
      <dt>Period</dt>
      <dd>{periodText(v.period) ?? <span className="muted">open-ended</span>}</dd>
      <dt>Signed document</dt>
      <dd>
        <Hex value={v.document} label="document hash" short />
        <span className="fact-note">
          SHA-256 of the signed form; the form stays with the custodian.
        </span>
      </dd>
      {v.protocol && (
        <>
          <dt>Trial protocol</dt>
          <dd>
            version {v.protocol.version} of the protocol of study{' '}
            <StudyLink study={v.protocol.study}>
              <code>{v.protocol.study.slice(0, 12)}…</code>
            </StudyLink>
            <span className="fact-note">
              The patient agreed to this version; the study’s page shows its anchored documents.
            </span>
          </dd>
        </>
      )}
      <dt>This version</dt>
      <dd>
        v{v.version}, recorded by <MemberName id={v.recordedBy} name={v.recordedByName} /> on{' '}
        {absoluteTime(v.time)} in <BlockLink height={v.height} /> ·{' '}
        <TxLink id={v.txId}>transaction</TxLink>
      </dd>
    </dl>
  );
}

/**
 * One consent of a patient as it stands: what kind, its standing, its facts, its rules as a
 * tree, every version, and (for its custodian or a delegate) amend and revoke.
 */
export function ConsentCard({
  view,
  mayRecord,
  highlight,
}: {
  view: ConsentView;
  mayRecord: boolean;
  /** The path of the provision that decided the access checked, if this consent decided it. */
  highlight: number[] | null;
}) {
  const { consent, current } = view;
  const open = !isFinal(consent.status);
  return (
    <article
      className={`card consent-card${highlight ? ' consent-decided' : ''}`}
      id={consentAnchor(consent.id)}
      data-consent={consent.id}
      data-standing={view.standing}
      aria-labelledby={`${consentAnchor(consent.id)}-title`}
    >
      <header className="consent-card-header">
        <h3 id={`${consentAnchor(consent.id)}-title`}>
          {consentKind(current)} <StandingBadge standing={view.standing} />
        </h3>
        {mayRecord && open && (
          <Link
            to="/permissions/consents/$id/amend"
            params={{ id: consent.id }}
            className="button-link button-secondary button-small"
          >
            Amend
          </Link>
        )}
      </header>
      <ConsentFacts view={view} />
      <ProvisionTree provision={current.provision} highlight={highlight} />
      <VersionHistory id={consent.id} versions={consent.version} />
      {mayRecord && open && <RevokeConsent view={view} />}
      <SubmissionNotice origin={revokeOrigin(consent.id)} />
    </article>
  );
}
