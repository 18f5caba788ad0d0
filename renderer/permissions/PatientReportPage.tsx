import { useEffect } from 'react';
import {
  CONSENT_CATEGORIES,
  CONSENT_SCOPES,
  CONSENT_STATUSES,
  POLICY_RULES,
} from '../../shared/permissions/codes';
import { describeProvision, shortPseudonym } from '../../shared/permissions/describe';
import type { Provision } from '../../shared/permissions/schemas';
import type { AccessView, ConsentVersionView, PatientRef } from '../../shared/rpc/permissions';
import { MAX_REPORT_ACCESSES } from '../../shared/rpc/permissions';
import { Page } from '../components/Page';
import { ErrorNotice, Loading, Spinner } from '../components/States';
import { absoluteTime } from '../components/Time';
import { StudyLink } from '../research/links';
import { useChainStore } from '../stores/chain-store';
import { useMembersById } from '../stores/members-store';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { fileDay, useFhirDownload } from './Download';
import { BlockLink, PatientLink } from './links';
import {
  consentsLine,
  groupConsents,
  outcomeWords,
  provisionPlace,
  reportFileName,
  sameRules,
  standingWords,
  summaryLine,
  versionEvent,
  type ReportConsent,
} from './report-words';
import { actionLabel, classLabel, periodText, purposeLabel } from './words';

/**
 * The window's title while the report shows: a printed or saved copy is named after it. It
 * holds the custodian and the pseudonym's first digits, never a local identifier.
 */
function useDocumentTitle(text: string): void {
  useEffect(() => {
    const before = document.title;
    document.title = text;
    return () => {
      document.title = before;
    };
  }, [text]);
}

/** The time zone the report's times are written in (this console's). */
function timeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}

/** "Permit Harbourside General Hospital to access …": a provision's own rule, in words. */
function RuleWords({
  provision,
  path,
  nameOf,
}: {
  provision: Provision;
  path: number[];
  nameOf: (member: string) => string;
}) {
  const words = describeProvision(provision, nameOf);
  const rest = words.slice(provision.type.length + 1);
  const children = provision.provisions ?? [];
  return (
    <li className={`report-rule report-rule-${provision.type}`} data-path={path.join('.')}>
      <span className="report-rule-place">{provisionPlace(path)}</span>{' '}
      <strong>{provision.type === 'permit' ? 'Permit' : 'Deny'}</strong> {rest}.
      {children.length > 0 && (
        <ol className="report-rules">
          {children.map((child, i) => (
            <RuleWords key={i} provision={child} path={[...path, i]} nameOf={nameOf} />
          ))}
        </ol>
      )}
    </li>
  );
}

function ConsentVersion({
  v,
  previous,
  nameOf,
}: {
  v: ConsentVersionView;
  previous: ConsentVersionView | undefined;
  nameOf: (member: string) => string;
}) {
  const unchanged = previous && sameRules(previous.provision, v.provision);
  const policy = POLICY_RULES[v.policy];
  return (
    <li className="report-version" data-version={v.version}>
      <p className="report-version-head">
        <strong>Version {v.version}</strong> · {versionEvent(v, previous)} {absoluteTime(v.time)} by{' '}
        {v.recordedByName}
        {v.recordedBy !== v.custodian && ' (a delegate of the custodian)'} ·{' '}
        <span className="report-status">{CONSENT_STATUSES[v.status]}</span>
      </p>
      <dl className="report-version-facts">
        <dt>Policy</dt>
        <dd>
          {policy.display}: the base rule {policy.base === 'permit' ? 'permits' : 'denies'}
        </dd>
        <dt>Period</dt>
        <dd>{periodText(v.period) ?? 'open-ended'}</dd>
        {v.protocol && (
          <>
            <dt>Research protocol</dt>
            <dd>
              version {v.protocol.version} of the protocol of study{' '}
              <StudyLink study={v.protocol.study}>
                <code>{v.protocol.study.slice(0, 12)}…</code>
              </StudyLink>
            </dd>
          </>
        )}
        <dt>Signed form</dt>
        <dd>
          kept by the custodian; its SHA-256 on the chain is{' '}
          <code title={v.document}>{v.document.slice(0, 16)}…</code>
        </dd>
        <dt>Where recorded</dt>
        <dd>
          <BlockLink height={v.height} />, transaction{' '}
          <code title={v.txId}>{v.txId.slice(0, 12)}…</code>
        </dd>
        <dt>{unchanged ? 'Rules' : 'What it permits and denies'}</dt>
        <dd>
          {unchanged ? (
            <>The same as version {previous.version}.</>
          ) : (
            <ol className="report-rules" aria-label={`Rules of version ${v.version}`}>
              <RuleWords provision={v.provision} path={[]} nameOf={nameOf} />
            </ol>
          )}
        </dd>
      </dl>
    </li>
  );
}

