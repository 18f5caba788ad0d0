/** A progress bar with its figure in words (the bar is only a picture of it). */
export function Progress({
  value,
  max,
  label,
  tone = 'good',
}: {
  value: number;
  max: number;
  label: string;
  tone?: 'good' | 'info' | 'warn';
}) {
  const share = max === 0 ? 0 : Math.min(1, value / max);
  return (
    <div className="supply-progress">
      <span className="supply-progress-text">{label}</span>
      <div
        className="supply-progress-bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={value}
        aria-label={label}
      >
        <div
          className={`supply-progress-fill supply-progress-${tone}`}
          style={{ width: `${(share * 100).toFixed(1)}%` }}
        />
      </div>
    </div>
  );
}
