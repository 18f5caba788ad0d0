import type { ReactNode } from 'react';
import { reasonClause, useWriteBlock } from '../stores/write-block';
import { Spinner } from './States';

/** Why this console cannot sign now (a read-only replica, no block producer), for a form. */
export function useSigningBlocked(): string | null {
  const block = useWriteBlock();
  if (!block) return null;
  if (block.kind === 'read-only') {
    const where = block.height === null ? '' : ` at block ${block.height}`;
    return `Nothing can be signed while this replica is read-only: it failed its integrity check${where} and must be repaired first.`;
  }
  return `Nothing can be signed: ${reasonClause(block.reason)}.`;
}

/** The submit button, the reason nothing could be signed, and the node's refusal under it. */
export function SubmitRow({
  label,
  sending,
  error,
  blocked,
  extra,
}: {
  label: string;
  sending: boolean;
  error: string | null;
  blocked: string | null;
  extra?: ReactNode;
}) {
  return (
    <>
      <div className="form-actions">
        <button type="submit" className="button-primary" disabled={sending || blocked !== null}>
          {sending ? 'Signing…' : label}
        </button>
        {sending && <Spinner />}
        {extra}
      </div>
      {blocked && <p className="action-blocked">{blocked}</p>}
      {error && (
        <p className="form-error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
    </>
  );
}
