import { useState } from 'react';
import { shortPseudonym } from '../../shared/permissions/describe';
import type { ReviewReason } from '../../shared/permissions/schemas';
import type { AccessView } from '../../shared/rpc/permissions';
import { useProfile } from '../app/profile';
import { Field } from '../components/Field';
import { CodeSelect, REVIEW_OPTIONS } from './CodeInputs';
import { MemberName } from './links';
import { SubmissionNotice, SubmitRow, usePermissionsSubmit, useSigningBlocked } from './forms';

function reviewOrigin(access: string): string {
  return `permissions:review:${access}`;
}

/**
 * Closing the review of a break-glass access, with a reason code: only the custodian of the
 * patient's records does (its compliance officer). Others see whose review it awaits.
 */
export function CloseReview({ access }: { access: AccessView }) {
  const profile = useProfile();
  const origin = reviewOrigin(access.id);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState<ReviewReason | ''>('');
  const { errors, setErrors, sending, submit } = usePermissionsSubmit(origin);
  const blocked = useSigningBlocked();

  if (access.review?.status !== 'open') return <SubmissionNotice origin={origin} />;
  if (access.custodian !== profile.memberId) {
    return (
      <span className="muted">
        Awaiting <MemberName id={access.custodian} name={access.custodianName} />
      </span>
    );
  }
  if (!open) {
    return (
      <>
        <button
          type="button"
          className="button-secondary button-small"
          disabled={blocked !== null}
          onClick={() => setOpen(true)}
        >
          Close review…
        </button>
        <SubmissionNotice origin={origin} />
      </>
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
      <SubmissionNotice origin={origin} />
    </form>
  );
}
