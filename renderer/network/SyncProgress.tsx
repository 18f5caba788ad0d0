import type { SyncView } from '../../shared/rpc/network';
import { plural, sentence } from '../components/text';
import { duration, percent, rate } from './words';

/**
 * Catch-up from peers (docs/sync.md §7.5): while a peer is more than a block ahead, a bar from
 * this node's height to the best peer's, with the pace of the last seconds and the time left
 * at that pace; otherwise that the node is in step.
 */
export function SyncProgress({ sync }: { sync: SyncView }) {
  if (sync.halted) {
    return (
      <div className="notice notice-error" role="alert" data-syncing="halted">
        <p>
          <strong>This node stopped importing blocks at height {sync.height}.</strong>{' '}
          {sentence(sync.halted)}
        </p>
      </div>
    );
  }
  const pace = `${rate(sync.blocksPerSecond)} blocks/s, ${rate(sync.txsPerSecond)} tx/s over the last 10 seconds`;
  if (!sync.syncing) {
    return (
      <p className="sync-state" data-syncing="no">
        In step with its peers at height {sync.height}
        {sync.target > sync.height ? ` (the best peer is at ${sync.target})` : ''}. Committing{' '}
        {pace}.
      </p>
    );
  }
  const share = sync.target > 0 ? sync.height / sync.target : 1;
  const left = sync.target - sync.height;
  return (
    <div className="sync-progress" data-syncing="yes">
      <p>
        <strong>Catching up:</strong> height {sync.height} of {sync.target}, {plural(left, 'block')}{' '}
        to go
        {sync.secondsLeft === null
          ? ' (not moving yet).'
          : `, about ${duration(sync.secondsLeft * 1000)} left.`}
      </p>
      <progress
        className="sync-bar"
        max={sync.target}
        value={sync.height}
        aria-label={`Catch-up progress, ${percent(share)}`}
      />
      <p className="section-note">
        {percent(share)} · {pace}. Every block is verified in full before it is stored.
      </p>
    </div>
  );
}
