import { useState, type FormEvent } from 'react';
import type { z } from 'zod';
import type { Gs1Data } from '../../shared/supply/gs1';
import { RECORDED_CONTEXTS, type VerificationView } from '../../shared/rpc/supply';
import {
  Gtin14,
  IsoDate,
  Lot,
  Serial,
  VERIFICATION_CONTEXTS,
  type VerificationContext,
} from '../../shared/supply/schemas';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { Spinner } from '../components/States';
import { absoluteTime } from '../components/Time';
import { sentence } from '../components/text';
import { asRpcError } from '../rpc/rpc-response';
import { rpc } from '../rpc/client';
import { useMembersById } from '../stores/members-store';
import { useSupplySubmissionsStore } from '../stores/supply-submissions';
import {
  noErrors,
  placeErrors,
  SubmissionNotice,
  useSigningBlocked,
  type SupplyErrors,
} from './forms';
import { BlockLink, MemberName, RecallLink, TxLink, UnitLink, UnitStatusBadge } from './links';
import { ScanBox } from './ScanBox';
import {
  VERIFICATION_CONTEXT_HINTS,
  VERIFICATION_CONTEXT_LABELS,
  VERIFICATION_FAILURE_TEXT,
  VERIFICATION_INFO_TEXT,
} from './words';

const FIELDS = ['gtin', 'serial', 'lot', 'expiry', 'context'] as const;
type VerifyField = (typeof FIELDS)[number];

const ORIGIN = 'supply:verify';

export interface VerifyPrefill {
  gtin?: string | undefined;
  serial?: string | undefined;
  lot?: string | undefined;
  expiry?: string | undefined;
  context?: VerificationContext | undefined;
}

interface Identifier {
  gtin: string;
  serial: string;
  lot: string;
  expiry: string;
}

function problemOf(schema: z.ZodType<string>, value: string, missing: string): string | null {
  if (value === '') return missing;
  const parsed = schema.safeParse(value);
  return parsed.success ? null : sentence(parsed.error.issues[0]?.message ?? 'not valid');
}

