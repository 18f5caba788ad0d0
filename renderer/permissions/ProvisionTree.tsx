import type { Actor, Provision } from '../../shared/permissions/schemas';
import { Badge } from '../components/Badge';
import { Chips } from './Chips';
import { useMembersById } from '../stores/members-store';
import { actionLabel, classLabel, periodText, purposeWithCode, roleLabel } from './words';

function samePath(a: readonly number[], b: readonly number[] | null | undefined): boolean {
  return !!b && a.length === b.length && a.every((v, i) => v === b[i]);
}

function useActorText(): (actor: Actor) => string {
  const members = useMembersById();
  return (actor) => {
    const who =
      'member' in actor
        ? (members.get(actor.member)?.legalName ?? actor.member)
        : `every ${actor.kind}`;
    return `${who} (${roleLabel(actor)})`;
  };
}

/** One criterion of a provision: what it names, or that it matches anything. */
function Criterion({
  label,
  values,
  any,
}: {
  label: string;
  values: string[] | null;
  any: string;
}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        {values ? <Chips values={values} label={label} /> : <span className="muted">{any}</span>}
      </dd>
    </div>
  );
}

function ProvisionNode({
  provision,
  path,
  highlight,
}: {
  provision: Provision;
  path: number[];
  highlight: readonly number[] | null | undefined;
}) {
  const actorText = useActorText();
  const decided = samePath(path, highlight);
  const period = periodText(provision.period);
  const children = provision.provisions ?? [];
  return (
    <li
      className={`provision provision-${provision.type}${decided ? ' provision-decided' : ''}`}
      data-path={path.join('.')}
      aria-current={decided ? 'true' : undefined}
    >
      <div className="provision-body">
        <p className="provision-head">
          <Badge tone={provision.type === 'permit' ? 'good' : 'bad'}>{provision.type}</Badge>
          <span className="provision-kind">
            {path.length === 0 ? 'Base rule' : `Exception ${path.map((i) => i + 1).join('.')}`}
          </span>
          {decided && <span className="provision-decided-mark">deciding provision</span>}
        </p>
        <dl className="provision-criteria">
          <Criterion label="Who" values={provision.actors?.map(actorText) ?? null} any="anyone" />
          <Criterion
            label="Actions"
            values={provision.actions?.map(actionLabel) ?? null}
            any="any action"
          />
          <Criterion
            label="Purposes"
            values={provision.purposes?.map(purposeWithCode) ?? null}
            any="any purpose"
          />
          <Criterion
            label="Records"
            values={provision.classes?.map(classLabel) ?? null}
            any="any records"
          />
          {period && (
            <div>
              <dt>Period</dt>
              <dd>{period}</dd>
            </div>
          )}
        </dl>
      </div>
      {children.length > 0 && (
        <ol className="provision-children" aria-label="Exceptions">
          {children.map((child, i) => (
            <ProvisionNode key={i} provision={child} path={[...path, i]} highlight={highlight} />
          ))}
        </ol>
      )}
    </li>
  );
}

/**
 * A consent's rules as people read them: the base rule, and its exceptions indented under it,
 * each permit or deny with whom, what, why, which records and when. Deeper exceptions override
 * the rules above them. `highlight` marks the provision that decided an access.
 */
export function ProvisionTree({
  provision,
  highlight,
  label = 'Provisions',
}: {
  provision: Provision;
  highlight?: readonly number[] | null;
  label?: string;
}) {
  return (
    <ol className="provision-tree" aria-label={label}>
      <ProvisionNode provision={provision} path={[]} highlight={highlight} />
    </ol>
  );
}
