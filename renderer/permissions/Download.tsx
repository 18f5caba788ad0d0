import { useState } from 'react';
import type { MethodName, Params } from '../../shared/rpc/contract';
import { Spinner } from '../components/States';
import { sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';

/*
 * Documents the node makes (FHIR JSON, a pseudonym secret backup) saved as files: the text
 * becomes a Blob, offered under a file name through a link with `download`, as the Supply
 * section's EPCIS export offers its document. Nothing is kept once the file is saved.
 */

/** A day as file names carry it: `YYYY-MM-DD`, UTC. */
export function fileDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Saves `text` as a file named `name` (the browser's download, to its downloads folder). */
export function saveText(text: string, name: string, type = 'application/fhir+json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it starts; the URL is only needed for the click.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The FHIR exports of the permissions domain, each answering `{ document }`. */
type FhirMethod = Extract<
  MethodName,
  'permissions.fhir.consent' | 'permissions.fhir.auditEvent' | 'permissions.report.fhir'
>;

/**
 * Fetches one FHIR document and saves it: `busy` while the node makes it, `error` in words when
 * it could not.
 */
export function useFhirDownload() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const download = async <M extends FhirMethod>(method: M, params: Params<M>, name: string) => {
    setBusy(true);
    setError(null);
    try {
      const { document: text } = await rpc().call(method, params);
      saveText(text, name);
    } catch (failure) {
      setError(sentence(asRpcError(failure).message));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, download };
}

/**
 * A small link-shaped button that saves one FHIR resource (a consent version, an access) as a
 * `.fhir.json` file, with what went wrong beside it.
 */
export function FhirLink<M extends FhirMethod>({
  method,
  params,
  file,
  children,
  title,
}: {
  method: M;
  params: Params<M>;
  /** The file name it is saved under. */
  file: string;
  children: string;
  title?: string;
}) {
  const { busy, error, download } = useFhirDownload();
  return (
    <span className="fhir-link">
      <button
        type="button"
        className="link-button"
        title={title ?? `Save as ${file}`}
        disabled={busy}
        onClick={() => void download(method, params, file)}
      >
        {children}
      </button>
      {busy && <Spinner />}
      {error && (
        <span className="fhir-link-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
