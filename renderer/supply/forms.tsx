import { Link } from '@tanstack/react-router';
import { useState, type ReactNode } from 'react';
import type { MemberView, Params, RpcError } from '../../shared/rpc/contract';
import { Gln } from '../../shared/supply/schemas';
import type { Items } from '../../shared/supply/schemas';
import { Field } from '../components/Field';
import { Spinner } from '../components/States';
export { SubmitRow, useSigningBlocked } from '../components/SubmitRow';
import { sentence } from '../components/text';
import { asRpcError } from '../rpc/rpc-response';
import { useMembersById } from '../stores/members-store';
import {
  useSupplySubmissionsStore,
  type SupplyAction,
  type SupplySubmission,
} from '../stores/supply-submissions';
import { reasonClause } from '../stores/write-block';
import { itemAtPath, itemOfMessage } from './items';
import { ALERT_KIND_LABELS } from './words';
import { BlockLink, TxLink } from './links';

/** What is wrong with a supply form: under its fields, at its items, or by the button. */
export interface SupplyErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  /** By item key (see items.ts): the rule or schema problem of one scanned item. */
  items: Record<string, string>;
  form: string | null;
}

export function noErrors<F extends string>(): SupplyErrors<F> {
  return { fields: {}, items: {}, form: null };
}

export function hasErrors<F extends string>(errors: SupplyErrors<F>): boolean {
  return (
    Object.keys(errors.fields).length > 0 ||
    Object.keys(errors.items).length > 0 ||
    errors.form !== null
  );
}

/**
 * The node's messages as people read them: member ids replaced by the names people know them by,
 * and 64-digit hashes (shipments, transactions) shortened.
 */
export function withMemberNames(message: string, members: ReadonlyMap<string, MemberView>): string {
  let text = message.replace(/\b([0-9a-f]{8})[0-9a-f]{56}\b/g, '$1…');
  for (const [id, member] of members) {
    text = text.replace(new RegExp(`(?<![\\w-])${id}(?![\\w-])`, 'g'), member.legalName);
  }
  return text;
}

interface Placement<F extends string> {
  /** The form's fields, by the names the node's issue paths use (their last matching segment). */
  fields: readonly F[];
  /** Other path segments that stand for one of the fields (`children` for `items`). */
  aliases?: Partial<Record<string, F>>;
  /** The items sent, to place a problem on the one its path or message names. */
  items?: Items;
  /** The field that holds the items, told when one of them is refused. */
  itemField?: F;
  /** A rule's refusal that belongs under a field (a lot's expiry, a product's GTIN). */
  fieldOfRefusal?: (message: string) => F | null;
}

/** Places the node's answer where the user acted: fields, items, or by the button. */
export function placeErrors<F extends string>(
  error: RpcError,
  placement: Placement<F>,
  members: ReadonlyMap<string, MemberView>,
): SupplyErrors<F> {
  const result = noErrors<F>();
  const say = (message: string) => sentence(withMemberNames(message, members));
  const fieldOf = (segment: string): F | null =>
    placement.fields.find((f) => f === segment) ?? placement.aliases?.[segment] ?? null;
  const unplaced: string[] = [];
  const onItem = (key: string, message: string) => {
    result.items[key] ??= say(message);
    if (placement.itemField) {
      result.fields[placement.itemField] ??= 'An item was refused: see the marked item below.';
    }
  };

  if (error.code === 'bad_request' && error.issues?.length) {
    for (const issue of error.issues) {
      const segments = issue.path.split(/[./]/).filter(Boolean);
      const item = placement.items ? itemAtPath(placement.items, segments) : null;
      if (item !== null) {
        onItem(item, issue.message);
        continue;
      }
      const field = [...segments]
        .reverse()
        .map(fieldOf)
        .find((f) => f !== null);
      if (field) result.fields[field] ??= say(issue.message);
      else unplaced.push(say(issue.message));
    }
    if (unplaced.length > 0) result.form = unplaced.join(' ');
    return result;
  }
  if (error.code === 'rejected') {
    const item = placement.items ? itemOfMessage(error.message) : null;
    if (item !== null && placement.items && hasItem(placement.items, item)) {
      onItem(item, error.message);
      result.form = 'Nothing was signed: fix the marked item and try again.';
      return result;
    }
    const field = placement.fieldOfRefusal?.(error.message) ?? null;
    if (field) {
      result.fields[field] = say(error.message);
      return result;
    }
    result.form = `Nothing was signed: ${reasonClause(withMemberNames(error.message, members))}.`;
    return result;
  }
  result.form = say(error.message);
  return result;
}

function hasItem(items: Items, key: string): boolean {
  return (
    items.containers.includes(key) ||
    items.units.some((g) => g.serials.some((s) => `${g.gtin} ${s}` === key))
  );
}

/**
 * Submitting one supply form: checks done here first (`local`), then the node's own, each
 * answer placed where the user acted. Resolves to the transaction id once the node has taken
 * the transaction, or null.
 */
