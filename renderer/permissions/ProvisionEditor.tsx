import { MEMBER_KINDS, type MemberKind } from '../../shared/members/schemas';
import {
  MAX_PROVISION_DEPTH,
  MAX_PROVISIONS,
  type ActorRole,
  type ProvisionType,
} from '../../shared/permissions/schemas';
import { Badge } from '../components/Badge';
import {
  ACTION_OPTIONS,
  CLASS_OPTIONS,
  CodeChecklist,
  CodeSelect,
  PURPOSE_OPTIONS,
  ROLE_OPTIONS,
} from './CodeInputs';
import {
  emptyActor,
  emptyProvision,
  mayNest,
  provisionKey,
  type ActorDraft,
  type PeriodDraft,
  type ProvisionDraft,
} from './consent-draft';
import { MemberSelect } from './MemberSelect';
import { PeriodInputs } from './PeriodInputs';

const KIND_OPTIONS = MEMBER_KINDS.map((kind) => ({ code: kind, label: `every ${kind}` }));

export type EditProvision = (
  path: readonly number[],
  change: (p: ProvisionDraft) => ProvisionDraft,
) => void;

function ActorRow({
  idPrefix,
  actor,
  onChange,
  onRemove,
  disabled,
}: {
  idPrefix: string;
  actor: ActorDraft;
  onChange: (actor: ActorDraft) => void;
  onRemove: () => void;
  disabled: boolean;
}) {
  return (
    <li className="actor-row">
      <select
        aria-label="Actor is"
        value={actor.by}
        disabled={disabled}
        onChange={(event) =>
          onChange({ ...actor, by: event.currentTarget.value as ActorDraft['by'] })
        }
      >
        <option value="member">Member</option>
        <option value="kind">Member kind</option>
      </select>
      {actor.by === 'member' ? (
        <MemberSelect
          id={`${idPrefix}-member`}
          value={actor.member}
          onChange={(member) => onChange({ ...actor, member })}
          placeholder="Choose the member…"
          disabled={disabled}
          aria-label="Actor member"
        />
      ) : (
        <CodeSelect
          id={`${idPrefix}-kind`}
          options={KIND_OPTIONS}
          value={actor.kind}
          onChange={(kind) => onChange({ ...actor, kind: kind as MemberKind | '' })}
          placeholder="Choose the kind…"
          disabled={disabled}
          aria-label="Actor kind"
        />
      )}
      <CodeSelect
        options={ROLE_OPTIONS}
        value={actor.role}
        onChange={(role) => role !== '' && onChange({ ...actor, role: role as ActorRole })}
        disabled={disabled}
        aria-label="Actor role"
      />
      <button
        type="button"
        className="button-secondary button-small"
        disabled={disabled}
        onClick={onRemove}
        aria-label="Remove this actor"
      >
        Remove
      </button>
    </li>
  );
}

