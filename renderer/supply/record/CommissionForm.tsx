import { Link } from '@tanstack/react-router';
import { useMemo, useState, type FormEvent } from 'react';
import { IsoDate, Lot, MAX_UNITS_PER_TX, Serial } from '../../../shared/supply/schemas';
import { useProfile } from '../../app/profile';
import { Field } from '../../components/Field';
import { EmptyState, ErrorNotice, Loading } from '../../components/States';
import { sentence } from '../../components/text';
import { useSupplyQuery } from '../../stores/supply-queries';
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
import { LotLink } from '../links';
import { count } from '../words';

const FIELDS = ['gtin', 'lot', 'expiry', 'serials', 'when', 'where'] as const;
type CommissionField = (typeof FIELDS)[number];

const ORIGIN = 'supply:commission';

type SerialSource = 'range' | 'list';

interface Range {
  prefix: string;
  first: string;
  count: string;
  digits: string;
}

const DEFAULT_RANGE: Range = { prefix: '', first: '1', count: '', digits: '6' };

/** The serials a range stands for, or why it stands for none. */
export function serialsOfRange(range: Range): { serials: string[] } | { problem: string } {
  const first = Number(range.first);
  const n = Number(range.count);
  const digits = Number(range.digits);
  if (range.count.trim() === '' || !Number.isInteger(n) || n < 1) {
    return { problem: 'Give how many serials to make: a whole number from 1.' };
  }
  if (n > MAX_UNITS_PER_TX) {
    return {
      problem: `One transaction commissions at most ${count(MAX_UNITS_PER_TX)} serials: commission a larger lot in several transactions, each with its own range.`,
    };
  }
  if (!Number.isInteger(first) || first < 0) {
    return { problem: 'The first number is a whole number from 0.' };
  }
  if (!Number.isInteger(digits) || digits < 1 || digits > 20) {
    return { problem: 'Pad the numbers to between 1 and 20 digits.' };
  }
  const serials: string[] = [];
  for (let i = 0; i < n; i++) {
    serials.push(`${range.prefix}${String(first + i).padStart(digits, '0')}`);
  }
  return { serials };
}

/** Serials typed or pasted: one per line, or separated by commas or spaces. */
export function serialsOfList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Why a list of serials cannot be commissioned in one transaction, or null. */
export function serialsProblem(serials: readonly string[]): string | null {
  if (serials.length === 0) return 'Name at least one serial.';
  if (serials.length > MAX_UNITS_PER_TX) {
    return `One transaction commissions at most ${count(MAX_UNITS_PER_TX)} serials; this list has ${count(serials.length)}. Commission the rest in another transaction.`;
  }
  const seen = new Set<string>();
  for (const serial of serials) {
    const parsed = Serial.safeParse(serial);
    if (!parsed.success) {
      return `Serial “${serial}”: ${parsed.error.issues[0]?.message ?? 'not a valid serial'}.`;
    }
    if (seen.has(serial)) return `Serial ${serial} is named twice.`;
    seen.add(serial);
  }
  return null;
}

function preview(serials: readonly string[]): string {
  if (serials.length === 0) return '';
  if (serials.length === 1) return `1 serial: ${serials[0]}`;
  return `${count(serials.length)} serials, ${serials[0]} to ${serials.at(-1)}`;
}

