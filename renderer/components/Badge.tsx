import type { MemberStatus, ProposalStatus } from '../../shared/members/schemas';

type Tone = 'good' | 'warn' | 'bad' | 'info' | 'neutral';

const TONES: Record<MemberStatus | ProposalStatus, Tone> = {
  active: 'good',
  suspended: 'warn',
  revoked: 'bad',
  open: 'info',
  approved: 'good',
  rejected: 'bad',
  expired: 'neutral',
  failed: 'bad',
};

/** A status word in a coloured pill; the word itself carries the meaning, not the colour. */
export function StatusBadge({ status }: { status: MemberStatus | ProposalStatus }) {
  return <span className={`badge badge-${TONES[status]}`}>{status}</span>;
}

export function Badge({ children, tone = 'neutral' }: { children: string; tone?: Tone }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
