import type { ReactNode } from 'react';

/** One figure of the Overview, headed by its label. */
export function Stat({
  label,
  wide = false,
  children,
}: {
  label: string;
  /** Spans the whole row, e.g. while a form is open in it. */
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <div className={wide ? 'stat stat-wide' : 'stat'}>
      <h2 className="stat-label">{label}</h2>
      <div className="stat-value">{children}</div>
    </div>
  );
}
