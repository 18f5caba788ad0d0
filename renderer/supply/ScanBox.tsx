import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { sentence } from '../components/text';
import {
  GS,
  parseScan,
  type Gs1Data,
  type Gs1Failure,
  type Gs1Result,
} from '../../shared/supply/gs1';

/** The year the GS1 sliding window for YYMMDD dates is centred on: this one. */
export function scanContext(): { referenceYear: number } {
  return { referenceYear: new Date().getUTCFullYear() };
}

/** Parses what a scanner typed; null for an empty box. */
export function readScan(text: string): Gs1Result | null {
  return text.trim() === '' ? null : parseScan(text, scanContext());
}

/** The identifiers of a scan the supply pages use, in reading order. */
export function scanFields(data: Gs1Data): { label: string; value: string }[] {
  const fields: { label: string; value: string }[] = [];
  if (data.sscc) fields.push({ label: 'SSCC', value: data.sscc });
  if (data.gtin) fields.push({ label: 'GTIN', value: data.gtin });
  if (data.serial) fields.push({ label: 'Serial', value: data.serial });
  if (data.lot) fields.push({ label: 'Lot', value: data.lot });
  if (data.expiry) fields.push({ label: 'Expiry', value: data.expiry });
  return fields;
}

const SOURCE_LABELS: Record<Gs1Data['source'], string> = {
  'element-string': 'GS1 element string',
  'digital-link': 'GS1 Digital Link URI',
  'epc-uri': 'EPC URI',
  'gtin-barcode': 'EAN/UPC or ITF-14 barcode',
};

/** Shows the group separator a scanner sends for FNC1, which is otherwise invisible. */
function visible(text: string): string {
  return text.split(GS).join('⟨GS⟩');
}

/** The scanned text with the character the refusal is about marked. */
function Echo({ text, failure }: { text: string; failure: Gs1Failure }) {
  const at = Math.min(failure.position, text.length);
  const char = text.slice(at, at + 1);
  return (
    <p className="scan-echo" aria-hidden="true">
      <code>
        {visible(text.slice(0, at))}
        <mark className="scan-mark">{char === '' ? ' ' : visible(char)}</mark>
        {visible(text.slice(at + 1))}
      </code>
    </p>
  );
}

/** What a scan read, field by field. */
export function ScanRead({ data }: { data: Gs1Data }) {
  const fields = scanFields(data);
  return (
    <dl className="scan-read">
      {fields.map((field) => (
        <div key={field.label}>
          <dt>{field.label}</dt>
          <dd>
            <code>{field.value}</code>
          </dd>
        </div>
      ))}
      <div className="scan-source">
        <dt>Read from</dt>
        <dd>{SOURCE_LABELS[data.source]}</dd>
      </div>
    </dl>
  );
}

/** How long typing must pause before a half-typed code is called wrong. */
const SETTLE_MS = 600;

interface ScanBoxProps {
  label: string;
  hint?: string;
  /** Takes a good scan (navigates, fills a form, adds an item); returns why not, or null. */
  onScan: (data: Gs1Data) => string | null;
  /** What Enter does, for the hint under a good read ("open its page", "add it"). */
  enterAction: string;
  disabled?: boolean;
  className?: string;
  placeholder?: string;
}

/**
 * A text box a barcode scanner types into (it ends with Enter), or a person pastes into: a GS1
 * element string with or without parentheses (FNC1 sent as GS), a GS1 Digital Link URI or an EPC
 * URI. What it reads is shown as it is typed; a refusal says what is wrong and marks the
 * character, and Enter moves the cursor there. Enter on a good read hands it to `onScan`.
 */
export function ScanBox({
  label,
  hint,
  onScan,
  enterAction,
  disabled,
  className,
  placeholder,
}: ScanBoxProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [settled, setSettled] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const result = readScan(text);

  useEffect(() => {
    if (text === '') return;
    const timer = setTimeout(() => setSettled(true), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    setSettled(true);
    if (!result) return;
    if (!result.ok) {
      const at = Math.min(result.position, text.length);
      input.current?.setSelectionRange(at, Math.min(at + 1, text.length));
      return;
    }
    const refused = onScan(result);
    if (refused) {
      setProblem(refused);
      return;
    }
    setText('');
    setProblem(null);
  };

  const resultId = `${id}-result`;
  const showFailure = result !== null && !result.ok && settled;
  return (
    <div className={['scan-box', className].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <input
        ref={input}
        id={id}
        type="text"
        className="input-mono"
        value={text}
        placeholder={placeholder}
        disabled={disabled}
        spellCheck={false}
        autoComplete="off"
        autoCapitalize="off"
        aria-invalid={showFailure || problem !== null ? true : undefined}
        aria-describedby={[hint ? `${id}-hint` : null, resultId].filter(Boolean).join(' ')}
        onChange={(event) => {
          setText(event.currentTarget.value);
          setSettled(false);
          setProblem(null);
        }}
        onKeyDown={onKeyDown}
      />
      <div id={resultId} className="scan-result" aria-live="polite">
        {result?.ok && (
          <>
            <ScanRead data={result} />
            {problem ? (
              <p className="field-error" role="alert">
                {problem}
              </p>
            ) : (
              <p className="field-hint">Press Enter to {enterAction}.</p>
            )}
          </>
        )}
        {showFailure && (
          <>
            <p className="field-error" role="alert" data-testid="scan-error">
              {sentence(result.error)}{' '}
              <span className="scan-position">
                (character {Math.min(result.position, text.length) + 1})
              </span>
            </p>
            <Echo text={text} failure={result} />
          </>
        )}
      </div>
    </div>
  );
}
