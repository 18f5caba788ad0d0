import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { shortStudy } from '../../shared/research/describe';
import { shortHex } from '../components/Hex';
import { absoluteTime } from '../components/Time';

/*
 * Links between the Research pages and to the chain: every study shown leads to its page, every
 * anchor to its block and transaction.
 */

export function StudyLink({ study, children }: { study: string; children?: ReactNode }) {
  return (
    <Link to="/research/studies/$study" params={{ study }} title={study}>
      {children ?? <code>{shortStudy(study)}</code>}
    </Link>
  );
}

/** Where an anchor is on chain: its block and time, and its transaction. */
export function OnChain({ height, time, txId }: { height: number; time: number; txId: string }) {
  return (
    <>
      <Link to="/blocks/$height" params={{ height }}>
        block {height}
      </Link>
      , <time dateTime={new Date(time).toISOString()}>{absoluteTime(time)}</time> ·{' '}
      <Link to="/tx/$id" params={{ id: txId }} title={txId}>
        transaction <code>{shortHex(txId, 6)}</code>
      </Link>
    </>
  );
}
