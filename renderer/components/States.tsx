import type { ReactNode } from 'react';
import type { RpcError } from '../../shared/rpc/contract';
import { sentence } from './text';

export function Spinner() {
  return <span className="spinner" aria-hidden="true" />;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      <Spinner /> Loading {what}…
    </p>
  );
}

/** An error where it happened, in words; `retry` offers to try again when that can help. */
export function ErrorNotice({ error, retry }: { error: RpcError; retry?: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <p>{sentence(error.message)}</p>
      {retry && (
        <button type="button" className="button-secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
