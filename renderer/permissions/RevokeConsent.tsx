import { useState } from 'react';
import { shortPseudonym } from '../../shared/permissions/describe';
import type { ConsentView } from '../../shared/rpc/permissions';
import { SubmitRow, usePermissionsSubmit, useSigningBlocked } from './forms';

export function revokeOrigin(consent: string): string {
  return `permissions:revoke:${consent}`;
}

/**
 * The patient withdrew the consent: a new version, inactive, with the same terms. Asked twice,
 * since a withdrawn consent does not come back (a new consent is recorded instead). What became
 * of the revocation shows on the consent's card (SubmissionNotice of revokeOrigin), which stays
 * when this form goes.
 */
export function RevokeConsent({ view }: { view: ConsentView }) {
  const origin = revokeOrigin(view.consent.id);
  const [confirming, setConfirming] = useState(false);
  const { errors, sending, submit } = usePermissionsSubmit(origin);
  const blocked = useSigningBlocked();
  const what = view.consent.scope === 'research' ? 'research consent' : 'privacy consent';
  const title = `Revoke the ${what} of patient ${shortPseudonym(view.consent.patient)}`;

  return (
    <div className="revoke">
      {!confirming ? (
        <button
          type="button"
          className="button-secondary button-small"
          disabled={blocked !== null}
          onClick={() => setConfirming(true)}
        >
          Revoke…
        </button>
      ) : (
        <form
          className="confirm-form"
          aria-label="Revoke this consent"
          onSubmit={(event) => {
            event.preventDefault();
            void submit(
              title,
              'permissions.consents.revoke',
              { consent: view.consent.id },
              { fields: new Set() },
            ).then((txId) => txId && setConfirming(false));
          }}
        >
          <p>
            Revoke this consent? It becomes inactive from the next block: what it permits is no
            longer permitted, and it can no longer change. The patient’s later wishes need a new
            consent.
          </p>
          <SubmitRow
            label="Revoke the consent"
            sending={sending}
            error={errors.form}
            blocked={blocked}
            extra={
              <button
                type="button"
                className="button-secondary"
                disabled={sending}
                onClick={() => setConfirming(false)}
              >
                Cancel
              </button>
            }
          />
        </form>
      )}
    </div>
  );
}
