import { useState, type FormEvent, type ReactNode } from 'react';
import type { Params } from '../../../shared/rpc/contract';
import { DECOMMISSION_REASONS, Sscc, type Items } from '../../../shared/supply/schemas';
import { useProfile } from '../../app/profile';
import { Field } from '../../components/Field';
import { sentence } from '../../components/text';
import { useMembersStore } from '../../stores/members-store';
import {
  EventContextFields,
  eventContextOf,
  NO_EVENT_CONTEXT,
  SubmissionNotice,
  SubmitRow,
  useSigningBlocked,
  useSupplySubmit,
  type EventContextValue,
} from '../forms';
import { ItemPicker } from '../ItemPicker';
import { describeItems, itemsProblem, toItems, type Item, type ItemKinds } from '../items';
import { ContainerLink, ShipmentLink } from '../links';
import { RECORD_ACTION_LABELS, type RecordAction } from '../permissions';
import { readScan } from '../ScanBox';
import { DECOMMISSION_REASON_LABELS } from '../words';

export type ItemsAction = Exclude<RecordAction, 'commission' | 'receive'>;

const FIELDS = ['items', 'parent', 'to', 'reason', 'when', 'where'] as const;
type ItemsField = (typeof FIELDS)[number];

type DecommissionReason = (typeof DECOMMISSION_REASONS)[number];

const KINDS: Record<ItemsAction, ItemKinds> = {
  pack: 'both',
  unpack: 'containers',
  ship: 'both',
  return: 'both',
  dispense: 'both',
  decommission: 'both',
  destroy: 'both',
};

const ITEMS_LABELS: Record<ItemsAction, string> = {
  pack: 'What goes into it',
  unpack: 'Containers to unpack',
  ship: 'What to ship',
  return: 'What to return',
  dispense: 'What was dispensed',
  decommission: 'What to decommission',
  destroy: 'What was destroyed',
};

const SUBMIT_LABELS: Record<ItemsAction, string> = {
  pack: 'Pack',
  unpack: 'Unpack',
  ship: 'Ship',
  return: 'Return',
  dispense: 'Record dispensing',
  decommission: 'Decommission',
  destroy: 'Record destruction',
};

/** Notes on what the rules allow, where the user would otherwise learn it from a refusal. */
const NOTES: Partial<Record<ItemsAction, string>> = {
  pack: 'Units and containers must be loose (not already inside a container) and held by you. A case packed here can then be packed into a pallet; containers nest at most four deep. An SSCC that was unpacked or destroyed is never used again.',
  unpack: 'A container inside another must be taken out first: unpack the outer one.',
  ship: 'Only loose units and containers you hold can be shipped. Recalled units go only back to their manufacturer (use Return); quarantined units do not move.',
  return:
    'A return goes back to the member the product came from; recalled units are returned to their manufacturer. The receiver must verify a saleable return before it ships it again.',
  dispense:
    'Recalled, quarantined or expired units cannot be dispensed, nor returns awaiting verification. Scanning a case dispenses everything in it.',
  decommission:
    'Decommissioned units leave the supply chain for good: they never move again and no longer verify.',
  destroy:
    'Recalled, quarantined and expired stock can be destroyed. Destroyed units never move again and no longer verify.',
};

/** An SSCC typed or scanned (a bare 18 digits, an element string, a Digital Link), or why not. */
export function ssccOfText(text: string): { sscc: string } | { problem: string } {
  const value = text.trim();
  if (value === '') return { problem: 'Give the SSCC on the container’s label.' };
  if (/^[0-9]+$/.test(value)) {
    const parsed = Sscc.safeParse(value);
    return parsed.success
      ? { sscc: value }
      : { problem: sentence(parsed.error.issues[0]?.message ?? 'not an SSCC') };
  }
  const scan = readScan(value);
  if (scan && !scan.ok) return { problem: sentence(scan.error) };
  if (scan?.ok && scan.sscc) return { sscc: scan.sscc };
  return { problem: 'This code carries no SSCC: scan the container’s label (AI 00).' };
}

