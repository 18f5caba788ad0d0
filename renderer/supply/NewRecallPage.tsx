import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import {
  MAX_UNITS_PER_TX,
  QUARANTINE_REASONS,
  RECALL_REASONS,
  type RecallClass,
} from '../../shared/supply/schemas';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useSupplyQuery } from '../stores/supply-queries';
import { SubmissionNotice, SubmitRow, useSigningBlocked, useSupplySubmit } from './forms';
import { HolderTable } from './LotPage';
import { RecallLink } from './links';
import { mayIssueHolds } from './permissions';
import { serialsOfList, serialsProblem } from './record/CommissionForm';
import type { HoldKind } from './RecallsPage';
import {
  count,
  QUARANTINE_REASON_LABELS,
  RECALL_CLASS_LABELS,
  RECALL_REASON_LABELS,
  units,
} from './words';

const FIELDS = ['kind', 'gtin', 'lot', 'serials', 'recallClass', 'reason'] as const;
type RecallField = (typeof FIELDS)[number];

const ORIGIN = 'supply:new-hold';

type Scope = 'lot' | 'serials';

/** Who holds the lot now: the people a recall reaches. */
function Reach({ gtin, lot }: { gtin: string; lot: string }) {
  const view = useSupplyQuery('supply.lots.get', { gtin, lot });
  if (view.error) return <ErrorNotice error={view.error} retry={view.reload} />;
  if (!view.data) return <Loading what="who holds the lot" />;
  const held = view.data.holders.reduce((n, h) => n + h.quantity, 0);
  const travelling = view.data.inTransit.reduce((n, h) => n + h.quantity, 0);
  return (
    <section className="reach" aria-labelledby="reach-heading">
      <h3 id="reach-heading">Who holds lot {lot} now</h3>
      <p className="muted">
        {units(held)} in stock with {count(view.data.holders.length)} member
        {view.data.holders.length === 1 ? '' : 's'}, {units(travelling)} in transit,{' '}
        {units(view.data.counts.dispensed ?? 0)} dispensed. A recall raises an alert for every
        member holding covered stock.
      </p>
      <HolderTable
        holders={view.data.holders}
        label="Current holders of the lot"
        empty="No member holds units of this lot in stock."
      />
    </section>
  );
}

