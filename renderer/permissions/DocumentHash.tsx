import { useState, type DragEvent } from 'react';
import { sha256Hex } from '../../shared/ledger/hash';

/** Files larger than this are not read (a scanned consent form is a few megabytes). */
const MAX_BYTES = 64 * 1024 * 1024;

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * SHA-256 of a file, computed in this window: WebCrypto where the page is a secure context
 * (the console always is), the ledger's own SHA-256 otherwise. The file is not sent anywhere.
 */
export async function hashFile(file: File): Promise<string> {
  const data = await file.arrayBuffer();
  if (globalThis.crypto?.subtle) return hex(await crypto.subtle.digest('SHA-256', data));
  return sha256Hex(new Uint8Array(data));
}

/**
 * The signed consent document: chosen or dropped, hashed here, and only its hash recorded. The
 * file itself stays with the custodian, as the form says.
 */
export function DocumentHash({
  id,
  value,
  onChange,
  error,
  disabled,
}: {
  id: string;
  value: { hash: string; fileName: string | null };
  onChange: (value: { hash: string; fileName: string | null }) => void;
  error: string | undefined;
  disabled: boolean;
}) {
  const [hashing, setHashing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [over, setOver] = useState(false);

  const take = async (file: File | undefined) => {
    if (!file) return;
    setProblem(null);
    if (file.size === 0) {
      setProblem('This file is empty: choose the scanned or signed consent form.');
      return;
    }
    if (file.size > MAX_BYTES) {
      setProblem('This file is over 64 MB: choose the signed consent form itself.');
      return;
    }
    setHashing(true);
    try {
      onChange({ hash: await hashFile(file), fileName: file.name });
    } catch {
      setProblem('The file could not be read. Choose it again.');
    } finally {
      setHashing(false);
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (!disabled) void take(event.dataTransfer.files[0]);
  };

  const shown = problem ?? error;
  return (
    <div className={`field document-field${shown ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>Signed consent document</label>
      <div
        className={`drop-zone${over ? ' drop-zone-over' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid="document-drop"
      >
        <input
          id={id}
          type="file"
          disabled={disabled || hashing}
          aria-describedby={`${id}-note${shown ? ` ${id}-error` : ''}`}
          aria-invalid={shown ? true : undefined}
          onChange={(event) => void take(event.currentTarget.files?.[0])}
        />
        <span className="muted">or drop the file here</span>
      </div>
      <p className="field-hint" id={`${id}-note`}>
        The file is hashed with SHA-256 in this window: only the hash leaves this machine and is
        recorded on chain. Keep the signed form in the patient’s file.
      </p>
      {hashing && <p className="muted">Hashing…</p>}
      {value.hash && !hashing && (
        <p className="document-hash" data-testid="document-hash">
          {value.fileName ? (
            <>
              <span className="document-name">{value.fileName}</span> →{' '}
            </>
          ) : (
            <span className="muted">Current document: </span>
          )}
          <code>{value.hash}</code>
        </p>
      )}
      {shown && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {shown}
        </p>
      )}
    </div>
  );
}
