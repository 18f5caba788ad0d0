import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { shortPseudonym } from '../../shared/permissions/describe';
import type { ReviewReason } from '../../shared/permissions/schemas';
import type { AccessView } from '../../shared/rpc/permissions';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { Spinner } from '../components/States';
import { usePermissionsSubmissionsStore } from '../stores/permissions-submissions';
import { ReviewClosed } from './AccessTable';
import { CodeSelect, REVIEW_OPTIONS } from './CodeInputs';
import { SubmissionNotice, SubmitRow, usePermissionsSubmit, useSigningBlocked } from './forms';
import { MemberName } from './links';

const ORIGIN_PREFIX = 'permissions:review:';

function reviewOrigin(access: string): string {
  return `${ORIGIN_PREFIX}${access}`;
}

/**
 * What became of the reviews this console closed, above the lists: a closed review moves from
 * one list to the other as its block commits, so its notice cannot stay in its row.
 */
export function ReviewNotices() {
  const origins = usePermissionsSubmissionsStore(
    useShallow((state) =>
      Object.keys(state.latest).filter((origin) => origin.startsWith(ORIGIN_PREFIX)),
    ),
  );
  return (
    <>
      {origins.map((origin) => (
        <SubmissionNotice key={origin} origin={origin} />
      ))}
    </>
  );
}

/**
 * The review cell of a break-glass access: closing it with a reason code is for the custodian
 * of the patient's records alone (its compliance officer); others see whose review it awaits,
 * and a closed one shows its reason.
 */
export function CloseReview({ access }: { access: AccessView }) {
  const profile = useProfile();
  const origin = reviewOrigin(access.id);
  const submission = usePermissionsSubmissionsStore((state) => state.latest[origin]);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<ReviewReason | ''>('');
  const { errors, setErrors, sending, submit } = usePermissionsSubmit(origin);
  const blocked = useSigningBlocked();

  if (access.review?.status !== 'open') return <ReviewClosed access={access} />;
  if (access.custodian !== profile.memberId) {
    return (
      <span className="muted">
        Awaiting <MemberName id={access.custodian} name={access.custodianName} />
      </span>
    );
  }
  if (submission?.state === 'pending' || submission?.state === 'committed') {
    return (
      <span className="muted">
        <Spinner /> Closing: waiting for the block…
      </span>
    );
  }
  if (!open) {
    return (
      <button
        type="button"
        className="button-secondary button-small"
        disabled={blocked !== null}
        onClick={() => setOpen(true)}
      >
        Close review…
      </button>
    );
  }
  return (
    <form
      className="review-form"
      aria-label="Close the review"
      onSubmit={(event) => {
        event.preventDefault();
        if (reason === '') {
          setErrors({ fields: { reason: 'Choose why the review is closed.' }, form: null });
          return;
        }
        void submit(
          `Close the break-glass review of ${access.accessorName}’s access to patient ${shortPseudonym(access.patient)}`,
          'permissions.access.review',
          { access: access.id, reason },
          { fields: new Set(['reason']) },
        );
      }}
    >
      <Field
        id={`review-reason-${access.id.slice(0, 8)}`}
        label="Reason"
        error={errors.fields.reason}
      >
        <CodeSelect
          options={REVIEW_OPTIONS}
          value={reason}
          onChange={(value) => {
            setReason(value);
            setErrors({ fields: {}, form: null });
          }}
          placeholder="Choose…"
          disabled={sending}
        />
      </Field>
      <SubmitRow
        label="Close the review"
        sending={sending}
        error={errors.form}
        blocked={blocked}
        extra={
          <button
            type="button"
            className="button-secondary"
            disabled={sending}
            onClick={() => setOpen(false)}
          >
            Cancel
          </button>
        }
      />
    </form>
  );
}
