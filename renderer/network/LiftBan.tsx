import { useId, useState, type FormEvent } from 'react';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { sentence } from '../components/text';

/**
 * Lifts this node's ban on a peer (docs/sync.md §8.4): an administrator's decision on this node
 * only, with a reason kept in its network/bans.json. The form opens under the ban; a refusal
 * (no ban any more, the profile locked, no reason) is said right there.
 */
export function LiftBan({
  target,
  lifted,
}: {
  /** A peer's node key, or an IP address banned for guests. */
  target: { nodeKey: string } | { address: string };
  lifted: () => void;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (!open) {
    return (
      <button
        type="button"
        className="button-secondary button-small lift-ban-open"
        onClick={() => setOpen(true)}
      >
        Lift ban…
      </button>
    );
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await rpc().call('network.liftBan', { ...target, reason });
      setOpen(false);
      setReason('');
      lifted();
    } catch (caught) {
      const problem = asRpcError(caught);
      setError(problem.issues?.[0]?.message ?? problem.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="lift-ban" onSubmit={(event) => void submit(event)} noValidate>
      <label htmlFor={`${id}-reason`}>Why lift it?</label>
      <input
        id={`${id}-reason`}
        type="text"
        value={reason}
        maxLength={500}
        placeholder="e.g. their operator fixed the node"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => setReason(event.currentTarget.value)}
      />
      <p className="field-hint">
        Only this node lifts its ban
        {'nodeKey' in target ? '; the peer is dialled again at once' : ''}. The reason is kept with
        this node’s bans.
      </p>
      <div className="lift-ban-actions">
        <button type="submit" className="button-primary button-small" disabled={busy}>
          {busy ? 'Lifting…' : 'Lift ban'}
        </button>
        <button
          type="button"
          className="button-secondary button-small"
          disabled={busy}
          onClick={() => {
            setOpen(false);
            setError(null);
          }}
        >
          Cancel
        </button>
      </div>
      {error && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {sentence(error)}
        </p>
      )}
    </form>
  );
}
