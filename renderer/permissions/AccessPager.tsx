import { useState } from 'react';

type Cursor = { time: number; id: string };

/**
 * Paging of a list of accesses newest first: the cursors of the pages before this one, so
 * "Newer" goes back one and "Older" starts after this page's last access.
 */
export function useAccessPages<T extends Cursor>(perPage: number) {
  const [cursors, setCursors] = useState<Cursor[]>([]);
  return {
    cursors,
    before: cursors.at(-1),
    /** What a page of `items` offers: whether there is an older page, and the pager. */
    pager(items: readonly T[] | null | undefined, label: string) {
      const last = items?.at(-1);
      const hasOlder = !!last && items?.length === perPage;
      const nav =
        cursors.length > 0 || hasOlder ? (
          <nav className="pager" aria-label={label}>
            <button
              type="button"
              className="button-secondary button-small"
              disabled={cursors.length === 0}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              ← Newer
            </button>
            <span className="muted">Page {cursors.length + 1}</span>
            <button
              type="button"
              className="button-secondary button-small"
              disabled={!hasOlder}
              onClick={() => last && setCursors([...cursors, { time: last.time, id: last.id }])}
            >
              Older →
            </button>
          </nav>
        ) : null;
      return { hasOlder, nav };
    },
  };
}