function Actors({
  idPrefix,
  actors,
  onChange,
  error,
  disabled,
}: {
  idPrefix: string;
  actors: ActorDraft[];
  onChange: (actors: ActorDraft[]) => void;
  error: string | undefined;
  disabled: boolean;
}) {
  return (
    <fieldset className={`actors${error ? ' field-invalid' : ''}`}>
      <legend>
        Who{' '}
        <span className="code-checklist-count">
          {actors.length === 0 ? 'no actor named: anyone' : `${actors.length} named`}
        </span>
      </legend>
      {actors.length > 0 && (
        <ul className="actor-list">
          {actors.map((actor, i) => (
            <ActorRow
              key={actor.key}
              idPrefix={`${idPrefix}-actor-${i}`}
              actor={actor}
              disabled={disabled}
              onChange={(next) => onChange(actors.map((a) => (a.key === actor.key ? next : a)))}
              onRemove={() => onChange(actors.filter((a) => a.key !== actor.key))}
            />
          ))}
        </ul>
      )}
      <button
        type="button"
        className="button-secondary button-small"
        disabled={disabled}
        onClick={() => onChange([...actors, emptyActor()])}
      >
        Add an actor
      </button>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

function other(type: ProvisionType): ProvisionType {
  return type === 'permit' ? 'deny' : 'permit';
}

/**
 * One provision of the tree and its exceptions, each editable: its type (the base rule's
 * follows from the policy), actors, actions, purposes, record classes and period; exceptions
 * are added up to the tree's bounds (4 levels, 32 provisions in all).
 */
export function ProvisionEditor({
  draft,
  path,
  total,
  baseType,
  errors,
  edit,
  disabled,
}: {
  draft: ProvisionDraft;
  path: number[];
  /** How many provisions the whole tree has. */
  total: number;
  /** The base rule's type, as the policy fixes it (shown, not chosen). */
  baseType: ProvisionType;
  errors: Record<string, string>;
  edit: EditProvision;
  disabled: boolean;
}) {
  const key = provisionKey(path);
  const id = `prov-${path.join('-') || 'base'}`;
  const isBase = path.length === 0;
  const set = (change: Partial<ProvisionDraft>) => edit(path, (p) => ({ ...p, ...change }));
  const canNest = mayNest(path, total);
  const error = (field: string) => errors[`${key}.${field}`];
  const nodeError = errors[key] ?? errors[`${key}.provisions`];

  return (
    <li className={`provision-editor provision-${draft.type}`} data-path={path.join('.')}>
      <div
        className="provision-editor-body"
        role="group"
        aria-label={isBase ? 'Base rule' : `Exception ${path.map((i) => i + 1).join('.')}`}
      >
        <div className="provision-editor-head">
          {isBase ? (
            <p className="provision-head">
              <Badge tone={baseType === 'permit' ? 'good' : 'bad'}>{baseType}</Badge>
              <span className="provision-kind">Base rule</span>
              <span className="muted">its type follows from the policy rule</span>
            </p>
          ) : (
            <div className="provision-head">
              <span className="provision-kind">Exception {path.map((i) => i + 1).join('.')}</span>
              <select
                aria-label="Exception type"
                className={`type-select type-${draft.type}`}
                value={draft.type}
                disabled={disabled}
                onChange={(event) => set({ type: event.currentTarget.value as ProvisionType })}
              >
                <option value="permit">permit</option>
                <option value="deny">deny</option>
              </select>
              <button
                type="button"
                className="button-secondary button-small provision-remove"
                disabled={disabled}
                onClick={() =>
                  edit(path.slice(0, -1), (parent) => ({
                    ...parent,
                    children: parent.children.filter((c) => c.key !== draft.key),
                  }))
                }
              >
                Remove exception
              </button>
            </div>
          )}
        </div>
        <Actors
          idPrefix={id}
          actors={draft.actors}
          onChange={(actors) => set({ actors })}
          error={error('actors')}
          disabled={disabled}
        />
        <div className="provision-codes">
          <CodeChecklist
            id={`${id}-actions`}
            legend="Actions"
            options={ACTION_OPTIONS}
            value={draft.actions}
            onChange={(actions) => set({ actions })}
            none="any action"
            error={error('actions')}
            disabled={disabled}
          />
          <CodeChecklist
            id={`${id}-purposes`}
            legend="Purposes of use"
            options={PURPOSE_OPTIONS}
            value={draft.purposes}
            onChange={(purposes) => set({ purposes })}
            none="any purpose"
            error={error('purposes')}
            disabled={disabled}
          />
        </div>
        <details
          className="provision-classes"
          open={draft.classes.length > 0 || !!error('classes') || undefined}
        >
          <summary>
            Record classes{' '}
            <span className="code-checklist-count">
              {draft.classes.length === 0
                ? 'none ticked: any records'
                : `${draft.classes.length} ticked`}
            </span>
          </summary>
          <CodeChecklist
            id={`${id}-classes`}
            legend="Record classes"
            options={CLASS_OPTIONS}
            value={draft.classes}
            onChange={(classes) => set({ classes })}
            none="any records"
            error={error('classes')}
            disabled={disabled}
            columns={3}
          />
        </details>
        <PeriodInputs
          idPrefix={`${id}-period`}
          legend="Period (optional)"
          hint={false}
          value={draft.period}
          onChange={(period: PeriodDraft) => set({ period })}
          error={error('period')}
          disabled={disabled}
        />
        {nodeError && (
          <p className="field-error" role="alert">
            {nodeError}
          </p>
        )}
        <div className="provision-nest">
          <button
            type="button"
            className="button-secondary button-small"
            disabled={disabled || !canNest}
            onClick={() =>
              edit(path, (p) => ({
                ...p,
                children: [...p.children, emptyProvision(other(p.type))],
              }))
            }
          >
            Add an exception{isBase ? '' : ' to this exception'}
          </button>
          {!canNest && (
            <span className="muted">
              {total >= MAX_PROVISIONS
                ? `A consent has at most ${MAX_PROVISIONS} provisions.`
                : `Provisions nest at most ${MAX_PROVISION_DEPTH} levels deep, the base rule included.`}
            </span>
          )}
        </div>
      </div>
      {draft.children.length > 0 && (
        <ol className="provision-editor-children" aria-label="Exceptions">
          {draft.children.map((child, i) => (
            <ProvisionEditor
              key={child.key}
              draft={child}
              path={[...path, i]}
              total={total}
              baseType={baseType}
              errors={errors}
              edit={edit}
              disabled={disabled}
            />
          ))}
        </ol>
      )}
    </li>
  );
}
