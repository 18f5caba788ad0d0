import { useRef, useState, type DragEvent } from 'react';
import { Hex } from '../components/Hex';
import { Spinner } from '../components/States';
import { fileSha256 } from './hash';

/** A file hashed on this machine: what the console shows of it, and its SHA-256. */
export interface HashedFile {
  name: string;
  size: number;
  hash: string;
}

type Hashing =
  | { state: 'idle' }
  | { state: 'hashing'; name: string; size: number; done: number }
  | { state: 'hashed'; file: HashedFile }
  | { state: 'failed'; name: string; reason: string };

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * Drop a file here or choose one: it is hashed in this window (WebCrypto) and only its SHA-256
 * is handed on, which the box says. `onHashed` gets the hash (null when the file changes and
 * is not hashed yet). `error` is what is wrong with the file as the form sees it.
 */
export function FileDrop({
  id,
  label,
  purpose,
  onHashed,
  disabled = false,
  error,
}: {
  id: string;
  label: string;
  /** What the hash is for, e.g. "is signed into the anchor". */
  purpose: string;
  onHashed: (file: HashedFile | null) => void;
  disabled?: boolean;
  error?: string | null | undefined;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [hashing, setHashing] = useState<Hashing>({ state: 'idle' });
  const [over, setOver] = useState(false);
  const run = useRef(0);

  const take = async (file: File | undefined) => {
    if (!file || disabled) return;
    const mine = ++run.current;
    onHashed(null);
    setHashing({ state: 'hashing', name: file.name, size: file.size, done: 0 });
    try {
      const hash = await fileSha256(file, (done) => {
        if (run.current === mine)
          setHashing({ state: 'hashing', name: file.name, size: file.size, done });
      });
      if (run.current !== mine) return;
      const hashed = { name: file.name, size: file.size, hash };
      setHashing({ state: 'hashed', file: hashed });
      onHashed(hashed);
    } catch (failure) {
      if (run.current !== mine) return;
      setHashing({
        state: 'failed',
        name: file.name,
        reason: `The file could not be read (${(failure as Error).message}).`,
      });
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    void take(event.dataTransfer.files[0]);
  };

  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const classes = ['file-drop', over && 'file-drop-over', error && 'file-drop-invalid']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div
        className={classes}
        onDragOver={(event) => {
          event.preventDefault();
          if (!disabled) setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        data-testid={`${id}-zone`}
      >
        <p className="file-drop-prompt">
          Drop the file here, or{' '}
          <button
            type="button"
            className="button-secondary button-small"
            disabled={disabled}
            onClick={() => input.current?.click()}
          >
            choose a file
          </button>
        </p>
        <input
          ref={input}
          id={id}
          type="file"
          className="visually-hidden"
          disabled={disabled}
          aria-describedby={[hintId, error ? errorId : null].filter(Boolean).join(' ')}
          aria-invalid={error ? true : undefined}
          onChange={(event) => {
            void take(event.currentTarget.files?.[0]);
            // The same file chosen again (after it was edited) is read again.
            event.currentTarget.value = '';
          }}
        />
        <p className="file-drop-privacy" id={hintId}>
          The file is hashed here, in this window: only its SHA-256 leaves this machine, and{' '}
          {purpose}. The file itself is never sent to the node nor put on chain.
        </p>
        <div role="status" aria-live="polite" className="file-drop-status">
          {hashing.state === 'hashing' && (
            <p>
              <Spinner /> Hashing <strong>{hashing.name}</strong> ({sizeText(hashing.size)})
              {hashing.done > 0 && <>: {Math.floor((hashing.done / hashing.size) * 100)}%</>}…
            </p>
          )}
          {hashing.state === 'hashed' && (
            <dl className="facts facts-compact file-drop-facts" data-testid={`${id}-hashed`}>
              <dt>File</dt>
              <dd>
                <strong>{hashing.file.name}</strong>{' '}
                <span className="muted">({sizeText(hashing.file.size)})</span>
              </dd>
              <dt>SHA-256</dt>
              <dd>
                <Hex value={hashing.file.hash} label="Copy the file's SHA-256" />
              </dd>
            </dl>
          )}
          {hashing.state === 'failed' && (
            <p className="form-error">
              {hashing.name}: {hashing.reason}
            </p>
          )}
        </div>
      </div>
      {error && (
        <p className="field-error" id={errorId} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