function Verdict({ answer, asked }: { answer: VerificationView; asked: Identifier }) {
  const failure = answer.failure ? VERIFICATION_FAILURE_TEXT[answer.failure] : null;
  return (
    <section
      className={`verdict ${!answer.verified ? 'verdict-bad' : answer.info.length > 0 ? 'verdict-warn' : 'verdict-ok'}`}
      aria-labelledby="verdict-word"
      data-testid="verdict"
    >
      <p className="verdict-word" id="verdict-word">
        {answer.verified ? 'Verified ✓' : 'Not verified ✗'}
      </p>
      <p className="verdict-asked">
        GTIN <code>{asked.gtin}</code> · serial <code>{asked.serial}</code> · lot{' '}
        <code>{asked.lot}</code> · expiry <code>{asked.expiry}</code>
      </p>
      {failure && answer.failure && (
        <div className="verdict-reason">
          <p className="verdict-title">{failure.title}</p>
          <p>{failure.meaning}</p>
          <p className="muted">
            Failure reason (GS1 Lightweight Messaging Standard): <code>{answer.failure}</code>
          </p>
        </div>
      )}
      {answer.verified && answer.info.length === 0 && (
        <p>
          This package was commissioned by its manufacturer with this lot and expiry, and the ledger
          knows nothing against it.
        </p>
      )}
      {answer.info.length > 0 && (
        <div className="verdict-info">
          <p className="verdict-title">
            {answer.verified
              ? 'The identifier is genuine, but do not dispense or resell it:'
              : 'Also'}
          </p>
          <ul>
            {answer.info.map((code) => (
              <li key={code}>
                {VERIFICATION_INFO_TEXT[code]} <code className="muted">{code}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function LedgerFacts({ answer, asked }: { answer: VerificationView; asked: Identifier }) {
  const ledger = answer.ledger;
  return (
    <section className="card" aria-labelledby="ledger-knows">
      <h2 id="ledger-knows">What the ledger knows</h2>
      {ledger ? (
        <dl className="facts">
          <dt>Unit</dt>
          <dd>
            <UnitLink gtin={asked.gtin} serial={asked.serial}>
              Open its provenance
            </UnitLink>
          </dd>
          <dt>Status</dt>
          <dd>
            <UnitStatusBadge status={ledger.status} />
          </dd>
          <dt>Custodian</dt>
          <dd>
            <MemberName id={ledger.custodian} name={ledger.custodianName} />
          </dd>
          <dt>Recall</dt>
          <dd>
            {ledger.recall ? (
              <RecallLink id={ledger.recall}>Under recall</RecallLink>
            ) : (
              <span className="muted">None</span>
            )}
          </dd>
          <dt>Quarantine</dt>
          <dd>
            {ledger.quarantine ? (
              <RecallLink id={ledger.quarantine}>Quarantined</RecallLink>
            ) : (
              <span className="muted">None</span>
            )}
          </dd>
        </dl>
      ) : (
        <p>No unit with this GTIN and serial number was ever commissioned on this chain.</p>
      )}
      <p className="section-note">
        As of <BlockLink height={answer.asOfHeight} />, with what is waiting for the next block.
      </p>
    </section>
  );
}

function Evidence({ answer }: { answer: VerificationView }) {
  return (
    <section className="card" aria-labelledby="evidence">
      <h2 id="evidence">Evidence</h2>
      {answer.evidence.length === 0 ? (
        <p className="muted">
          Nothing on chain decides this answer: no transaction ever named this unit.
        </p>
      ) : (
        <>
          <p className="muted">
            The transactions that decide the answer, each proven to be in its block by its Merkle
            inclusion proof against the block’s transaction root.
          </p>
          <ul className="evidence-list">
            {answer.evidence.map((e) => (
              <li key={e.txId}>
                <p className="evidence-summary">{e.summary}</p>
                <p className="muted">
                  <BlockLink height={e.height} />, {absoluteTime(e.blockTime)} ·{' '}
                  <TxLink id={e.txId}>transaction</TxLink>
                </p>
                <p className={e.proofValid ? 'check check-ok' : 'check check-bad'}>
                  {e.proofValid ? 'Inclusion proof verified ✓' : 'Inclusion proof does not hold ✗'}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** `#/supply/verify`: DSCSA verification of a product identifier, with its evidence. */
export function VerifyPage({ prefill }: { prefill: VerifyPrefill }) {
  const profile = useProfile();
  const members = useMembersById();
  const blocked = useSigningBlocked();
  const track = useSupplySubmissionsStore((state) => state.track);
  const dismiss = useSupplySubmissionsStore((state) => state.dismiss);
  const [id, setId] = useState<Identifier>({
    gtin: prefill.gtin ?? '',
    serial: prefill.serial ?? '',
    lot: prefill.lot ?? '',
    expiry: prefill.expiry ?? '',
  });
  const [context, setContext] = useState<VerificationContext>(prefill.context ?? 'status-check');
  const [scanNote, setScanNote] = useState<string | null>(null);
  const [errors, setErrors] = useState<SupplyErrors<VerifyField>>(noErrors());
  const [sending, setSending] = useState(false);
  const [answer, setAnswer] = useState<{ view: VerificationView; asked: Identifier } | null>(null);
  const recorded = RECORDED_CONTEXTS.includes(context);

  const onScan = (data: Gs1Data): string | null => {
    if (!data.gtin || !data.serial) {
      return 'Scan the 2D code of one package: it carries the GTIN and serial number.';
    }
    setId({
      gtin: data.gtin,
      serial: data.serial,
      lot: data.lot ?? '',
      expiry: data.expiry ?? '',
    });
    const missing = [!data.lot && 'lot', !data.expiry && 'expiry date'].filter(Boolean);
    setScanNote(
      missing.length > 0
        ? `The code carries no ${missing.join(' or ')}: type it from the package.`
        : null,
    );
    setErrors(noErrors());
    return null;
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const asked: Identifier = {
      gtin: id.gtin.trim(),
      serial: id.serial.trim(),
      lot: id.lot.trim(),
      expiry: id.expiry,
    };
    const fields: Partial<Record<VerifyField, string>> = {};
    const gtin = problemOf(Gtin14, asked.gtin, 'Give the GTIN from the package.');
    const serial = problemOf(Serial, asked.serial, 'Give the serial number from the package.');
    const lot = problemOf(Lot, asked.lot, 'Give the lot from the package.');
    const expiry = problemOf(IsoDate, asked.expiry, 'Give the expiry date from the package.');
    if (gtin) fields.gtin = gtin;
    if (serial) fields.serial = serial;
    if (lot) fields.lot = lot;
    if (expiry) fields.expiry = expiry;
    if (Object.keys(fields).length > 0) {
      setErrors({ fields, items: {}, form: null });
      return;
    }
    setSending(true);
    setErrors(noErrors());
    dismiss(ORIGIN);
    try {
      const view = await rpc().call('supply.verify', { ...asked, context });
      setAnswer({ view, asked });
      if (view.txId) {
        track(
          ORIGIN,
          `Verification of ${asked.gtin} serial ${asked.serial} (${VERIFICATION_CONTEXT_LABELS[context].toLowerCase()})`,
          'supply.verify',
          view.txId,
        );
      }
    } catch (failure) {
      setAnswer(null);
      setErrors(placeErrors(asRpcError(failure), { fields: FIELDS }, members));
    } finally {
      setSending(false);
    }
  };

  const e = errors.fields;
  const set = (change: Partial<Identifier>) => {
    setId({ ...id, ...change });
    const changed = Object.keys(change) as VerifyField[];
    if (changed.some((f) => errors.fields[f] !== undefined)) {
      const fields = { ...errors.fields };
      for (const f of changed) delete fields[f];
      setErrors({ ...errors, fields });
    }
  };
  return (
    <Page title="Verify a product identifier">
      <p className="lede">
        Is this package what its label says? Scan its 2D code or type what is printed on it; the
        answer comes from the chain, with the transactions that prove it.
      </p>
      <div className="verify-layout">
        <form
          className="card supply-form"
          aria-label="Product identifier"
          onSubmit={(event) => void onSubmit(event)}
          noValidate
        >
          <ScanBox
            label="Scan the package"
            hint="The 2D code carries GTIN, serial, lot and expiry; Enter fills the fields below."
            onScan={onScan}
            enterAction="fill the fields below"
            disabled={sending}
          />
          {scanNote && <p className="notice notice-info">{scanNote}</p>}
          <div className="form-row">
            <Field id="verify-gtin" label="GTIN" error={e.gtin}>
              <input
                type="text"
                className="input-mono"
                inputMode="numeric"
                autoComplete="off"
                value={id.gtin}
                disabled={sending}
                onChange={(event) => set({ gtin: event.currentTarget.value })}
              />
            </Field>
            <Field id="verify-serial" label="Serial number" error={e.serial}>
              <input
                type="text"
                className="input-mono"
                autoComplete="off"
                value={id.serial}
                disabled={sending}
                onChange={(event) => set({ serial: event.currentTarget.value })}
              />
            </Field>
          </div>
          <div className="form-row">
            <Field id="verify-lot" label="Lot" error={e.lot}>
              <input
                type="text"
                className="input-mono"
                autoComplete="off"
                value={id.lot}
                disabled={sending}
                onChange={(event) => set({ lot: event.currentTarget.value })}
              />
            </Field>
            <Field id="verify-expiry" label="Expiry date" error={e.expiry}>
              <input
                type="date"
                value={id.expiry}
                disabled={sending}
                onChange={(event) => set({ expiry: event.currentTarget.value })}
              />
            </Field>
          </div>
          <Field
            id="verify-context"
            label="Why you are verifying"
            hint={VERIFICATION_CONTEXT_HINTS[context]}
            error={e.context}
          >
            <select
              value={context}
              disabled={sending}
              onChange={(event) => setContext(event.currentTarget.value as VerificationContext)}
            >
              {VERIFICATION_CONTEXTS.map((c) => (
                <option key={c} value={c}>
                  {VERIFICATION_CONTEXT_LABELS[c]}
                </option>
              ))}
            </select>
          </Field>
          <div className="form-actions">
            <button
              type="submit"
              className="button-primary"
              disabled={sending || (recorded && blocked !== null)}
            >
              {sending ? 'Verifying…' : recorded ? 'Verify and record' : 'Verify'}
            </button>
            {sending && <Spinner />}
          </div>
          {recorded && blocked && <p className="action-blocked">{blocked}</p>}
          {recorded && !blocked && (
            <p className="muted">
              Recorded on chain as {profile.memberName}’s verification: the manufacturer sees who
              asked, and a failure raises an alert.
            </p>
          )}
          {errors.form && (
            <p className="form-error" role="alert">
              {errors.form}
            </p>
          )}
        </form>
        {answer ? (
          <div className="verify-answer" aria-live="polite">
            <Verdict answer={answer.view} asked={answer.asked} />
            {answer.view.txId ? (
              <SubmissionNotice origin={ORIGIN} />
            ) : (
              <p className="muted">
                A status check only looks the package up: nothing was recorded on chain.
              </p>
            )}
            <LedgerFacts answer={answer.view} asked={answer.asked} />
            <Evidence answer={answer.view} />
          </div>
        ) : (
          <div className="verify-answer verify-empty">
            <p className="muted">The answer shows here.</p>
          </div>
        )}
      </div>
    </Page>
  );
}
