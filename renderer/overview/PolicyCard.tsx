import { useState } from 'react';
import type { ChainStatus } from '../../shared/rpc/contract';
import { whyCannotPropose } from '../members/actions';
import { approvers, describeTtl } from '../members/describe';
import { POLICY_ORIGIN, PolicyChangeForm } from '../members/PolicyChangeForm';
import { SubmissionNotice } from '../members/proposal-form';
import { useGovernanceStore } from '../stores/governance-store';
import { useMembersById } from '../stores/members-store';
import { useSessionStore } from '../stores/session-store';
import { blockedActionText, useWriteBlock } from '../stores/write-block';
import { Stat } from './Stat';

const PROPOSE_BUTTON_ID = 'propose-policy-button';

/** The governance policy in force, and the way to propose another one. */
export function PolicyCard({ status }: { status: ChainStatus }) {
  const { policy } = status;
  const [open, setOpen] = useState(false);
  const block = useWriteBlock();
  const dismiss = useGovernanceStore((state) => state.dismiss);
  const profileMember = useSessionStore((state) => state.data?.profile?.memberId ?? '');
  const byId = useMembersById();
  const cannotPropose = byId.size > 0 ? whyCannotPropose(byId.get(profileMember)) : null;

  const close = () => {
    setOpen(false);
    requestAnimationFrame(() => document.getElementById(PROPOSE_BUTTON_ID)?.focus());
  };

  return (
    <Stat label="Governance policy" wide={open && block === null}>
      <p className="stat-text">Approval by {approvers(policy.threshold)}</p>
      <p className="stat-note">Proposals expire after {describeTtl(policy.proposalTtlHours)}.</p>
      {cannotPropose === null && (block !== null || !open) && (
        <button
          id={PROPOSE_BUTTON_ID}
          type="button"
          className="button-secondary button-small stat-action"
          disabled={block !== null}
          aria-describedby={block ? 'propose-policy-blocked' : undefined}
          onClick={() => {
            dismiss(POLICY_ORIGIN);
            setOpen(true);
          }}
        >
          Propose a policy change
        </button>
      )}
      {cannotPropose === null && block && (
        <p className="action-blocked" id="propose-policy-blocked">
          {blockedActionText(block, 'Proposing')}
        </p>
      )}
      {open && block === null && (
        <PolicyChangeForm status={status} onCancel={close} onSubmitted={close} />
      )}
      <SubmissionNotice origin={POLICY_ORIGIN} />
    </Stat>
  );
}