/** Commissioning a lot: serials of one of the profile's products get their identity. */
export function CommissionForm({ gtin: initialGtin }: { gtin: string | undefined }) {
  const profile = useProfile();
  const products = useSupplyQuery('supply.products.list', {
    owner: profile.memberId,
    limit: 500,
  });
  const [gtin, setGtin] = useState(initialGtin ?? '');
  const lots = useSupplyQuery('supply.products.get', gtin === '' ? null : { gtin });
  const [lot, setLot] = useState('');
  const [expiry, setExpiry] = useState('');
  const [source, setSource] = useState<SerialSource>('range');
  const [range, setRange] = useState<Range>(DEFAULT_RANGE);
  const [listText, setListText] = useState('');
  const [context, setContext] = useState<EventContextValue>(NO_EVENT_CONTEXT);
  const [lastLot, setLastLot] = useState<{ gtin: string; lot: string } | null>(null);
  const { errors, setErrors, sending, submit, clear } = useSupplySubmit<CommissionField>(ORIGIN);
  const blocked = useSigningBlocked();

  const existingLot = lots.data?.lots.find((l) => l.lot === lot.trim());
  const made = useMemo(
    () => (source === 'range' ? serialsOfRange(range) : { serials: serialsOfList(listText) }),
    [source, range, listText],
  );
  const serials = 'serials' in made ? made.serials : [];

  if (products.error) return <ErrorNotice error={products.error} retry={products.reload} />;
  if (!products.data) return <Loading what="your products" />;
  if (products.data.length === 0) {
    return (
      <EmptyState>
        {profile.memberName} has no product registered yet: a lot is commissioned under one of your
        products. <Link to="/supply/products/register">Register a product</Link>.
      </EmptyState>
    );
  }
  const ownGtin = products.data.some((p) => p.gtin === gtin) ? gtin : '';

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const fields: Partial<Record<CommissionField, string>> = {};
    if (ownGtin === '') fields.gtin = 'Choose one of your products.';
    const lotText = lot.trim();
    const lotParsed = Lot.safeParse(lotText);
    if (lotText === '') fields.lot = 'Give the lot (batch) number printed on the packs.';
    else if (!lotParsed.success) fields.lot = sentence(lotParsed.error.issues[0]?.message ?? '');
    const expiryParsed = IsoDate.safeParse(expiry);
    if (expiry === '') fields.expiry = 'Give the expiry date printed on the packs.';
    else if (!expiryParsed.success) {
      fields.expiry = sentence(expiryParsed.error.issues[0]?.message ?? '');
    } else if (existingLot && existingLot.expiry !== expiry) {
      fields.expiry = `Lot ${existingLot.lot} was commissioned with expiry ${existingLot.expiry}: a lot keeps its expiry.`;
    }
    const serialProblem = 'problem' in made ? made.problem : serialsProblem(serials);
    if (serialProblem) fields.serials = serialProblem;
    const ctx = eventContextOf(context);
    if (ctx.errors.when) fields.when = ctx.errors.when;
    if (ctx.errors.where) fields.where = ctx.errors.where;
    if (Object.keys(fields).length > 0) {
      setErrors({ fields, items: {}, form: null });
      return;
    }
    const product = products.data?.find((p) => p.gtin === ownGtin);
    const txId = await submit(
      `Commission ${count(serials.length)} ${serials.length === 1 ? 'unit' : 'units'} of ${product?.name ?? ownGtin} ${product?.strength ?? ''}, lot ${lotText}`.replace(
        / ,/,
        ',',
      ),
      'supply.commission',
      { gtin: ownGtin, lot: lotText, expiry, serials, ...ctx.params },
      {
        fields: FIELDS,
        aliases: { eventTime: 'when', bizLocation: 'where' },
        fieldOfRefusal: (message) => {
          if (/already commissioned|named twice/.test(message)) return 'serials';
          if (/has expiry|expired on/.test(message)) return 'expiry';
          if (/^lot .* is recalled/.test(message)) return 'lot';
          if (/^GTIN|no product/.test(message)) return 'gtin';
          return null;
        },
      },
    );
    if (txId) {
      setLastLot({ gtin: ownGtin, lot: lotText });
      setListText('');
      setRange(source === 'range' ? nextRange(range) : range);
    }
  };

  const e = errors.fields;
  return (
    <form className="card supply-form" onSubmit={(event) => void onSubmit(event)} noValidate>
      <Field id="commission-gtin" label="Product" error={e.gtin}>
        <select
          value={ownGtin}
          disabled={sending}
          onChange={(event) => {
            setGtin(event.currentTarget.value);
            clear('gtin');
          }}
        >
          <option value="">Choose one of your products…</option>
          {products.data.map((p) => (
            <option key={p.gtin} value={p.gtin}>
              {p.name} {p.strength} ({p.gtin})
            </option>
          ))}
        </select>
      </Field>
      <div className="form-row">
        <Field
          id="commission-lot"
          label="Lot"
          hint={
            existingLot
              ? `Lot ${existingLot.lot} exists (${count(existingLot.commissioned)} units, expiry ${existingLot.expiry}): these serials join it.`
              : 'The batch number printed on the packs.'
          }
          error={e.lot}
        >
          <input
            type="text"
            className="input-mono"
            maxLength={20}
            list="commission-lots"
            autoComplete="off"
            value={lot}
            disabled={sending}
            onChange={(event) => {
              const value = event.currentTarget.value;
              setLot(value);
              clear('lot', 'expiry');
              const known = lots.data?.lots.find((l) => l.lot === value.trim());
              if (known) setExpiry(known.expiry);
            }}
          />
        </Field>
        <Field
          id="commission-expiry"
          label="Expiry date"
          hint="As printed on the packs."
          error={e.expiry}
        >
          <input
            type="date"
            value={expiry}
            disabled={sending}
            onChange={(event) => {
              setExpiry(event.currentTarget.value);
              clear('expiry');
            }}
          />
        </Field>
      </div>
      <datalist id="commission-lots">
        {lots.data?.lots.map((l) => (
          <option key={l.lot} value={l.lot} />
        ))}
      </datalist>
      <fieldset className="serials-fieldset" disabled={sending}>
        <legend>Serials</legend>
        <p className="field-hint">
          What is signed is the explicit list of serials, each commissioned once. One transaction
          commissions at most {count(MAX_UNITS_PER_TX)} serials.
        </p>
        <div className="choice" role="radiogroup" aria-label="How to give the serials">
          <label>
            <input
              type="radio"
              name="serial-source"
              checked={source === 'range'}
              onChange={() => {
                setSource('range');
                clear('serials');
              }}
            />
            Generate a range
          </label>
          <label>
            <input
              type="radio"
              name="serial-source"
              checked={source === 'list'}
              onChange={() => {
                setSource('list');
                clear('serials');
              }}
            />
            Paste a list
          </label>
        </div>
        {source === 'range' ? (
          <div className="range-row">
            <Field id="range-prefix" label="Prefix (optional)">
              <input
                type="text"
                className="input-mono"
                maxLength={19}
                value={range.prefix}
                onChange={(event) => {
                  setRange({ ...range, prefix: event.currentTarget.value });
                  clear('serials');
                }}
              />
            </Field>
            <Field id="range-first" label="First number">
              <input
                type="number"
                min={0}
                step={1}
                value={range.first}
                onChange={(event) => {
                  setRange({ ...range, first: event.currentTarget.value });
                  clear('serials');
                }}
              />
            </Field>
            <Field id="range-count" label="How many">
              <input
                type="number"
                min={1}
                max={MAX_UNITS_PER_TX}
                step={1}
                value={range.count}
                onChange={(event) => {
                  setRange({ ...range, count: event.currentTarget.value });
                  clear('serials');
                }}
              />
            </Field>
            <Field id="range-digits" label="Digits">
              <input
                type="number"
                min={1}
                max={20}
                step={1}
                value={range.digits}
                onChange={(event) => {
                  setRange({ ...range, digits: event.currentTarget.value });
                  clear('serials');
                }}
              />
            </Field>
          </div>
        ) : (
          <Field
            id="commission-list"
            label="Serial numbers"
            hint="One per line, or separated by commas or spaces."
          >
            <textarea
              className="input-mono"
              rows={6}
              spellCheck={false}
              value={listText}
              onChange={(event) => {
                setListText(event.currentTarget.value);
                clear('serials');
              }}
            />
          </Field>
        )}
        {source === 'range' && (
          <p className="field-hint">
            Each serial is the prefix, then the number padded with zeros to the digits given (
            {range.prefix}
            {'1'.padStart(Math.min(20, Math.max(1, Number(range.digits) || 1)), '0')} for number 1).
          </p>
        )}
        <p className="serials-preview" aria-live="polite" data-testid="serials-preview">
          {serials.length > 0 ? `To be signed: ${preview(serials)}.` : ''}
        </p>
        {e.serials && (
          <p className="field-error" role="alert" id="commission-serials-error">
            {e.serials}
          </p>
        )}
      </fieldset>
      <EventContextFields
        idPrefix="commission"
        value={context}
        onChange={(value) => {
          setContext(value);
          clear('when', 'where');
        }}
        errors={{ when: e.when, where: e.where }}
        disabled={sending}
      />
      <SubmitRow
        label={serials.length > 0 ? `Commission ${count(serials.length)} serials` : 'Commission'}
        sending={sending}
        error={errors.form}
        blocked={blocked}
      />
      <SubmissionNotice
        origin={ORIGIN}
        result={() =>
          lastLot && (
            <LotLink gtin={lastLot.gtin} lot={lastLot.lot}>
              Open lot {lastLot.lot}
            </LotLink>
          )
        }
      />
    </form>
  );
}

/** The range after one just commissioned: the next numbers, same prefix and size. */
function nextRange(range: Range): Range {
  const first = Number(range.first);
  const n = Number(range.count);
  return Number.isInteger(first) && Number.isInteger(n)
    ? { ...range, first: String(first + n) }
    : range;
}
