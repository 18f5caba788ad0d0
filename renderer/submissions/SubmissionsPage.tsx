import { Page } from '../components/Page';
import { SUBMISSIONS_SHOWN, useSubmissionsStore } from '../stores/submissions-store';
import { SubmissionsList } from './SubmissionsList';

/** Counts of the loaded submissions by status, for the lede. */
function Counts() {
  const submissions = useSubmissionsStore((state) => state.list.data);
  if (!submissions || submissions.length === 0) return null;
  const count = (status: string) => submissions.filter((s) => s.status === status).length;
  const refused = count('refused');
  return (
    <p className="submission-counts" role="status">
      {`${count('pending')} waiting for a block, ${count('committed')} committed, `}
      {refused > 0 ? (
        <strong className="submission-refusal">{refused} refused</strong>
      ) : (
        '0 refused'
      )}
      {submissions.length >= SUBMISSIONS_SHOWN && ` (the newest ${SUBMISSIONS_SHOWN})`}.
    </p>
  );
}

/** #/submissions: every transaction this console signed, and what became of it. */
export function SubmissionsPage() {
  return (
    <Page title="Your submissions">
      <p className="lede">
        The votes and proposals this console signed and sent to its node, newest first. Each waits
        for a block, then is committed in it, or refused there with the reason. The node keeps them
        across restarts and sends again those still waiting.
      </p>
      <Counts />
      <section className="page-section" aria-labelledby="submissions-heading">
        <h2 id="submissions-heading" className="visually-hidden">
          Submissions
        </h2>
        <SubmissionsList headingId="submissions-heading" />
      </section>
    </Page>
  );
}
