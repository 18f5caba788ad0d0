import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { DOSAGE_FORMS, Gtin14, ProductInfo, type DosageForm } from '../../shared/supply/schemas';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { EmptyState } from '../components/States';
import { sentence } from '../components/text';
import {
  SubmissionNotice,
  SubmitRow,
  useSigningBlocked,
  useSupplySubmit,
  type SupplyErrors,
} from './forms';
import { ProductLink } from './links';
import { mayRegisterProducts } from './permissions';
import { DOSAGE_FORM_LABELS } from './words';

const FIELDS = ['gtin', 'name', 'strength', 'dosageForm', 'packSize', 'ndc'] as const;
type RegisterField = (typeof FIELDS)[number];

const ORIGIN = 'supply:register-product';

interface Draft {
  gtin: string;
  name: string;
  strength: string;
  dosageForm: DosageForm | '';
  packSize: string;
  ndc: string;
}

const EMPTY: Draft = { gtin: '', name: '', strength: '', dosageForm: '', packSize: '', ndc: '' };

/** The product as the transaction carries it, or what is wrong with each field. */
function check(draft: Draft) {
  const fields: Partial<Record<RegisterField, string>> = {};
  const gtin = draft.gtin.trim();
  const gtinResult = Gtin14.safeParse(gtin);
  if (gtin === '') fields.gtin = 'Give the product’s GTIN.';
  else if (!gtinResult.success) fields.gtin = sentence(gtinResult.error.issues[0]?.message ?? '');
  if (draft.dosageForm === '') fields.dosageForm = 'Choose the dosage form.';
  const packSize = draft.packSize.trim() === '' ? NaN : Number(draft.packSize);
  if (!Number.isInteger(packSize)) fields.packSize = 'Give the number of units of use in one pack.';
  const product = {
    name: draft.name.trim().normalize('NFC'),
    strength: draft.strength.trim().normalize('NFC'),
    dosageForm: draft.dosageForm,
    packSize,
    ...(draft.ndc.trim() === '' ? {} : { ndc: draft.ndc.trim() }),
  };
  const parsed = ProductInfo.safeParse(product);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (typeof field === 'string' && (FIELDS as readonly string[]).includes(field)) {
        fields[field as RegisterField] ??= sentence(issue.message);
      }
    }
  }
  if (product.name === '') fields.name = 'Give the product’s name.';
  if (product.strength === '') fields.strength = 'Give the strength, e.g. 500 mg or 10 mg/mL.';
  return { gtin, product: parsed.success ? parsed.data : null, fields };
}

function RegisterForm() {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const { errors, setErrors, sending, submit, clear } = useSupplySubmit<RegisterField>(ORIGIN);
  const blocked = useSigningBlocked();
  const set = (change: Partial<Draft>) => {
    setDraft({ ...draft, ...change });
    clear(...(Object.keys(change) as RegisterField[]));
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const { gtin, product, fields } = check(draft);
    if (Object.keys(fields).length > 0 || !product) {
      setErrors({ fields, items: {}, form: null });
      return;
    }
    const txId = await submit(
      `Register ${product.name} ${product.strength} (${gtin})`,
      'supply.products.register',
      { gtin, product },
      {
        fields: FIELDS,
        fieldOfRefusal: (message) =>
          /^GTIN \d+ is already registered/.test(message) ? 'gtin' : null,
      },
    );
    if (txId) setDraft(EMPTY);
  };

  const e: SupplyErrors<RegisterField>['fields'] = errors.fields;
  return (
    <form className="card supply-form" onSubmit={(event) => void onSubmit(event)} noValidate>
      <Field
        id="register-gtin"
        label="GTIN"
        hint="The 14-digit GTIN printed on the pack, check digit included. A GTIN-12 or -13 is written with leading zeros."
        error={e.gtin}
      >
        <input
          type="text"
          className="input-mono"
          inputMode="numeric"
          autoComplete="off"
          value={draft.gtin}
          disabled={sending}
          onChange={(event) => set({ gtin: event.currentTarget.value })}
        />
      </Field>
      <div className="form-row">
        <Field
          id="register-name"
          label="Name"
          hint="As on the label, e.g. Amoxicillin."
          error={e.name}
        >
          <input
            type="text"
            maxLength={120}
            value={draft.name}
            disabled={sending}
            onChange={(event) => set({ name: event.currentTarget.value })}
          />
        </Field>
        <Field
          id="register-strength"
          label="Strength"
          hint="e.g. 500 mg, 10 mg/mL."
          error={e.strength}
        >
          <input
            type="text"
            maxLength={40}
            value={draft.strength}
            disabled={sending}
            onChange={(event) => set({ strength: event.currentTarget.value })}
          />
        </Field>
      </div>
      <div className="form-row">
        <Field id="register-form" label="Dosage form" error={e.dosageForm}>
          <select
            value={draft.dosageForm}
            disabled={sending}
            onChange={(event) => set({ dosageForm: event.currentTarget.value as DosageForm | '' })}
          >
            <option value="">Choose…</option>
            {DOSAGE_FORMS.map((form) => (
              <option key={form} value={form}>
                {DOSAGE_FORM_LABELS[form]}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="register-pack"
          label="Pack size"
          hint="Units of use in one saleable pack (tablets in a bottle, vials in a box)."
          error={e.packSize}
        >
          <input
            type="number"
            min={1}
            max={100000}
            step={1}
            value={draft.packSize}
            disabled={sending}
            onChange={(event) => set({ packSize: event.currentTarget.value })}
          />
        </Field>
      </div>
      <Field
        id="register-ndc"
        label="NDC (optional)"
        hint="The US National Drug Code, 11 digits as 5-4-2 with dashes, e.g. 12345-0678-01."
        error={e.ndc}
      >
        <input
          type="text"
          className="input-mono"
          autoComplete="off"
          value={draft.ndc}
          disabled={sending}
          onChange={(event) => set({ ndc: event.currentTarget.value })}
        />
      </Field>
      <SubmitRow label="Register product" sending={sending} error={errors.form} blocked={blocked} />
      <SubmissionNotice
        origin={ORIGIN}
        result={(s) => {
          const gtin = /\((\d{14})\)$/.exec(s.title)?.[1];
          return gtin ? <ProductLink gtin={gtin}>Open the product</ProductLink> : null;
        }}
      />
    </form>
  );
}

/** `#/supply/products/register`: a manufacturer registers a product under its GTIN. */
export function RegisterProductPage() {
  const profile = useProfile();
  const back = <Link to="/supply/products">← Products</Link>;
  return (
    <Page title="Register a product" back={back}>
      {mayRegisterProducts(profile.kind) ? (
        <>
          <p className="lede">
            The product is registered to {profile.memberName}: only you commission its serials, and
            only you (or a regulator) recall it.
          </p>
          <RegisterForm />
        </>
      ) : (
        <EmptyState>
          Only a manufacturer registers products. {profile.memberName} is a{' '}
          {profile.kind ?? 'member of another chain'}.
        </EmptyState>
      )}
    </Page>
  );
}