function initialItems(prefill: { gtin?: string; serial?: string; sscc?: string }): Item[] {
  if (prefill.sscc) return [{ kind: 'container', sscc: prefill.sscc }];
  if (prefill.gtin && prefill.serial) {
    return [{ kind: 'unit', gtin: prefill.gtin, serial: prefill.serial }];
  }
  return [];
}

/** Every event that acts on a list of scanned items, with the fields each needs beside it. */
export function ItemsForm({
  action,
  prefill,
}: {
  action: ItemsAction;
  prefill: { gtin?: string; serial?: string; sscc?: string };
}) {
  const profile = useProfile();
  const members = useMembersStore((state) => state.list.data);
  const origin = `supply:${action}`;
  const [items, setItems] = useState<Item[]>(() =>
    action === 'unpack' && !prefill.sscc ? [] : initialItems(prefill),
  );
  const [parent, setParent] = useState('');
  const [to, setTo] = useState('');
  const [reason, setReason] = useState<DecommissionReason | ''>('');
  const [context, setContext] = useState<EventContextValue>(NO_EVENT_CONTEXT);
  const [result, setResult] = useState<{ sscc?: string } | null>(null);
  const { errors, setErrors, sending, submit, clear } = useSupplySubmit<ItemsField>(origin);
  const blocked = useSigningBlocked();

  const receivers = (members ?? []).filter(
    (m) => m.status === 'active' && m.id !== profile.memberId,
  );
  const receiverName = receivers.find((m) => m.id === to)?.legalName ?? to;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const fields: Partial<Record<ItemsField, string>> = {};
    const problem = itemsProblem(items);
    if (problem) fields.items = problem;
    let sscc = '';
    if (action === 'pack') {
      const read = ssccOfText(parent);
      if ('problem' in read) fields.parent = read.problem;
      else if (items.some((i) => i.kind === 'container' && i.sscc === read.sscc)) {
        fields.parent = 'A container cannot be packed into itself: it is also in the list below.';
      } else sscc = read.sscc;
    }
    if ((action === 'ship' || action === 'return') && to === '') {
      fields.to = action === 'return' ? 'Choose who gets it back.' : 'Choose who to ship to.';
    }
    if (action === 'decommission' && reason === '') fields.reason = 'Choose why.';
    const ctx = eventContextOf(context);
    if (ctx.errors.when) fields.when = ctx.errors.when;
    if (ctx.errors.where) fields.where = ctx.errors.where;
    if (Object.keys(fields).length > 0) {
      setErrors({ fields, items: {}, form: null });
      return;
    }
    const named: Items = toItems(items);
    const what = describeItems(items);
    const placement = {
      fields: FIELDS,
      aliases: {
        children: 'items',
        containers: 'items',
        units: 'items',
        eventTime: 'when',
        bizLocation: 'where',
      } as const,
      items: named,
      itemField: 'items' as const,
      fieldOfRefusal: (message: string): ItemsField | null => {
        if (action === 'pack' && sscc !== '' && message.includes(sscc)) return 'parent';
        if (/ is not a member| cannot receive|ships? to itself/.test(message)) return 'to';
        return null;
      },
    };
    let txId: string | null = null;
    switch (action) {
      case 'pack':
        txId = await submit(
          `Pack ${what} into ${sscc}`,
          'supply.pack',
          {
            packs: [{ parent: sscc, children: named }],
            ...ctx.params,
          } satisfies Params<'supply.pack'>,
          placement,
        );
        break;
      case 'unpack':
        txId = await submit(
          `Unpack ${what}`,
          'supply.unpack',
          {
            containers: named.containers,
            ...ctx.params,
          },
          placement,
        );
        break;
      case 'ship':
      case 'return':
        txId = await submit(
          `${action === 'ship' ? 'Ship' : 'Return'} ${what} to ${receiverName}`,
          action === 'ship' ? 'supply.ship' : 'supply.return',
          { to, items: named, ...ctx.params },
          placement,
        );
        break;
      case 'dispense':
        txId = await submit(
          `Dispense ${what}`,
          'supply.dispense',
          { items: named, ...ctx.params },
          placement,
        );
        break;
      case 'decommission':
        txId = await submit(
          `Decommission ${what} (${reason === '' ? '' : DECOMMISSION_REASON_LABELS[reason].toLowerCase()})`,
          'supply.decommission',
          { items: named, reason: reason as DecommissionReason, ...ctx.params },
          placement,
        );
        break;
      case 'destroy':
        txId = await submit(
          `Destroy ${what}`,
          'supply.destroy',
          { items: named, ...ctx.params },
          placement,
        );
        break;
    }
    if (txId) {
      setResult(action === 'pack' ? { sscc } : {});
      setItems([]);
      setParent('');
    }
  };

  const e = errors.fields;
  let extra: ReactNode = null;
  if (action === 'pack') {
    extra = (
      <Field
        id="pack-parent"
        label="Container (SSCC)"
        hint="The 18-digit SSCC on the case or pallet label, typed or scanned. A new SSCC makes a new container; a packed one you hold takes more."
        error={e.parent}
      >
        <input
          type="text"
          className="input-mono"
          autoComplete="off"
          spellCheck={false}
          value={parent}
          disabled={sending}
          onChange={(event) => {
            setParent(event.currentTarget.value);
            clear('parent');
          }}
          onKeyDown={(event) => {
            // A scanner ends with Enter: it fills this field, it does not submit the form.
            if (event.key === 'Enter') event.preventDefault();
          }}
        />
      </Field>
    );
  } else if (action === 'ship' || action === 'return') {
    extra = (
      <Field
        id={`${action}-to`}
        label={action === 'ship' ? 'Ship to' : 'Return to'}
        hint={
          action === 'return'
            ? 'The member the product came from; recalled product goes back to its manufacturer.'
            : 'An active member of the consortium.'
        }
        error={e.to}
      >
        <select
          value={to}
          disabled={sending}
          onChange={(event) => {
            setTo(event.currentTarget.value);
            clear('to');
          }}
        >
          <option value="">Choose a member…</option>
          {receivers.map((m) => (
            <option key={m.id} value={m.id}>
              {m.legalName} ({m.kind})
            </option>
          ))}
        </select>
      </Field>
    );
  } else if (action === 'decommission') {
    extra = (
      <Field id="decommission-reason" label="Reason" error={e.reason}>
        <select
          value={reason}
          disabled={sending}
          onChange={(event) => {
            setReason(event.currentTarget.value as DecommissionReason | '');
            clear('reason');
          }}
        >
          <option value="">Choose why…</option>
          {DECOMMISSION_REASONS.map((r) => (
            <option key={r} value={r}>
              {DECOMMISSION_REASON_LABELS[r]}
            </option>
          ))}
        </select>
      </Field>
    );
  }

  return (
    <form
      className="card supply-form"
      aria-label={RECORD_ACTION_LABELS[action]}
      onSubmit={(event) => void onSubmit(event)}
      noValidate
    >
      {NOTES[action] && <p className="muted">{NOTES[action]}</p>}
      {extra}
      <ItemPicker
        idPrefix={action}
        label={ITEMS_LABELS[action]}
        kinds={KINDS[action]}
        items={items}
        onChange={(next) => {
          setItems(next);
          if (Object.keys(errors.items).length > 0 || e.items) {
            setErrors({ ...errors, fields: { ...errors.fields, items: undefined }, items: {} });
          }
        }}
        itemErrors={errors.items}
        error={e.items}
        disabled={sending}
      />
      <EventContextFields
        idPrefix={action}
        value={context}
        onChange={(value) => {
          setContext(value);
          clear('when', 'where');
        }}
        errors={{ when: e.when, where: e.where }}
        disabled={sending}
      />
      <SubmitRow
        label={
          items.length > 0
            ? `${SUBMIT_LABELS[action]} ${describeItems(items)}`
            : SUBMIT_LABELS[action]
        }
        sending={sending}
        error={errors.form}
        blocked={blocked}
      />
      <SubmissionNotice
        origin={origin}
        result={(s) =>
          action === 'ship' || action === 'return' ? (
            <ShipmentLink id={s.txId}>Open the shipment</ShipmentLink>
          ) : action === 'pack' && result?.sscc ? (
            <>
              Container <ContainerLink sscc={result.sscc} />
            </>
          ) : null
        }
      />
    </form>
  );
}
