/*
 * What a browser sees when a console link is refused. Plain HTML with nothing from the request in
 * it: the page runs under the console's CSP and must not reflect what a stranger put in a URL.
 */

export type Refusal = 'used' | 'unknown';

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
    '<main>',
    `<h1>${title}</h1>`,
    body,
    `<p>${NEW_LINK}</p>`,
    '</main>',
    '</html>',
  ].join('\n');
}