function ConsentSection({
  consent,
  asOf,
  nameOf,
}: {
  consent: ReportConsent;
  asOf: number;
  nameOf: (member: string) => string;
}) {
  const latest = consent.versions.at(-1);
  if (!latest) return null;
  return (
    <article
      className="report-consent"
      data-consent={consent.id}
      aria-labelledby={`report-consent-${consent.number}`}
    >
      <h3 id={`report-consent-${consent.number}`}>
        Consent {consent.number}: {CONSENT_SCOPES[latest.scope].display.toLowerCase()} ·{' '}
        {CONSENT_CATEGORIES[latest.category].display}
        <span className="report-standing"> — now {standingWords(latest, asOf)}</span>
      </h3>
      <ol className="report-versions">
        {consent.versions.map((v, i) => (
          <ConsentVersion key={v.txId} v={v} previous={consent.versions[i - 1]} nameOf={nameOf} />
        ))}
      </ol>
    </article>
  );
}

function AccessRow({
  access,
  consentNumber,
}: {
  access: AccessView;
  consentNumber: (consent: string) => number | undefined;
}) {
  const words = outcomeWords(access, consentNumber);
  return (
    <tr data-access={access.id} data-outcome={access.outcome}>
      <td className="nowrap">
        {absoluteTime(access.time)}
        <span className="cell-sub muted">block {access.height}</span>
      </td>
      <td>{access.accessorName}</td>
      <td>{classLabel(access.recordClass)}</td>
      <td>{actionLabel(access.action)}</td>
      <td>{purposeLabel(access.purpose)}</td>
      <td className={`report-outcome report-outcome-${access.outcome}`}>
        <strong>{words.outcome}</strong>
        {words.detail && <> ({words.detail})</>}
        <span className="cell-sub muted">{words.basis}</span>
      </td>
    </tr>
  );
}

