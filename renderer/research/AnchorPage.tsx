import { Link } from '@tanstack/react-router';
import { useEffect, useState, type FormEvent } from 'react';
import { describeResearchTx, shortStudy } from '../../shared/research/describe';
import {
  DOCUMENT_KINDS,
  KIND_NAMES,
  MAX_VERSION,
  type DocumentKind,
} from '../../shared/research/schemas';
import { registryIdProblem } from '../../shared/research/study-id';
import type { RpcError } from '../../shared/rpc/contract';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Hex } from '../components/Hex';
import { Page } from '../components/Page';
import { Spinner } from '../components/States';
import { sentence } from '../components/text';
import { asRpcError } from '../rpc/rpc-response';
import { useResearchQuery, useResearchStore } from '../stores/research-store';
import { blockedActionText, useWriteBlock } from '../stores/write-block';
import { FileDrop, type HashedFile } from './FileDrop';
import { studySha256 } from './hash';
import { StudyLink } from './links';
import { KIND_HINTS, KIND_LABELS } from './words';

type AnchorField = 'file' | 'study' | 'kind' | 'version' | 'protocolVersion';
type Errors = { fields: Partial<Record<AnchorField, string>>; form: string | null };
const NO_ERRORS: Errors = { fields: {}, form: null };

/** Where the node's refusal belongs: the field the user would change. */
function fieldOfRefusal(message: string): AnchorField | null {
  if (/already anchored in this study/.test(message)) return 'file';
  if (/of the protocol of this study is not anchored/.test(message)) return 'protocolVersion';
  if (/^version \d+ of the .* is already anchored|^the next version/.test(message))
    return 'version';
  if (/sponsor of this study/.test(message)) return 'study';
  return null;
}

function placed(error: RpcError): Errors {
  if (error.code === 'bad_request' && error.issues?.length) {
    const fields: Errors['fields'] = {};
    const rest: string[] = [];
    for (const issue of error.issues) {
      const name = issue.path === 'hash' ? 'file' : issue.path;
      if (['study', 'kind', 'version', 'protocolVersion', 'file'].includes(name))
        fields[name as AnchorField] ??= sentence(issue.message);
      else rest.push(sentence(issue.message));
    }
    return { fields, form: rest.length > 0 ? rest.join(' ') : null };
  }
  const field = error.code === 'rejected' ? fieldOfRefusal(error.message) : null;
  if (field) return { fields: { [field]: sentence(error.message) }, form: null };
  return { fields: {}, form: `Nothing was signed: ${sentence(error.message)}` };
}

/** The study the form names: from a registry id typed here, or from the study page's link. */
function useStudyHash(registryId: string, fromLink: string | undefined): string | null {
  const valid = registryId.trim() !== '' && registryIdProblem(registryId) === null;
  const [hashed, setHashed] = useState<{ of: string; hash: string } | null>(null);
  useEffect(() => {
    if (!valid) return;
    let current = true;
    void studySha256(registryId).then((hash) => {
      if (current) setHashed({ of: registryId, hash });
    });
    return () => {
      current = false;
    };
  }, [registryId, valid]);
  if (registryId.trim() === '') return fromLink ?? null;
  return valid && hashed?.of === registryId ? hashed.hash : null;
}

function AnchorNotice() {
  const latest = useResearchStore((state) => state.latest);
  const dismiss = useResearchStore((state) => state.dismiss);
  if (!latest) return <div role="status" aria-live="polite" className="submission-slot" />;
  const close = (
    <button type="button" className="button-secondary button-small" onClick={dismiss}>
      Dismiss
    </button>
  );
  return (
    <div role="status" aria-live="polite" className="submission-slot">
      {latest.state === 'pending' && (
        <div className="notice notice-info submission" data-testid="anchor-pending">
          <p>
            <Spinner /> Signed and sent: <strong>{latest.title}</strong>. It is anchored when the
            next block commits.
          </p>
        </div>
      )}
      {latest.state === 'committed' && (
        <div className="notice notice-success submission" data-testid="anchor-committed">
          <p>
            Anchored in{' '}
            <Link to="/blocks/$height" params={{ height: latest.height }}>
              block {latest.height}
            </Link>
            : <strong>{latest.title}</strong> ·{' '}
            <Link to="/tx/$id" params={{ id: latest.txId }}>
              Transaction
            </Link>{' '}
            · <StudyLink study={latest.study}>Open the study</StudyLink>
          </p>
          {close}
        </div>
      )}
      {latest.state === 'refused' && (
        <div className="notice notice-error submission" data-testid="anchor-refused">
          <p>
            {latest.title}: the node kept it out of its block. {sentence(latest.reason)}
          </p>
          {close}
        </div>
      )}
    </div>
  );
}

