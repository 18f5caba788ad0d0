/*
 * What a browser sees when a console link is refused. Plain HTML with nothing from the request in
 * it: the page runs under the console's CSP and must not reflect what a stranger put in a URL.
 */

import { createHash } from 'node:crypto';

export type Refusal = 'used' | 'unknown';

// The look of the console's own pages, inline: the refusal page loads nothing else.
const STYLE =
  'body{margin:0;background:#f3f5f7;color:#1a2733;font:16px/1.5 system-ui,sans-serif}' +
  'main{max-width:40rem;margin:10vh auto;padding:2rem 2.25rem;background:#fff;' +
  'border:1px solid #d9e0e6;border-left:4px solid #b42318;border-radius:8px}' +
  'h1{font-size:1.35rem;margin:0 0 1rem}p{margin:.75rem 0;color:#3d4b57}' +
  'code{font:.9em ui-monospace,monospace;background:#eef2f5;padding:.1em .35em;border-radius:4px}' +
  '.brand{font-weight:700;color:#0f1d2a;margin:0 0 1.25rem;font-size:.95rem}';

/**
 * The refusal page's own policy: it runs no script and loads nothing; only its inline style,
 * named by hash, applies.
 */
export const REFUSAL_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const NEW_LINK =
  'After a link is used, <code>carechain serve</code> prints a new one in the terminal where it ' +
  'runs: open that one. A link from an earlier run of <code>carechain serve</code> stops working ' +
  'when it stops; restarting it prints a fresh link.';

const PAGES: Record<Refusal, { title: string; body: string }> = {
  used: {
    title: 'This console link was already used',
    body:
      '<p>Each link that <code>carechain serve</code> prints opens the console once, in one ' +
      'browser, so that a link left in a browser history cannot open it again.</p>',
  },
  unknown: {
    title: 'This console link is not valid',
    body:
      '<p>The node service does not know this link: it may be mistyped, cut short, or from an ' +
      'earlier run of <code>carechain serve</code>.</p>',
  },
};

export function refusalPage(refusal: Refusal): string {
  const { title, body } = PAGES[refusal];
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${title} · CareChain Console</title>`,
    `<style>${STYLE}</style>`,
    '<main>',
    '<p class="brand">CareChain Console</p>',
    `<h1>${title}</h1>`,
    body,
    `<p>${NEW_LINK}</p>`,
    '</main>',
    '</html>',
  ].join('\n');
}