function ReportActions({ patient }: { patient: PatientRef }) {
  const { busy, error, download } = useFhirDownload();
  return (
    <div className="report-actions">
      <div className="patient-actions">
        <button type="button" className="button-secondary" onClick={() => window.print()}>
          Print
        </button>
        <button
          type="button"
          className="button-primary"
          disabled={busy}
          onClick={() =>
            void download(
              'permissions.report.fhir',
              patient,
              reportFileName(patient.patient, fileDay(Date.now())),
            )
          }
        >
          Download FHIR Bundle
        </button>
        {busy && <Spinner />}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * `#/permissions/patients/<custodian>/<pseudonym>/report`: everything the chain recorded about
 * one patient's records at one custodian, laid out to be read and printed for the patient:
 * every version of every consent in plain words, then every access with who made it, for what,
 * and its outcome. The same report downloads as a FHIR R4 Bundle.
 */
export function PatientReportPage({ custodian, patient }: PatientRef) {
  const ref: PatientRef = { custodian, patient };
  const query = usePermissionsQuery('permissions.report', ref);
  const chainId = useChainStore((state) => state.status.data?.chainId);
  const members = useMembersById();
  const nameOf = (id: string) => members.get(id)?.legalName ?? id;
  const report = query.data;
  useDocumentTitle(
    `Patient access report · ${report?.custodianName ?? custodian} · ${shortPseudonym(patient)}`,
  );
  const consents = report ? groupConsents(report.consents) : [];
  const numbers = new Map(consents.map((c) => [c.id, c.number]));
  // Oldest first, as the consents: the report reads as a history.
  const accesses = report ? [...report.accesses].reverse() : [];

  return (
    <Page
      back={
        <PatientLink custodian={custodian} patient={patient}>
          ← Patient {shortPseudonym(patient)}
        </PatientLink>
      }
      title="Patient access report"
      actions={<ReportActions patient={ref} />}
    >
      {query.error && <ErrorNotice error={query.error} retry={query.reload} />}
      {!report && query.loading && <Loading what="the report" />}
      {report && (
        <div className="patient-report" data-testid="patient-report">
          <section className="report-head" aria-label="Whose records">
            <dl className="report-facts">
              <dt>Records held by</dt>
              <dd>
                <strong>{report.custodianName}</strong> <span className="muted">({custodian})</span>
              </dd>
              <dt>Patient</dt>
              <dd>
                known on the chain by the pseudonym
                <code className="report-pseudonym">{patient}</code>
              </dd>
              <dt>As of</dt>
              <dd>
                block {report.asOfHeight}, {absoluteTime(report.asOfTime)}{' '}
                <span className="muted">
                  (times in {timeZone()}){chainId ? ` · chain ${chainId}` : ''}
                </span>
              </dd>
            </dl>
            <p className="report-privacy">
              {report.custodianName} maps this pseudonym to the patient’s record. Nothing on the
              ledger names the patient: it holds only this pseudonym, codes, hashes and times, and
              no one can turn the pseudonym back into the patient’s identifier.
            </p>
            <p className="report-summary" data-testid="report-summary">
              <strong>{summaryLine(report)}</strong> {consentsLine(consents)}.
            </p>
          </section>

          <section className="report-section" aria-labelledby="report-consents-heading">
            <h2 id="report-consents-heading">What the patient decided</h2>
            <p className="report-note">
              Every consent recorded for this patient at {report.custodianName}, with each version
              in the order it was recorded. A consent starts from a base rule; an exception
              overrides the rule it is listed under, and where two rules at the same level disagree,
              deny wins. Emergency treatment may go ahead without a permitting consent, and is then
              reviewed.
            </p>
            {consents.length === 0 ? (
              <p className="report-empty">
                No consent is recorded: without one, no access is permitted except emergency
                treatment.
              </p>
            ) : (
              consents.map((consent) => (
                <ConsentSection
                  key={consent.id}
                  consent={consent}
                  asOf={report.asOfTime}
                  nameOf={nameOf}
                />
              ))
            )}
          </section>

          <section
            className="report-section report-accesses"
            aria-labelledby="report-accesses-heading"
          >
            <h2 id="report-accesses-heading">Who accessed the records</h2>
            <p className="report-note">
              Every access an organisation recorded to this patient’s records, oldest first, with
              the outcome every node of the chain derived from the consents in force at the time.
              {report.truncated &&
                ` Only the newest ${MAX_REPORT_ACCESSES.toLocaleString('en')} are listed: older accesses were recorded but are left out here.`}
            </p>
            {accesses.length === 0 ? (
              <p className="report-empty">No access to this patient’s records has been recorded.</p>
            ) : (
              <table className="table report-table" aria-label="Accesses to the patient’s records">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Organisation</th>
                    <th scope="col">Records</th>
                    <th scope="col">Action</th>
                    <th scope="col">Purpose</th>
                    <th scope="col">Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  {accesses.map((a) => (
                    <AccessRow key={a.id} access={a} consentNumber={(id) => numbers.get(id)} />
                  ))}
                </tbody>
              </table>
            )}
            <p className="report-summary report-summary-end">{summaryLine(report)}</p>
          </section>

          <footer className="report-footer">
            Made by CareChain Console from its replica of the chain
            {chainId ? ` ${chainId}` : ''} at block {report.asOfHeight}. Each consent version and
            access above is a signed transaction in a block that every member of the consortium
            keeps and verifies. The same report is available as a FHIR R4 Bundle.
          </footer>
        </div>
      )}
    </Page>
  );
}
