import { describeProvision } from '../../shared/permissions/describe';
import type { ConsentView, DecisionView } from '../../shared/rpc/permissions';
import { absoluteTime } from '../components/Time';
import { sentence } from '../components/text';
import { useMembersById } from '../stores/members-store';
import { usePermissionsQuery } from '../stores/permissions-queries';
import { consentKind } from './ConsentList';
import { ProvisionTree } from './ProvisionTree';
import { DECISION_LABELS, DECISION_OUTCOMES, OUTCOME_LABELS } from './words';

const VERDICT_CLASS: Record<DecisionView['outcome'], string> = {
  permit: 'verdict verdict-ok',
  deny: 'verdict verdict-bad',
  'break-glass': 'verdict verdict-warn',
};

/** Why the consents answered so, in words. */
function basisWords(d: DecisionView, deciding: string | null): string {
  const by = deciding ? ` (${deciding})` : '';
  switch (d.basis) {
    case 'no-consent':
      return 'No consent in force speaks to this access, so the answer is deny.';
    case 'emergency':
      return d.decidedBy
        ? `Emergency treatment: a consent refuses it${by}, but not emergency access explicitly, so it goes ahead as break-glass and is flagged for the custodian’s review.`
        : 'Emergency treatment with no consent permitting it: it goes ahead as break-glass and is flagged for the custodian’s review.';
    case 'consent':
      if (d.outcome === 'permit') return `A consent in force permits it${by}.`;
      return d.decidedBy && d.provision?.purposes?.includes('ETREAT')
        ? `The patient refused emergency access explicitly${by}.`
        : `A consent in force refuses it${by}: a deny wins over a permit at the same depth, and a deeper exception over the rule above it.`;
  }
}

/** What recording the access would make of it. */
function consequence(d: DecisionView): string {
  const outcome = DECISION_OUTCOMES[d.outcome];
  if (outcome === 'violation')
    return `This access would be a violation: ${d.basis === 'no-consent' ? 'no consent permits it' : 'a consent refuses it'}. Recorded, it is raised to the custodian and to regulators.`;
  if (outcome === 'break-glass')
    return 'This access would be break-glass: allowed, and under review until the custodian closes it.';
  return `This access would be ${OUTCOME_LABELS.permitted}.`;
}

/**
 * The consents' answer to an access question: permit, deny or break-glass, why in words, and
 * the deciding provision highlighted in its consent's tree. `recording` speaks of what the
 * access would become once recorded.
 */
export function DecisionAnswer({
  decision,
  consents,
  recording = false,
}: {
  decision: DecisionView;
  /** The patient's consents, to show the deciding one's tree. */
  consents: ConsentView[] | null;
  recording?: boolean;
}) {
  const members = useMembersById();
  const nameOf = (id: string) => members.get(id)?.legalName ?? id;
  const d = decision.decidedBy;
  // A check at a past time may be decided by an earlier version than the one now current.
  const current = d ? consents?.find((c) => c.consent.id === d.consent) : undefined;
  const isCurrent = !!d && current?.current.txId === d.versionTx;
  const history = usePermissionsQuery(
    'permissions.consents.get',
    d && !isCurrent ? { id: d.consent } : null,
  );
  const version = isCurrent
    ? current?.current
    : history.data?.versions.find((v) => v.txId === d?.versionTx);
  const where = d
    ? d.path.length === 0
      ? 'its base rule'
      : `exception ${d.path.map((i) => i + 1).join('.')}`
    : null;
  const deciding = d ? `consent version ${d.version}, ${where}` : null;
  return (
    <div
      className={VERDICT_CLASS[decision.outcome]}
      data-testid="decision"
      data-outcome={decision.outcome}
    >
      <p className="verdict-word">{DECISION_LABELS[decision.outcome]}</p>
      {recording && <p className="verdict-title">{consequence(decision)}</p>}
      <p>{basisWords(decision, deciding)}</p>
      {decision.provision && (
        <p className="decision-provision">
          Deciding provision: <q>{sentence(describeProvision(decision.provision, nameOf))}</q>
        </p>
      )}
      <p className="verdict-asked">
        {decision.consentsInForce === 1
          ? '1 consent in force spoke to the question'
          : `${decision.consentsInForce} consents in force spoke to the question`}
        , as of block {decision.asOfHeight} at {absoluteTime(decision.time)}.
      </p>
      {version && d && (
        <div className="verdict-info">
          <p className="verdict-title">
            {consentKind(version)}, version {version.version}
            {isCurrent ? '' : ' (since amended)'}
          </p>
          <ProvisionTree
            provision={version.provision}
            highlight={d.path}
            label="The deciding consent’s provisions"
          />
        </div>
      )}
    </div>
  );
}
