import { useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';

const HEIGHT = /^\d{1,15}$/;
const TX_ID = /^[0-9a-f]{64}$/;

/** Jumps to a block by height or to a transaction by its 64-hex id. */
export function BlockSearch() {
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = query.trim().toLowerCase();
    if (HEIGHT.test(value)) {
      void navigate({ to: '/blocks/$height', params: { height: Number(value) } });
    } else if (TX_ID.test(value)) {
      void navigate({ to: '/tx/$id', params: { id: value } });
    } else {
      setError('Enter a block height (a number) or a transaction id (64 hex digits).');
    }
  };

  return (
    <form className="search" role="search" onSubmit={submit} noValidate>
      <label htmlFor="block-search">Find a block or transaction</label>
      <div className="search-row">
        <input
          id="block-search"
          type="search"
          placeholder="Height or transaction id"
          spellCheck={false}
          autoComplete="off"
          value={query}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'block-search-error' : undefined}
          onChange={(event) => {
            setQuery(event.currentTarget.value);
            setError(null);
          }}
        />
        <button type="submit" className="button-secondary">
          Go
        </button>
      </div>
      {error && (
        <p className="field-error" id="block-search-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