function HoldForm({ initial }: { initial: { gtin?: string; lot?: string; kind?: HoldKind } }) {
  const profile = useProfile();
  const regulator = profile.kind === 'regulator';
  const products = useSupplyQuery('supply.products.list', {
    ...(regulator ? {} : { owner: profile.memberId }),
    limit: 500,
  });
  const [kind, setKind] = useState<HoldKind>(initial.kind ?? 'recall');
  const [gtin, setGtin] = useState(initial.gtin ?? '');
  const product = useSupplyQuery('supply.products.get', gtin === '' ? null : { gtin });
  const [lot, setLot] = useState(initial.lot ?? '');
  const [scope, setScope] = useState<Scope>('lot');
  const [serialText, setSerialText] = useState('');
  const [recallClass, setRecallClass] = useState<RecallClass | ''>('');
  const [reason, setReason] = useState('');
  const [lastHold, setLastHold] = useState<string | null>(null);
  const { errors, setErrors, sending, submit, clear } = useSupplySubmit<RecallField>(ORIGIN);
  const blocked = useSigningBlocked();

  if (products.error) return <ErrorNotice error={products.error} retry={products.reload} />;
  if (!products.data) return <Loading what="products" />;
  if (products.data.length === 0) {
    return (
      <EmptyState>
        {regulator
          ? 'No product is registered on the chain yet.'
          : `${profile.memberName} has no product registered: a manufacturer recalls its own products.`}
      </EmptyState>
    );
  }
  const lots = product.data && product.data.product.gtin === gtin ? product.data.lots : null;
  const knownLot = lots?.find((l) => l.lot === lot) ?? null;
  const reasons = kind === 'recall' ? RECALL_REASONS : QUARANTINE_REASONS;
  const reasonLabels: Record<string, string> =
    kind === 'recall' ? RECALL_REASON_LABELS : QUARANTINE_REASON_LABELS;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const fields: Partial<Record<RecallField, string>> = {};
    if (gtin === '') fields.gtin = 'Choose the product.';
    if (lot === '' || !knownLot) fields.lot = 'Choose the lot.';
    else if (knownLot[kind] !== null) {
      fields.lot = `Lot ${lot} is already under ${kind}: see its page.`;
    }
    const serials = scope === 'serials' ? serialsOfList(serialText) : undefined;
    if (serials) {
      const problem = serialsProblem(serials);
      if (problem) fields.serials = problem.replace('commissions', 'names');
    }
    if (kind === 'recall' && recallClass === '') fields.recallClass = 'Choose the recall class.';
    if (reason === '' || !(reasons as readonly string[]).includes(reason)) {
      fields.reason = 'Choose the reason.';
    }
    if (Object.keys(fields).length > 0) {
      setErrors({ fields, items: {}, form: null });
      return;
    }
    const name = product.data
      ? `${product.data.product.name} ${product.data.product.strength}`
      : gtin;
    const placement = {
      fields: FIELDS,
      fieldOfRefusal: (message: string): RecallField | null => {
        if (/^serial /.test(message)) return 'serials';
        if (/^lot |no unit of lot/.test(message)) return 'lot';
        if (/only .* may do this|no product/.test(message)) return 'gtin';
        return null;
      },
    };
    const target = { gtin, lot, ...(serials ? { serials } : {}) };
    const txId =
      kind === 'recall'
        ? await submit(
            `Class ${recallClass} recall of ${name}, lot ${lot}`,
            'supply.recall',
            {
              ...target,
              recallClass: recallClass as RecallClass,
              reason: reason as (typeof RECALL_REASONS)[number],
            },
            placement,
          )
        : await submit(
            `Quarantine of ${name}, lot ${lot}`,
            'supply.quarantine',
            { ...target, reason: reason as (typeof QUARANTINE_REASONS)[number] },
            placement,
          );
    if (txId) {
      setLastHold(txId);
      setSerialText('');
    }
  };

  const e = errors.fields;
  return (
    <form
      className="card supply-form"
      aria-label="Recall or quarantine"
      onSubmit={(event) => void onSubmit(event)}
      noValidate
    >
      <fieldset className="choice" disabled={sending}>
        <legend>What to issue</legend>
        <label>
          <input
            type="radio"
            name="hold-kind"
            checked={kind === 'recall'}
            onChange={() => {
              setKind('recall');
              setReason('');
              clear('reason', 'lot');
            }}
          />
          Recall: units no longer move, except back to the manufacturer
        </label>
        <label>
          <input
            type="radio"
            name="hold-kind"
            checked={kind === 'quarantine'}
            onChange={() => {
              setKind('quarantine');
              setReason('');
              clear('reason', 'recallClass', 'lot');
            }}
          />
          Quarantine: units are held until it is lifted
        </label>
      </fieldset>
      <div className="form-row">
        <Field
          id="hold-product"
          label="Product"
          hint={regulator ? 'Any registered product.' : 'One of your products.'}
          error={e.gtin}
        >
          <select
            value={gtin}
            disabled={sending}
            onChange={(event) => {
              setGtin(event.currentTarget.value);
              setLot('');
              clear('gtin', 'lot');
            }}
          >
            <option value="">Choose a product…</option>
            {products.data.map((p) => (
              <option key={p.gtin} value={p.gtin}>
                {p.name} {p.strength} ({p.gtin})
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="hold-lot"
          label="Lot"
          hint={gtin === '' ? 'Choose the product first.' : undefined}
          error={e.lot}
        >
          <select
            value={lot}
            disabled={sending || gtin === '' || lots === null}
            onChange={(event) => {
              setLot(event.currentTarget.value);
              clear('lot');
            }}
          >
            <option value="">
              {lots?.length === 0 ? 'No lot commissioned yet' : 'Choose a lot…'}
            </option>
            {lots?.map((l) => (
              <option key={l.lot} value={l.lot}>
                {l.lot} (expiry {l.expiry}, {units(l.commissioned)}
                {l.recall ? ', recalled' : ''}
                {l.quarantine ? ', quarantined' : ''})
              </option>
            ))}
          </select>
        </Field>
      </div>
      {knownLot?.[kind] && (
        <p className="notice notice-info">
          Lot {knownLot.lot} is already under {kind}:{' '}
          <RecallLink id={knownLot[kind]}>see the {kind}</RecallLink>.
        </p>
      )}
      <fieldset className="choice" disabled={sending}>
        <legend>Scope</legend>
        <label>
          <input
            type="radio"
            name="hold-scope"
            checked={scope === 'lot'}
            onChange={() => setScope('lot')}
          />
          The whole lot
        </label>
        <label>
          <input
            type="radio"
            name="hold-scope"
            checked={scope === 'serials'}
            onChange={() => setScope('serials')}
          />
          Only some serials of the lot
        </label>
      </fieldset>
      {scope === 'serials' && (
        <Field
          id="hold-serials"
          label="Serials"
          hint={`One per line, or separated by commas or spaces; at most ${count(MAX_UNITS_PER_TX)}.`}
          error={e.serials}
        >
          <textarea
            className="input-mono"
            rows={4}
            spellCheck={false}
            value={serialText}
            disabled={sending}
            onChange={(event) => {
              setSerialText(event.currentTarget.value);
              clear('serials');
            }}
          />
        </Field>
      )}
      <div className="form-row">
        {kind === 'recall' && (
          <Field id="hold-class" label="Recall class" error={e.recallClass}>
            <select
              value={recallClass}
              disabled={sending}
              onChange={(event) => {
                setRecallClass(event.currentTarget.value as RecallClass | '');
                clear('recallClass');
              }}
            >
              <option value="">Choose the class…</option>
              {(['I', 'II', 'III'] as const).map((c) => (
                <option key={c} value={c}>
                  {RECALL_CLASS_LABELS[c]}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field id="hold-reason" label="Reason" error={e.reason}>
          <select
            value={reason}
            disabled={sending}
            onChange={(event) => {
              setReason(event.currentTarget.value);
              clear('reason');
            }}
          >
            <option value="">Choose the reason…</option>
            {reasons.map((r) => (
              <option key={r} value={r}>
                {reasonLabels[r]}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {gtin !== '' && knownLot && <Reach gtin={gtin} lot={lot} />}
      <SubmitRow
        label={kind === 'recall' ? 'Issue the recall' : 'Place the quarantine'}
        sending={sending}
        error={errors.form}
        blocked={blocked}
      />
      <SubmissionNotice
        origin={ORIGIN}
        result={() =>
          lastHold && <RecallLink id={lastHold}>Open the {kind} and its holders</RecallLink>
        }
      />
    </form>
  );
}

/** `#/supply/recalls/new?gtin=…&lot=…`: a product's owner or a regulator issues a hold. */
export function NewRecallPage({
  initial,
}: {
  initial: { gtin?: string; lot?: string; kind?: HoldKind };
}) {
  const profile = useProfile();
  return (
    <Page
      title="Issue a recall or quarantine"
      back={<Link to="/supply/recalls">← Recalls and quarantines</Link>}
    >
      {mayIssueHolds(profile.kind) ? (
        <>
          <p className="lede">
            Signed as {profile.memberName}.{' '}
            {profile.kind === 'regulator'
              ? 'As a regulator you may recall or quarantine any product.'
              : 'A manufacturer recalls and quarantines its own products.'}
          </p>
          <HoldForm initial={initial} />
        </>
      ) : (
        <EmptyState>
          Only a product’s manufacturer or a regulator issues recalls and quarantines.{' '}
          {profile.memberName} is a {profile.kind ?? 'member of another chain'}.
        </EmptyState>
      )}
    </Page>
  );
}
