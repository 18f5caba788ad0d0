import { useSyncExternalStore } from 'react';

/*
 * Hash routes. They are part of the console's interface (tests and bookmarks use them):
 *   #/                   overview
 *   #/members            members, open and decided proposals
 *   #/members?proposal=<id>   the same, scrolled to one open proposal
 *   #/members/<id>       one member
 *   #/blocks             newest blocks;  #/blocks?before=<height> older pages
 *   #/blocks/<height>    one block
 *   #/tx/<id>            one transaction
 *   #/submissions        this console's own submissions and what became of them
 */
export type Route =
  | { page: 'overview' }
  | { page: 'members'; proposal: string | null }
  | { page: 'member'; id: string }
  | { page: 'blocks'; before: number | null }
  | { page: 'block'; height: number }
  | { page: 'tx'; id: string }
  | { page: 'submissions' }
  | { page: 'not-found'; path: string };

const HEIGHT = /^\d{1,15}$/;
const HASH = /^[0-9a-f]{64}$/;

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const parts = path.split('/').filter((part) => part !== '');
  const [first, second, ...rest] = parts.map((part) => decodeURIComponent(part));
  if (rest.length > 0) return { page: 'not-found', path: raw };
  if (first === undefined || (first === 'overview' && second === undefined)) {
    return { page: 'overview' };
  }
  if (first === 'members') {
    if (second !== undefined) return { page: 'member', id: second };
    const proposal = new URLSearchParams(query).get('proposal');
    return { page: 'members', proposal: proposal && HASH.test(proposal) ? proposal : null };
  }
  if (first === 'blocks') {
    if (second === undefined) {
      const before = new URLSearchParams(query).get('before');
      return { page: 'blocks', before: before && HEIGHT.test(before) ? Number(before) : null };
    }
    if (HEIGHT.test(second)) return { page: 'block', height: Number(second) };
  }
  if (first === 'tx' && second !== undefined) return { page: 'tx', id: second };
  if (first === 'submissions' && second === undefined) return { page: 'submissions' };
  return { page: 'not-found', path: raw };
}

export function hrefFor(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '#/';
    case 'members':
      return route.proposal === null ? '#/members' : `#/members?proposal=${route.proposal}`;
    case 'member':
      return `#/members/${encodeURIComponent(route.id)}`;
    case 'blocks':
      return route.before === null ? '#/blocks' : `#/blocks?before=${route.before}`;
    case 'block':
      return `#/blocks/${route.height}`;
    case 'tx':
      return `#/tx/${encodeURIComponent(route.id)}`;
    case 'submissions':
      return '#/submissions';
    case 'not-found':
      return `#${route.path}`;
  }
}

export const href = {
  overview: () => hrefFor({ page: 'overview' }),
  members: (proposal: string | null = null) => hrefFor({ page: 'members', proposal }),
  member: (id: string) => hrefFor({ page: 'member', id }),
  blocks: (before: number | null = null) => hrefFor({ page: 'blocks', before }),
  block: (height: number) => hrefFor({ page: 'block', height }),
  tx: (id: string) => hrefFor({ page: 'tx', id }),
  submissions: () => hrefFor({ page: 'submissions' }),
};

export function navigate(target: string): void {
  location.hash = target.replace(/^#/, '');
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function currentHash(): string {
  return location.hash;
}

/** The route of the address bar, re-rendering on every hash change. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash);
  return parseRoute(hash);
}
