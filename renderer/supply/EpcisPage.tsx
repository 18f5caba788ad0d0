import { useEffect, useState, type FormEvent } from 'react';
import { RpcError } from '../../shared/rpc/contract';
import { MAX_EPCIS_CHARS } from '../../shared/rpc/supply';
import { Gtin14, Lot, Serial } from '../../shared/supply/schemas';
import { onBlocks } from '../app/on-block';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Page } from '../components/Page';
import { Spinner } from '../components/States';
import { sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { useSigningBlocked } from './forms';
import { TxLink } from './links';
import { Progress } from './Progress';

/** One refused event of a document, as the node reports it (`eventList.<index>.<field>`). */
interface EventProblem {
  index: number | null;
  field: string;
  reason: string;
}

function problemsOf(error: RpcError): EventProblem[] {
  return (error.issues ?? []).map((issue) => {
    const match = /^eventList\.(\d+)(?:\.(.*))?$/.exec(issue.path);
    return match
      ? { index: Number(match[1]), field: match[2] ?? '', reason: issue.message }
      : { index: null, field: issue.path, reason: issue.message };
  });
}

type ImportState =
  | { step: 'idle' }
  | { step: 'reading' | 'checking' | 'signing' }
  | { step: 'checked'; events: number; transactions: number; notes: EventProblem[] }
  | { step: 'refused'; message: string; problems: EventProblem[] }
  | { step: 'importing'; events: number; txIds: string[]; committed: string[] };

/** Waits for the imported transactions' blocks: the bar fills as each commits. */
function useCommitted(state: ImportState, setState: (s: ImportState) => void): void {
  useEffect(() => {
    if (state.step !== 'importing') return;
    let live = true;
    const check = async () => {
      const committed: string[] = [];
      for (const id of state.txIds) {
        try {
          await rpc().call('txs.get', { id });
          committed.push(id);
        } catch (error) {
          if (asRpcError(error).code !== 'not_found') throw error;
        }
      }
      if (live && committed.length !== state.committed.length) setState({ ...state, committed });
    };
    void check();
    const off = onBlocks(() => void check());
    return () => {
      live = false;
      off();
    };
  }, [state, setState]);
}

function ProblemTable({ problems }: { problems: EventProblem[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="epcis-problems">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Field</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((p, i) => (
            <tr key={`${p.index}-${p.field}-${i}`}>
              <td>{p.index === null ? 'the document' : `#${p.index}`}</td>
              <td>
                <code>{p.field || '—'}</code>
              </td>
              <td>{sentence(p.reason)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImportSection() {
  const blocked = useSigningBlocked();
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [state, setState] = useState<ImportState>({ step: 'idle' });
  useCommitted(state, setState);
  const busy = state.step === 'reading' || state.step === 'checking' || state.step === 'signing';

  const run = async (dryRun: boolean) => {
    if (!file) {
      setFileError('Choose an EPCIS 2.0 JSON-LD document.');
      return;
    }
    if (file.size > MAX_EPCIS_CHARS) {
      setFileError(`The file is over ${MAX_EPCIS_CHARS / 1024 / 1024} MiB.`);
      return;
    }
    setFileError(null);
    setState({ step: 'reading' });
    let document: string;
    try {
      document = await file.text();
    } catch {
      setState({ step: 'idle' });
      setFileError('The file could not be read.');
      return;
    }
    setState({ step: dryRun ? 'checking' : 'signing' });
    try {
      const result = await rpc().call('supply.epcis.import', { document, dryRun });
      const notes = result.notes.map((n) => ({ index: n.index, field: n.field, reason: n.reason }));
      setState(
        dryRun
          ? { step: 'checked', events: result.events, transactions: result.transactions, notes }
          : { step: 'importing', events: result.events, txIds: result.txIds, committed: [] },
      );
    } catch (error) {
      const rpcError = asRpcError(error);
      const problems = problemsOf(rpcError);
      if (
        problems.length === 1 &&
        problems[0]?.index === null &&
        problems[0].field === 'document'
      ) {
        setState({ step: 'idle' });
        setFileError(sentence(problems[0].reason));
        return;
      }
      setState({ step: 'refused', message: rpcError.message, problems });
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void run(false);
  };

  return (
    <section className="card detail-wide" aria-labelledby="epcis-import-heading">
      <h2 id="epcis-import-heading">Import an EPCIS document</h2>
      <p className="muted">
        Each event of the document becomes one of your member&apos;s supply transactions, signed
        here: commissioning, packing and unpacking, shipping, receiving, dispensing, decommissioning
        and destruction. All or nothing: a document with one event that cannot be recorded records
        none, and says which and why.
      </p>
      <form className="supply-form" onSubmit={onSubmit} noValidate>
        <Field
          id="epcis-file"
          label="EPCIS 2.0 document (JSON-LD)"
          hint="A .json or .jsonld file, at most 24 MiB."
          error={fileError}
        >
          <input
            type="file"
            accept=".json,.jsonld,application/json,application/ld+json"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setFileError(null);
              setState({ step: 'idle' });
            }}
          />
        </Field>
        <div className="form-actions">
          <button
            type="button"
            className="button-secondary"
            disabled={busy}
            onClick={() => void run(true)}
          >
            Check only
          </button>
          <button type="submit" className="button-primary" disabled={busy || blocked !== null}>
            Import and sign
          </button>
          {busy && <Spinner />}
        </div>
        {blocked && <p className="action-blocked">{blocked}</p>}
      </form>
      <div role="status" aria-live="polite" data-testid="epcis-import-result">
        {state.step === 'checked' && (
          <p className="notice notice-info">
            The document checks out: {state.events} event{state.events === 1 ? '' : 's'} would be
            recorded as {state.transactions} transaction{state.transactions === 1 ? '' : 's'}.
          </p>
        )}
        {state.step === 'refused' && (
          <>
            <p className="notice notice-error" role="alert">
              <span>
                <strong>{sentence(state.message)}</strong> Nothing was signed or written.
              </span>
            </p>
            {state.problems.length > 0 && <ProblemTable problems={state.problems} />}
          </>
        )}
        {state.step === 'importing' && (
          <div className="notice notice-info">
            <p>
              Signed {state.txIds.length} transaction{state.txIds.length === 1 ? '' : 's'} for{' '}
              {state.events} event{state.events === 1 ? '' : 's'}.
            </p>
            <Progress
              value={state.committed.length}
              max={state.txIds.length}
              label={`${state.committed.length} of ${state.txIds.length} recorded in a block`}
            />
            <ul className="key-list">
              {state.txIds.map((id) => (
                <li key={id}>
                  <TxLink id={id} />{' '}
                  {state.committed.includes(id) ? '✓ recorded' : 'waiting for a block'}
                </li>
              ))}
            </ul>
          </div>
        )}
        {(state.step === 'checked' || state.step === 'importing') &&
          'notes' in state &&
          state.notes.length > 0 && <ProblemTable problems={state.notes} />}
      </div>
    </section>
  );
}

type ScopeKind = 'unit' | 'lot' | 'shipment' | 'member';

function ExportSection() {
  const profile = useProfile();
  const [kind, setKind] = useState<ScopeKind>('member');
  const [gtin, setGtin] = useState('');
  const [second, setSecond] = useState('');
  const [id, setId] = useState(profile.memberId);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState<{
    url: string;
    name: string;
    events: number;
    truncated: boolean;
  } | null>(null);

  useEffect(
    () => () => {
      if (done) URL.revokeObjectURL(done.url);
    },
    [done],
  );

  const scope = () => {
    const check = (schema: typeof Gtin14, value: string, what: string) => {
      const parsed = schema.safeParse(value.trim());
      if (!parsed.success)
        throw new Error(`${what}: ${parsed.error.issues[0]?.message ?? 'not valid'}`);
      return parsed.data;
    };
    switch (kind) {
      case 'unit':
        return { kind, gtin: check(Gtin14, gtin, 'GTIN'), serial: check(Serial, second, 'Serial') };
      case 'lot':
        return { kind, gtin: check(Gtin14, gtin, 'GTIN'), lot: check(Lot, second, 'Lot') };
      case 'shipment':
        if (!/^[0-9a-f]{64}$/.test(id.trim()))
          throw new Error('A shipment is named by its 64-digit transaction id');
        return { kind, id: id.trim() };
      case 'member':
        return { kind, member: id.trim() };
    }
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    let chosen;
    try {
      chosen = scope();
    } catch (e) {
      setError(sentence((e as Error).message));
      return;
    }
    setError(null);
    setSending(true);
    try {
      const result = await rpc().call('supply.epcis.export', { scope: chosen });
      const url = URL.createObjectURL(new Blob([result.document], { type: 'application/ld+json' }));
      setDone({
        url,
        name: `epcis-${kind}.jsonld`,
        events: result.events,
        truncated: result.truncated,
      });
    } catch (e) {
      setError(sentence(asRpcError(e).message));
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="card detail-wide" aria-labelledby="epcis-export-heading">
      <h2 id="epcis-export-heading">Export as EPCIS</h2>
      <p className="muted">
        An EPCIS 2.0 document of the events recorded on the chain, each with its GS1 event hash as
        its event ID and a link back to its transaction.
      </p>
      <form className="supply-form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <Field id="epcis-scope" label="Events of">
          <select value={kind} onChange={(e) => setKind(e.target.value as ScopeKind)}>
            <option value="member">a member (its newest 5,000)</option>
            <option value="unit">a unit</option>
            <option value="lot">a lot</option>
            <option value="shipment">a shipment</option>
          </select>
        </Field>
        {(kind === 'unit' || kind === 'lot') && (
          <div className="field-row">
            <Field id="epcis-gtin" label="GTIN">
              <input
                type="text"
                value={gtin}
                onChange={(e) => setGtin(e.target.value)}
                inputMode="numeric"
              />
            </Field>
            <Field id="epcis-second" label={kind === 'unit' ? 'Serial' : 'Lot'}>
              <input type="text" value={second} onChange={(e) => setSecond(e.target.value)} />
            </Field>
          </div>
        )}
        {(kind === 'shipment' || kind === 'member') && (
          <Field
            id="epcis-id"
            label={kind === 'shipment' ? 'Shipment (transaction id)' : 'Member id'}
          >
            <input type="text" value={id} onChange={(e) => setId(e.target.value)} />
          </Field>
        )}
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={sending}>
            Export
          </button>
          {sending && <Spinner />}
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </form>
      {done && (
        <p className="notice notice-info" role="status" data-testid="epcis-export-result">
          {done.events} event{done.events === 1 ? '' : 's'} exported
          {done.truncated ? ' (the newest 5,000 transactions; older ones were left out)' : ''}.{' '}
          <a href={done.url} download={done.name}>
            Download {done.name}
          </a>
        </p>
      )}
    </section>
  );
}

/** EPCIS 2.0 documents in (as this member's signed events) and out (of any unit, lot, shipment or member). */
export function EpcisPage() {
  return (
    <Page title="EPCIS import and export">
      <div className="detail-grid">
        <ImportSection />
        <ExportSection />
      </div>
    </Page>
  );
}
