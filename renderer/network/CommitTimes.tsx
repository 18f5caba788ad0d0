import type { CommitView } from '../../shared/rpc/network';
import { BlockHeightHeader } from '../blocks/block-cells';
import { EmptyState } from '../components/States';
import { absoluteTime, RelativeTime } from '../components/Time';
import { duration, lastBlocks } from './words';

/** Blocks listed under the chart; the chart shows all that were sent. */
const LISTED = 10;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Time between consecutive blocks, oldest on the left. Blocks are made only when something
 * waits, so long bars are quiet time as often as slow rounds; a block decided after its first
 * round is marked, since that is a proposer that was missing or late.
 */
function IntervalChart({ commits }: { commits: CommitView[] }) {
  const timed = commits.filter(
    (c): c is CommitView & { intervalMs: number } => c.intervalMs !== null,
  );
  if (timed.length === 0) return null;
  const oldestFirst = [...timed].reverse();
  // A logarithmic height: one idle hour would otherwise flatten every other bar.
  const scale = Math.log1p(Math.max(...timed.map((c) => Math.max(0, c.intervalMs))));
  const mid = median(timed.map((c) => c.intervalMs)) ?? 0;
  const longest = Math.max(...timed.map((c) => c.intervalMs));
  const late = timed.filter((c) => (c.round ?? 0) > 0).length;
  return (
    <figure className="interval-chart">
      <div
        className="interval-bars"
        role="img"
        aria-label={`Intervals before ${lastBlocks(timed.length)}: median ${duration(mid)}, longest ${duration(longest)}`}
      >
        {oldestFirst.map((c) => {
          const height = scale > 0 ? (Math.log1p(Math.max(0, c.intervalMs)) / scale) * 100 : 0;
          const round = c.round ?? 0;
          return (
            <div
              key={c.height}
              className={round > 0 ? 'interval-bar interval-bar-late' : 'interval-bar'}
              style={{ height: `${Math.max(2, height)}%` }}
              title={`Block ${c.height}: ${duration(c.intervalMs)} after the one before, round ${round}, ${c.txCount} tx`}
            />
          );
        })}
      </div>
      <figcaption className="section-note">{chartCaption(timed, mid, longest, late)}</figcaption>
    </figure>
  );
}

/** What the chart shows, in words; one block has no median or "every one" to speak of. */
function chartCaption(
  timed: readonly (CommitView & { intervalMs: number })[],
  mid: number,
  longest: number,
  late: number,
): string {
  const only = timed.length === 1 ? timed[0] : undefined;
  if (only) {
    return `The last block came ${duration(only.intervalMs)} after the one before, decided ${late === 0 ? 'in its first round' : 'after more than one round (marked)'}.`;
  }
  const rounds =
    late === 0
      ? 'Every one was decided in its first round.'
      : `${late} needed more than one round (marked).`;
  return `Time before each of ${lastBlocks(timed.length)}, oldest on the left (logarithmic heights): median ${duration(mid)}, longest ${duration(longest)}. ${rounds}`;
}

export function CommitTimes({ commits, headingId }: { commits: CommitView[]; headingId: string }) {
  if (commits.length === 0) return <EmptyState>The chain has no blocks yet.</EmptyState>;
  return (
    <>
      <IntervalChart commits={commits} />
      <div className="table-wrap">
        <table className="table network-commits" aria-labelledby={headingId}>
          <thead>
            <tr>
              <th scope="col" className="numeric">
                Height
              </th>
              <th scope="col">Time</th>
              <th scope="col" className="numeric">
                After the block before
              </th>
              <th scope="col" className="numeric">
                <abbr title="Transactions">Txs</abbr>
              </th>
              <th scope="col" className="numeric">
                Round
              </th>
              <th scope="col" className="numeric">
                Signatures
              </th>
            </tr>
          </thead>
          <tbody>
            {commits.slice(0, LISTED).map((c) => (
              <tr key={c.height} data-height={c.height}>
                <BlockHeightHeader height={c.height} />
                <td className="nowrap">
                  <RelativeTime ms={c.time} />
                  <span className="cell-sub muted">{absoluteTime(c.time)}</span>
                </td>
                <td className="numeric">
                  {c.intervalMs === null ? (
                    <span className="muted">—</span>
                  ) : (
                    duration(c.intervalMs)
                  )}
                </td>
                <td className="numeric">{c.txCount}</td>
                <td className="numeric">{c.round ?? <span className="muted">—</span>}</td>
                <td className="numeric">
                  {c.round === null ? <span className="muted">—</span> : c.signatures}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