/** `#/research/anchor?study=<hash>`: anchor the SHA-256 of a study's document. */
export function AnchorPage({ study: fromLink }: { study?: string | undefined }) {
  const profile = useProfile();
  const anchor = useResearchStore((state) => state.anchor);
  const dismiss = useResearchStore((state) => state.dismiss);
  const block = useWriteBlock();
  const blocked = block ? blockedActionText(block, 'Anchoring') : null;
  const [file, setFile] = useState<HashedFile | null>(null);
  const [registryId, setRegistryId] = useState('');
  const [kind, setKind] = useState<DocumentKind>('protocol');
  const [version, setVersion] = useState<string | null>(null);
  const [protocolVersion, setProtocolVersion] = useState<string | null>(null);
  const [errors, setErrors] = useState<Errors>(NO_ERRORS);
  const [sending, setSending] = useState(false);
  /** Counts anchors signed here: the file drop starts empty after each. */
  const [signed, setSigned] = useState(0);

  const study = useStudyHash(registryId, fromLink);
  const known = useResearchQuery('research.study', study ? { study } : null);
  const isNew = known.error?.code === 'not_found';
  const record = isNew ? null : known.data?.study.study === study ? known.data.study : null;
  const looking = study !== null && !isNew && record === null && !known.error;
  const next = (record?.versions[kind] ?? 0) + 1;
  const protocols = record?.versions.protocol ?? 0;
  const shownVersion = version ?? String(next);
  const shownProtocol = protocolVersion ?? (protocols > 0 ? String(protocols) : '');
  const notSponsor = record !== null && record.sponsor !== profile.memberId;

  const clear = (...fields: AnchorField[]) =>
    setErrors((current) => {
      const rest = { ...current.fields };
      for (const f of fields) delete rest[f];
      return { fields: rest, form: current.form };
    });

  const check = (): Errors['fields'] => {
    const fields: Errors['fields'] = {};
    if (!file) fields.file = 'Choose the file to anchor.';
    const idProblem = registryId.trim() === '' && fromLink ? null : registryIdProblem(registryId);
    if (idProblem) fields.study = sentence(idProblem);
    else if (notSponsor)
      fields.study = `Only the study’s sponsor, ${record?.sponsorName}, anchors its documents.`;
    const n = Number(shownVersion);
    if (!Number.isInteger(n) || n < 1 || n > MAX_VERSION)
      fields.version = `Give a whole number from 1 to ${MAX_VERSION}.`;
    else if (!looking && n !== next)
      fields.version = `The next version of the ${KIND_NAMES[kind]} of this study is ${next}.`;
    if (kind !== 'protocol' && !looking && protocols === 0)
      fields.protocolVersion = `Anchor the protocol of this study first: the ${KIND_NAMES[kind]} belongs to a protocol version.`;
    return fields;
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const fields = check();
    if (Object.keys(fields).length > 0 || !file || !study) {
      setErrors({ fields, form: null });
      return;
    }
    const params = {
      study,
      kind,
      version: Number(shownVersion),
      hash: file.hash,
      ...(kind === 'protocol' ? {} : { protocolVersion: Number(shownProtocol) }),
    };
    setSending(true);
    setErrors(NO_ERRORS);
    dismiss();
    try {
      await anchor(describeResearchTx(params), params);
      setVersion(null);
      setFile(null);
      setSigned((n) => n + 1);
    } catch (failure) {
      setErrors(placed(asRpcError(failure)));
    } finally {
      setSending(false);
    }
  };

  const e = errors.fields;
  return (
    <Page title="Anchor a file">
      <p className="lede">
        Put a study’s document on record: its SHA-256 is signed as {profile.memberName}’s and
        committed in a block, so anyone can later check that a file is the one anchored, and when.
        The first anchor of a study makes you its sponsor.
      </p>
      <form
        className="card research-form"
        aria-label="Document to anchor"
        onSubmit={(event) => void onSubmit(event)}
        noValidate
      >
        <FileDrop
          key={signed}
          id="anchor-file"
          label="Document"
          purpose="it is what your member signs"
          disabled={sending}
          error={e.file}
          onHashed={(hashed) => {
            setFile(hashed);
            clear('file');
          }}
        />
        <Field
          id="anchor-study"
          label="Study registry id"
          hint={
            fromLink && registryId.trim() === ''
              ? `Study ${shortStudy(fromLink)}, from its page. Type its registry id to anchor for another study.`
              : 'As registered, e.g. NCT01234567, ISRCTN12345678 or an EU CT number. It is hashed here: only its SHA-256 goes on chain.'
          }
          error={e.study}
        >
          <input
            type="text"
            className="input-mono"
            autoComplete="off"
            spellCheck={false}
            maxLength={80}
            value={registryId}
            disabled={sending}
            onChange={(event) => {
              setRegistryId(event.currentTarget.value);
              setVersion(null);
              clear('study', 'version', 'protocolVersion');
            }}
          />
        </Field>
        <div className="study-status" aria-live="polite" data-testid="anchor-study-status">
          {study && (
            <>
              <p>
                Study hash <Hex value={study} label="Copy the study hash" short />
              </p>
              {looking && <p className="muted">Looking the study up…</p>}
              {isNew && (
                <p className="muted">
                  Not on chain yet: anchoring its protocol v1 makes {profile.memberName} its
                  sponsor.
                </p>
              )}
              {record && (
                <p className={notSponsor ? 'field-error' : 'muted'}>
                  <StudyLink study={record.study}>On chain</StudyLink>: sponsored by{' '}
                  {record.sponsorName}
                  {notSponsor ? ', who alone anchors its documents' : ''}; {record.anchors} document
                  {record.anchors === 1 ? '' : 's'} anchored.
                </p>
              )}
            </>
          )}
        </div>
        <div className="form-row">
          <Field id="anchor-kind" label="Kind of document" hint={KIND_HINTS[kind]} error={e.kind}>
            <select
              value={kind}
              disabled={sending}
              onChange={(event) => {
                setKind(event.currentTarget.value as DocumentKind);
                setVersion(null);
                clear('kind', 'version', 'protocolVersion');
              }}
            >
              {DOCUMENT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id="anchor-version"
            label="Version"
            hint={
              study && !looking
                ? `The next version of the ${KIND_NAMES[kind]} of this study is ${next}.`
                : 'Versions of each kind go 1, 2, 3…'
            }
            error={e.version}
          >
            <input
              type="number"
              min={1}
              max={MAX_VERSION}
              step={1}
              value={shownVersion}
              disabled={sending}
              onChange={(event) => {
                setVersion(event.currentTarget.value);
                clear('version');
              }}
            />
          </Field>
          {kind !== 'protocol' && (
            <Field
              id="anchor-protocol-version"
              label="Protocol version"
              hint="The protocol version this document belongs to."
              error={e.protocolVersion}
            >
              <select
                value={shownProtocol}
                disabled={sending || protocols === 0}
                onChange={(event) => {
                  setProtocolVersion(event.currentTarget.value);
                  clear('protocolVersion');
                }}
              >
                {protocols === 0 && <option value="">No protocol anchored yet</option>}
                {Array.from({ length: protocols }, (_, i) => protocols - i).map((v) => (
                  <option key={v} value={String(v)}>
                    Protocol v{v}
                  </option>
                ))}
              </select>
            </Field>
          )}
        </div>
        <div className="form-actions">
          <button type="submit" className="button-primary" disabled={sending || blocked !== null}>
            {sending ? 'Signing…' : 'Sign and anchor'}
          </button>
          {sending && <Spinner />}
        </div>
        {blocked && <p className="action-blocked">{blocked}</p>}
        {errors.form && (
          <p className="form-error" role="alert" data-testid="form-error">
            {errors.form}
          </p>
        )}
        <AnchorNotice />
      </form>
    </Page>
  );
}
