import { Link } from '@tanstack/react-router';
import type { SubmissionView } from '../../shared/rpc/contract';
import { Badge } from '../components/Badge';
import { shortHex } from '../components/Hex';
import { Spinner } from '../components/States';
import { absoluteTime, RelativeTime } from '../components/Time';
import { sentence } from '../components/text';
import type { WriteBlock } from '../stores/write-block';

const STATUS_TONES = { pending: 'info', committed: 'good', refused: 'bad' } as const;

/** What became of one submission, in words, with links to where it landed. */
function Outcome({ submission, block }: { submission: SubmissionView; block: WriteBlock | null }) {
  switch (submission.status) {
    case 'pending':
      return (
        <>
          <span className="submission-waiting">
            {/* No spinner while nothing can commit: it would promise progress there is not. */}
            {block === null && <Spinner />} Waiting for a block
          </span>
          <span className="cell-sub muted">
            {block?.kind === 'read-only'
              ? 'Kept, and sent again once the replica is repaired.'
              : block
                ? 'This node cannot commit it now (see above).'
                : 'It commits with the next block, or is refused there with the reason.'}
          </span>
        </>
      );
    case 'committed':
      return (
        <>
          {submission.height === null ? (
            'Committed'
          ) : (
            <>
              In{' '}
              <Link to="/blocks/$height" params={{ height: submission.height }}>
                block {submission.height}
              </Link>
            </>
          )}
          <span className="cell-sub">
            <Link
              to="/tx/$id"
              params={{ id: submission.txId }}
              aria-label={`Transaction ${submission.txId}`}
            >
              transaction <code>{shortHex(submission.txId)}</code>
            </Link>
            {submission.decidedAt !== null && (
              <span className="muted">
                {' '}
                · <RelativeTime ms={submission.decidedAt} />
              </span>
            )}
          </span>
        </>
      );
    case 'refused':
      return (
        <>
          <strong className="submission-refusal">
            {sentence(submission.reason ?? 'the node gave no reason')}
          </strong>
          <span className="cell-sub muted">
            Nothing was written to the chain
            {submission.decidedAt !== null && (
              <>
                {' '}
                (refused <RelativeTime ms={submission.decidedAt} />)
              </>
            )}
            .
          </span>
        </>
      );
  }
}

/** This console's own submissions, newest first, each with what became of it. */
export function SubmissionsTable({
  submissions,
  block,
  headingId,
}: {
  submissions: SubmissionView[];
  block: WriteBlock | null;
  headingId: string;
}) {
  return (
    <div className="table-wrap">
      <table className="table submissions-table" aria-labelledby={headingId}>
        <thead>
          <tr>
            <th scope="col">Submission</th>
            <th scope="col">Sent</th>
            <th scope="col">Status</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {submissions.map((submission) => (
            <tr
              key={submission.txId}
              data-submission={submission.txId}
              data-status={submission.status}
              className={submission.status === 'refused' ? 'submission-refused' : undefined}
            >
              <th scope="row">
                {submission.summary}
                <span className="cell-sub muted">
                  <code>{submission.type}</code>
                </span>
              </th>
              <td className="nowrap">
                <RelativeTime ms={submission.submittedAt} />
                <span className="cell-sub muted">{absoluteTime(submission.submittedAt)}</span>
              </td>
              <td>
                <Badge tone={STATUS_TONES[submission.status]}>{submission.status}</Badge>
              </td>
              <td>
                <Outcome submission={submission} block={block} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
