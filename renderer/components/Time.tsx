import { format, formatDistanceStrict } from 'date-fns';
import { useNow } from './useNow';

export function absoluteTime(ms: number): string {
  return format(ms, 'yyyy-MM-dd HH:mm:ss');
}

/** Below this, "3 seconds ago" is noise (and clocks of two machines differ by that much). */
const JUST_NOW_MS = 10_000;

export function relativeTime(ms: number, now: number): string {
  if (Math.abs(now - ms) < JUST_NOW_MS) return 'just now';
  return formatDistanceStrict(ms, now, { addSuffix: true });
}

/** "3 minutes ago", with the exact time on hover. */
export function RelativeTime({ ms }: { ms: number }) {
  const now = useNow();
  return (
    <time dateTime={new Date(ms).toISOString()} title={absoluteTime(ms)}>
      {relativeTime(ms, now)}
    </time>
  );
}

/** "2025-11-23 20:44:01 (3 minutes ago)": both, for fields where the exact time matters. */
export function FullTime({ ms }: { ms: number }) {
  const now = useNow();
  return (
    <time dateTime={new Date(ms).toISOString()}>
      {absoluteTime(ms)} <span className="muted">({relativeTime(ms, now)})</span>
    </time>
  );
}
