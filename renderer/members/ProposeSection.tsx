import { useState } from 'react';
import type { MemberView } from '../../shared/rpc/contract';
import { Loading } from '../components/States';
import { useChainStore } from '../stores/chain-store';
import { useGovernanceStore } from '../stores/governance-store';
import { useMembersById } from '../stores/members-store';
import { useSessionStore } from '../stores/session-store';
import { blockedActionText, useWriteBlock } from '../stores/write-block';
import {
  MEMBER_ACTION_LABELS,
  memberActions,
  whyCannotPropose,
  type MemberActionType,
} from './actions';
import { MemberActionForm } from './MemberActionForm';
import { SubmissionNotice } from './proposal-form';

function actionButtonId(type: MemberActionType): string {
  return `propose-${type}-button`;
}

/**
 * The proposals that make sense for a member in its current state, each opening its form. The
 * forms follow the member live: when a decision changes its state, the choices change too.
 * While nothing this console signs could commit, the choices stay in view but are off, with
 * the reason under them, and no form is open.
 */
export function ProposeSection({ member }: { member: MemberView }) {
  const origin = `member:${member.id}`;
  const [open, setOpen] = useState<MemberActionType | null>(null);
  const status = useChainStore((state) => state.status.data);
  const dismiss = useGovernanceStore((state) => state.dismiss);
  const profileMember = useSessionStore((state) => state.data?.profile?.memberId ?? '');
  const byId = useMembersById();
  const me = byId.get(profileMember);
  const block = useWriteBlock();
  const actions = memberActions(member);
  const shown = block === null && open !== null && actions.includes(open) ? open : null;

  const toggle = (type: MemberActionType) => {
    dismiss(origin);
    setOpen(shown === type ? null : type);
  };
  const close = (type: MemberActionType) => {
    setOpen(null);
    // The form and its buttons are gone: keep keyboard focus where the user started.
    requestAnimationFrame(() => document.getElementById(actionButtonId(type))?.focus());
  };

  let body;
  if (member.status === 'revoked') {
    body = (
      <p className="muted">
        A revoked member cannot be changed: no proposal can be made about {member.legalName}.
      </p>
    );
  } else if (byId.size > 0 && whyCannotPropose(me) !== null) {
    body = <p className="muted">{whyCannotPropose(me)}</p>;
  } else if (!status) {
    body = <Loading what="the governance policy" />;
  } else {
    body = (
      <>
        <p className="muted">
          Ask the consortium to change {member.legalName}. A proposal is signed as{' '}
          {me?.legalName ?? 'your organisation'} and carried out only if the members approve it.
        </p>
        <div
          className="action-buttons"
          role="group"
          aria-label={`Proposals about ${member.legalName}`}
        >
          {actions.map((type) => (
            <button
              key={type}
              id={actionButtonId(type)}
              type="button"
              className={shown === type ? 'button-secondary button-pressed' : 'button-secondary'}
              aria-expanded={shown === type}
              aria-controls={shown === type ? 'propose-form' : undefined}
              disabled={block !== null}
              aria-describedby={block ? 'propose-blocked' : undefined}
              onClick={() => toggle(type)}
            >
              {MEMBER_ACTION_LABELS[type]}
            </button>
          ))}
        </div>
        {block && (
          <p className="action-blocked" id="propose-blocked" data-testid="propose-blocked">
            {blockedActionText(block, 'Proposing')}
          </p>
        )}
        {shown && (
          <MemberActionForm
            key={shown}
            type={shown}
            member={member}
            status={status}
            members={byId}
            origin={origin}
            onCancel={() => close(shown)}
            onSubmitted={() => close(shown)}
          />
        )}
      </>
    );
  }

  return (
    <section className="card detail-wide" aria-labelledby="propose-heading">
      <h2 id="propose-heading">Propose</h2>
      {body}
      <SubmissionNotice origin={origin} />
    </section>
  );
}
