import { sentence } from '../components/text';
import { useSessionStore } from '../stores/session-store';
import { useJoinUndecided } from './JoinBanner';
import { reasonClause, useWriteBlock } from '../stores/write-block';

/** A path as a shell argument: quoted when it holds anything a shell would split or expand. */
function shellArg(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Shown above every page while nothing this console signs could commit: a replica found damaged
 * at start (served read-only), or a node that cannot make blocks. The controls that would sign
 * are disabled where they are, with the same reason in short.
 */
export function WriteBlockBanner() {
  const block = useWriteBlock();
  const dataDir = useSessionStore((state) => state.data?.dataDir ?? null);
  // A node waiting for its join request is blocked for that reason, which JoinBanner tells.
  const joining = useJoinUndecided();
  if (!block || (joining && block.kind === 'blocked')) return null;

  if (block.kind === 'read-only') {
    const where = block.height === null ? '' : ` at block ${block.height}`;
    const verify = dataDir ? `carechain verify --dir ${shellArg(dataDir)}` : 'carechain verify';
    return (
      <div className="shell-banner">
        <div className="notice banner banner-error" role="alert" data-testid="write-block-banner">
          <p className="banner-title">
            This replica is read-only: it failed its integrity check{where}:{' '}
            {reasonClause(block.reason)}.
          </p>
          <p>
            Nothing can be signed until it is repaired: votes and proposals are off. Run{' '}
            <code>{verify}</code> to see the first bad block and why, then restore the data folder
            from a backup. Until then the console shows what this replica held when the node
            started; submissions still waiting are kept and sent again once it is repaired.
          </p>
        </div>
      </div>
    );
  }
  return (
    <div className="shell-banner">
      <div className="notice banner banner-warn" role="status" data-testid="write-block-banner">
        <p className="banner-title">Nothing signed from this console would commit.</p>
        <p>{sentence(block.reason)} Votes and proposals are off until that changes.</p>
      </div>
    </div>
  );
}
