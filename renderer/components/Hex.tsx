import { CopyButton } from './CopyButton';

export function shortHex(value: string, edge = 8): string {
  return value.length <= edge * 2 + 1 ? value : `${value.slice(0, edge)}…${value.slice(-edge)}`;
}

interface HexProps {
  value: string;
  /** What the value is, for the copy button's name ("Copy node key"). */
  label: string;
  /** Shortened values show the full value on hover and copy it whole. */
  short?: boolean;
  copy?: boolean;
}

/** A key, hash or signature: monospace, shortened or wrapped, and copyable. */
export function Hex({ value, label, short = false, copy = true }: HexProps) {
  return (
    <span className="hex">
      <code
        className={short ? 'hex-value' : 'hex-value hex-full'}
        title={short ? value : undefined}
      >
        {short ? shortHex(value) : value}
      </code>
      {copy && <CopyButton value={value} label={label} />}
    </span>
  );
}
