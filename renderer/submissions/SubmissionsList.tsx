import { useEffect } from 'react';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { useSubmissionsStore } from '../stores/submissions-store';
import { useWriteBlock } from '../stores/write-block';
import { SubmissionsTable } from './SubmissionsTable';

export const NOTHING_SUBMITTED = 'Nothing submitted from this console yet.';

/**
 * The console's submissions as loaded by the store, at most `limit` of them; they follow the
 * chain live (app/live-updates.ts): a vote shows here at once as pending, then as committed in
 * its block or refused with the reason.
 */
export function SubmissionsList({ headingId, limit }: { headingId: string; limit?: number }) {
  const list = useSubmissionsStore((state) => state.list);
  const refresh = useSubmissionsStore((state) => state.refresh);
  const block = useWriteBlock();

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const submissions = list.data;
  return (
    <>
      {list.error && <ErrorNotice error={list.error} retry={() => void refresh()} />}
      {submissions ? (
        submissions.length === 0 ? (
          <EmptyState>{NOTHING_SUBMITTED}</EmptyState>
        ) : (
          <SubmissionsTable
            submissions={limit === undefined ? submissions : submissions.slice(0, limit)}
            block={block}
            headingId={headingId}
          />
        )
      ) : (
        list.loading && <Loading what="your submissions" />
      )}
    </>
  );
}