export function useSupplySubmit<F extends string>(origin: string) {
  const submitAction = useSupplySubmissionsStore((state) => state.submit);
  const dismiss = useSupplySubmissionsStore((state) => state.dismiss);
  const members = useMembersById();
  const [errors, setErrors] = useState<SupplyErrors<F>>(noErrors<F>());
  const [sending, setSending] = useState(false);

  const submit = async <M extends SupplyAction>(
    title: string,
    method: M,
    params: Params<M>,
    placement: Placement<F>,
  ): Promise<string | null> => {
    setSending(true);
    setErrors(noErrors<F>());
    dismiss(origin);
    try {
      const { txId } = await submitAction(origin, title, method, params);
      return txId;
    } catch (failure) {
      setErrors(placeErrors(asRpcError(failure), placement, members));
      return null;
    } finally {
      setSending(false);
    }
  };
  /** Takes back what was said about fields the user has just changed. */
  const clear = (...fields: F[]) =>
    setErrors((current) => {
      if (!fields.some((f) => current.fields[f] !== undefined)) return current;
      const next = { ...current.fields };
      for (const f of fields) delete next[f];
      return { ...current, fields: next };
    });
  return { errors, setErrors, sending, submit, clear };
}

/**
 * What became of the latest transaction signed from one form: waiting for its block, recorded
 * (with links to its block, its transaction and what it made), or kept out of the chain.
 */
export function SubmissionNotice({
  origin,
  result,
}: {
  origin: string;
  /** A link to what the transaction made or changed, once it is in a block. */
  result?: (submission: SupplySubmission) => ReactNode;
}) {
  const submission = useSupplySubmissionsStore((state) => state.latest[origin]);
  const dismiss = useSupplySubmissionsStore((state) => state.dismiss);
  const members = useMembersById();
  if (!submission) return <div role="status" aria-live="polite" className="submission-slot" />;
  const dismissButton = (
    <button type="button" className="button-secondary button-small" onClick={() => dismiss(origin)}>
      Dismiss
    </button>
  );
  return (
    <div role="status" aria-live="polite" className="submission-slot">
      {submission.state === 'pending' && (
        <div className="notice notice-info submission" data-testid="submission-pending">
          <p>
            <Spinner /> Signed and sent: <strong>{submission.title}</strong>. It is recorded when
            the next block commits.
          </p>
        </div>
      )}
      {submission.state === 'committed' && (
        <div
          className={`notice submission ${submission.alerts.length > 0 ? 'notice-warn' : 'notice-success'}`}
          data-testid="submission-committed"
        >
          <div>
            <p>
              Recorded in <BlockLink height={submission.height} />:{' '}
              <strong>{submission.title}</strong>. <TxLink id={submission.txId}>Transaction</TxLink>
              {result && <> · {result(submission)}</>}
            </p>
            {submission.alerts.map((alert) => (
              <p key={alert.id} className="submission-alert">
                It raised an alert ({ALERT_KIND_LABELS[alert.kind]}):{' '}
                {sentence(withMemberNames(alert.detail, members))}{' '}
                <Link to="/supply/alerts" search={{ member: alert.member }}>
                  See alerts
                </Link>
              </p>
            ))}
          </div>
          {dismissButton}
        </div>
      )}
      {submission.state === 'refused' && (
        <div className="notice notice-error submission" data-testid="submission-refused">
          <p>
            {submission.title}: the node kept it out of its block.{' '}
            {sentence(withMemberNames(submission.reason, members))}
          </p>
          {dismissButton}
        </div>
      )}
    </div>
  );
}

/** The optional time and place of an event (EPCIS eventTime and bizLocation). */
export interface EventContextValue {
  when: string;
  where: string;
}

export const NO_EVENT_CONTEXT: EventContextValue = { when: '', where: '' };

/**
 * The event's time and place as the transaction carries them, or the problem of each field.
 * The console's clock stands for the block's: an event cannot happen after the block records it.
 */
export function eventContextOf(
  value: EventContextValue,
  now: number = Date.now(),
): {
  params: { eventTime?: number; bizLocation?: string };
  errors: { when?: string; where?: string };
} {
  const params: { eventTime?: number; bizLocation?: string } = {};
  const errors: { when?: string; where?: string } = {};
  if (value.when !== '') {
    const time = new Date(value.when).getTime();
    if (Number.isNaN(time)) errors.when = 'Give a date and time, or leave it empty for now.';
    else if (time > now)
      errors.when = 'An event cannot be recorded before it happens: this time is in the future.';
    else params.eventTime = time;
  }
  const where = value.where.trim();
  if (where !== '') {
    const parsed = Gln.safeParse(where);
    if (!parsed.success) errors.where = sentence(parsed.error.issues[0]?.message ?? 'not a GLN');
    else params.bizLocation = where;
  }
  return { params, errors };
}

/** When and where it happened, folded away: most events happen as they are recorded. */
export function EventContextFields({
  idPrefix,
  value,
  onChange,
  errors,
  disabled,
}: {
  idPrefix: string;
  value: EventContextValue;
  onChange: (value: EventContextValue) => void;
  errors: { when?: string | undefined; where?: string | undefined };
  disabled: boolean;
}) {
  const open = value.when !== '' || value.where !== '' || !!errors.when || !!errors.where;
  return (
    <details className="event-context" open={open || undefined}>
      <summary>Time and place (optional)</summary>
      <div className="form-row">
        <Field
          id={`${idPrefix}-when`}
          label="When it happened"
          hint="Leave empty when it happens now."
          error={errors.when}
        >
          <input
            type="datetime-local"
            value={value.when}
            disabled={disabled}
            onChange={(event) => onChange({ ...value, when: event.currentTarget.value })}
          />
        </Field>
        <Field
          id={`${idPrefix}-where`}
          label="Where (GLN)"
          hint="The 13-digit GLN of the site."
          error={errors.where}
        >
          <input
            type="text"
            className="input-mono"
            inputMode="numeric"
            value={value.where}
            disabled={disabled}
            onChange={(event) => onChange({ ...value, where: event.currentTarget.value })}
          />
        </Field>
      </div>
    </details>
  );
}
