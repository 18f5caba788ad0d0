import type { Locator, Page } from '@playwright/test';
import {
  buildDemoFolder,
  expect,
  goToRoute,
  proposalAbout,
  screenshotFromTop,
  test,
  title,
  unlockDemo,
  withReplicaDb,
  type ConsoleServer,
} from './console-fixture';

/*
 * The console's addresses (renderer/app/router.tsx). They are its interface: bookmarks and these
 * tests use them, so each must open its page, in the layout, with its section highlighted; back
 * and forward must walk them; links must write them exactly as before. Each test serves its own
 * demo (two join requests open), unlocked as St Mary's University Hospital.
 */

const ME = 'st-marys-hospital';
const MY_NAME = "St Mary's University Hospital";
const LAKESIDE = 'Lakeside Community Clinic';
/** Blocks on a page of the Blocks list (renderer/stores/blocks-store.ts). */
const PAGE = 25;

type Section = 'Overview' | 'Members' | 'Blocks' | 'Your submissions';

function nav(page: Page, name: Section): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

/** The one main-navigation entry marked as the current page, or none. */
async function expectSection(page: Page, section: Section | null): Promise<void> {
  const current = page.getByRole('navigation', { name: 'Main' }).locator('a[aria-current="page"]');
  if (section === null) await expect(current).toHaveCount(0);
  else await expect(current).toHaveText([section]);
}

function blockRows(page: Page): Locator {
  return page.locator('table[aria-label="Blocks, newest first"] tbody tr');
}

/** `#/tx/<id>`'s heading: the id shortened as the console shows it. */
function txTitle(id: string): string {
  return `Transaction ${id.slice(0, 8)}…${id.slice(-8)}`;
}

/** Loads `url` as a new document, as a bookmark or a typed address does (not a hash change). */
async function load(page: Page, url: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(url);
}

/**
 * A fresh demo, served and unlocked in `page` (Overview open); its open join request of Lakeside,
 * and its height.
 */
async function openDemo(
  page: Page,
  serveDir: (dir: string) => Promise<ConsoleServer>,
  scratchDir: string,
): Promise<{ origin: string; lakesideProposal: string; tip: number }> {
  const dataDir = await buildDemoFolder(scratchDir);
  const lakesideProposal = proposalAbout(dataDir, 'lakeside-community-clinic');
  const tip = withReplicaDb(
    dataDir,
    (db) => (db.prepare('SELECT max(height) AS tip FROM blocks').get() as { tip: number }).tip,
  );
  const server = await serveDir(dataDir);
  await unlockDemo(page, server);
  await expect(page.getByRole('link', { name: `Height ${tip}, open block` })).toBeVisible();
  return { origin: server.origin, lakesideProposal, tip };
}

// The router runs under the console's CSP (no eval, no inline script) without a complaint.
let pageErrors: string[] = [];
test.beforeEach(({ page }) => {
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
});
test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

test('every address opens its page, from a link inside the console and from a fresh load', async ({
  page,
  serveDir,
  scratchDir,
}) => {
  const { origin } = await openDemo(page, serveDir, scratchDir);

  await goToRoute(page, '#/blocks/3');
  await expect(title(page)).toHaveText('Block 3');
  const txId = (await page.locator('tr[data-tx]').first().getAttribute('data-tx')) ?? '';
  expect(txId).toMatch(/^[0-9a-f]{64}$/);

  const pages: { hash: string; title: string | RegExp; section: Section }[] = [
    { hash: '#/', title: 'Overview', section: 'Overview' },
    { hash: '#/overview', title: 'Overview', section: 'Overview' },
    { hash: '#/members', title: 'Members', section: 'Members' },
    { hash: `#/members/${ME}`, title: new RegExp(MY_NAME), section: 'Members' },
    { hash: '#/blocks', title: 'Blocks', section: 'Blocks' },
    { hash: '#/blocks?before=10', title: 'Blocks', section: 'Blocks' },
    { hash: '#/blocks/7', title: 'Block 7', section: 'Blocks' },
    { hash: `#/tx/${txId}`, title: txTitle(txId), section: 'Blocks' },
    { hash: '#/submissions', title: 'Your submissions', section: 'Your submissions' },
  ];
  for (const { hash, title: expected, section } of pages) {
    await goToRoute(page, hash);
    await expect(title(page), hash).toHaveText(expected);
    await expectSection(page, section);
    await expect(page).toHaveURL(`${origin}/${hash}`);
  }
  // The same addresses typed or bookmarked: a new load of the page (the profile stays unlocked).
  for (const { hash, title: expected, section } of pages) {
    await load(page, `${origin}/${hash}`);
    await expect(title(page), hash).toHaveText(expected);
    await expectSection(page, section);
    await expect(page).toHaveURL(`${origin}/${hash}`);
  }
});

test('?proposal= scrolls to the open proposal and highlights it; an id that is not open says so', async ({
  page,
  serveDir,
  scratchDir,
}) => {
  const { origin, lakesideProposal } = await openDemo(page, serveDir, scratchDir);
  // A short window, so that the card lies below the fold unless the page scrolls to it.
  await page.setViewportSize({ width: 1280, height: 420 });
  const card = page.getByRole('region', { name: `Join request: ${LAKESIDE}` });
  const scrolledTo = async () => {
    await expect(title(page)).toHaveText('Members');
    await expect(card).toHaveClass(/proposal-card-focused/);
    await expect(page.locator('.proposal-card-focused')).toHaveCount(1);
    await expect(card).toBeInViewport({ ratio: 0.5 });
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    await expect(page.getByText('The proposal you followed is no longer open')).toHaveCount(0);
  };

  // A fresh load of the address, as from a bookmark.
  await load(page, `${origin}/#/members?proposal=${lakesideProposal}`);
  await scrolledTo();
  // Links elsewhere do not carry the param along.
  await expect(nav(page, 'Members')).toHaveAttribute('href', '#/members');
  // Followed inside the console, from another page scrolled to its end.
  await goToRoute(page, '#/blocks');
  await expect(title(page)).toHaveText('Blocks');
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await goToRoute(page, `#/members?proposal=${lakesideProposal}`);
  await scrolledTo();
  // Without the param the same page opens at its top, nothing highlighted.
  await goToRoute(page, '#/members');
  await expect(page.locator('.proposal-card-focused')).toHaveCount(0);
  await expect(title(page)).toBeInViewport();

  // A hex id made only of digits stays a string (no JSON in the query): it is looked for, and
  // is not open.
  await goToRoute(page, `#/members?proposal=${'1'.repeat(64)}`);
  await expect(page.getByText('The proposal you followed is no longer open')).toBeVisible();
  await expect(page.locator('.proposal-card-focused')).toHaveCount(0);
  await expect(page).toHaveURL(`${origin}/#/members?proposal=${'1'.repeat(64)}`);

  // Not a proposal id at all: the plain Members page.
  await goToRoute(page, '#/members?proposal=xyz');
  await expect(title(page)).toHaveText('Members');
  await expect(page.getByRole('region', { name: `Join request: ${LAKESIDE}` })).toBeVisible();
  await expect(page.getByText('The proposal you followed is no longer open')).toHaveCount(0);
  await expect(page.locator('.proposal-card-focused')).toHaveCount(0);
});

test('?before= pages the blocks; a value that is not a height is treated as absent', async ({
  page,
  serveDir,
  scratchDir,
}) => {
  const { origin, tip } = await openDemo(page, serveDir, scratchDir);
  await load(page, `${origin}/#/blocks?before=10`);
  await expect(title(page)).toHaveText('Blocks');
  await expect(blockRows(page)).toHaveCount(10);
  await expect(blockRows(page).first()).toHaveAttribute('data-height', '9');
  await expect(blockRows(page).last()).toHaveAttribute('data-height', '0');
  await expect(page.getByText('Newest first.')).toHaveCount(0);
  await expectSection(page, 'Blocks');
  await expect(nav(page, 'Blocks')).toHaveAttribute('href', '#/blocks');
  const pager = page.getByRole('navigation', { name: 'Block pages' });
  await expect(pager.getByText('Older →')).toHaveAttribute('aria-disabled', 'true');
  const newer = pager.getByRole('link', { name: '← Newer' });
  await expect(newer).toHaveAttribute('href', `#/blocks?before=${10 + PAGE}`);
  // The page above one just below the tip would be past it: Newer goes to the newest page.
  await load(page, `${origin}/#/blocks?before=${tip - 10}`);
  await expect(blockRows(page).first()).toHaveAttribute('data-height', String(tip - 11));
  await expect(newer).toHaveAttribute('href', '#/blocks');
  await newer.click();
  await expect(page).toHaveURL(`${origin}/#/blocks`);
  await expect(blockRows(page)).toHaveCount(PAGE);
  await expect(blockRows(page).first()).toHaveAttribute('data-height', String(tip));

  for (const bad of ['xyz', '-1', '1.5', '']) {
    await goToRoute(page, `#/blocks?before=${bad}`);
    await expect(title(page)).toHaveText('Blocks');
    await expect(page.getByText('Newest first.')).toBeVisible();
    await expect(blockRows(page)).toHaveCount(PAGE);
    await expect(blockRows(page).first()).toHaveAttribute('data-height', String(tip));
    await expect(page).toHaveURL(`${origin}/#/blocks?before=${bad}`);
  }
  // A new load of such an address opens the same page (the router also drops the bad value from
  // the address then).
  await load(page, `${origin}/#/blocks?before=xyz`);
  await expect(page.getByText('Newest first.')).toBeVisible();
  await expect(blockRows(page).first()).toHaveAttribute('data-height', String(tip));
});

test('a bad height or an unknown address shows the not-found page in the layout', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const { origin } = await openDemo(page, serveDir, scratchDir);
  await load(page, `${origin}/#/`);
  await expect(title(page)).toHaveText('Overview');
  for (const hash of [
    '#/blocks/abc',
    '#/blocks/-1',
    '#/blocks/1.5',
    '#/nope',
    '#/members/a/b',
    '#/tx',
    '#/submissions/x',
    '#/Members',
  ]) {
    await goToRoute(page, hash);
    await expect(title(page), hash).toHaveText('Page not found');
    await expect(page.getByRole('main')).toContainText(`The console has no page at ${hash}.`);
    await expectSection(page, null);
    // Still inside the console: navigation and top bar are there.
    await expect(nav(page, 'Blocks')).toBeVisible();
    await expect(page.getByRole('link', { name: /^Height \d+, open block$/ })).toBeVisible();
  }
  await load(page, `${origin}/#/blocks/abc`);
  await expect(title(page)).toHaveText('Page not found');
  await load(page, `${origin}/#/no/such/page`);
  await expect(title(page)).toHaveText('Page not found');
  await expect(page.getByRole('main')).toContainText('The console has no page at #/no/such/page.');
  await screenshotFromTop(page, testInfo, 'not-found');

  const home = page.getByRole('link', { name: 'Go to the overview' });
  await expect(home).toHaveAttribute('href', '#/');
  await home.click();
  await expect(page).toHaveURL(`${origin}/#/`);
  await expect(title(page)).toHaveText('Overview');
  await expectSection(page, 'Overview');
});

test('links write the addresses as before, and back and forward walk them', async ({
  page,
  serveDir,
  scratchDir,
}) => {
  const { origin, tip } = await openDemo(page, serveDir, scratchDir);
  // A block on the newest page of Blocks.
  const shown = tip - 2;
  await load(page, `${origin}/#/`);
  await expect(title(page)).toHaveText('Overview');

  await expect(nav(page, 'Overview')).toHaveAttribute('href', '#/');
  await expect(nav(page, 'Members')).toHaveAttribute('href', '#/members');
  await expect(nav(page, 'Blocks')).toHaveAttribute('href', '#/blocks');
  await expect(nav(page, 'Your submissions')).toHaveAttribute('href', '#/submissions');

  await nav(page, 'Members').click();
  await expect(page).toHaveURL(`${origin}/#/members`);
  await expect(title(page)).toHaveText('Members');
  await expectSection(page, 'Members');

  const member = page.locator(`tr[data-member="${ME}"]`).getByRole('link', { name: MY_NAME });
  await expect(member).toHaveAttribute('href', `#/members/${ME}`);
  await member.click();
  await expect(page).toHaveURL(`${origin}/#/members/${ME}`);
  await expect(title(page)).toContainText(MY_NAME);

  await nav(page, 'Blocks').click();
  await expect(page).toHaveURL(`${origin}/#/blocks`);
  const block = page.getByRole('link', { name: `Block ${shown}`, exact: true });
  await expect(block).toHaveAttribute('href', `#/blocks/${shown}`);
  await block.click();
  await expect(page).toHaveURL(`${origin}/#/blocks/${shown}`);
  await expect(title(page)).toHaveText(`Block ${shown}`);
  await expectSection(page, 'Blocks');

  const tx = page.locator('tr[data-tx]').first();
  const id = await tx.getAttribute('data-tx');
  await tx.getByRole('rowheader').getByRole('link').click();
  await expect(page).toHaveURL(`${origin}/#/tx/${id}`);
  await expect(title(page)).toHaveText(txTitle(id ?? ''));
  await expectSection(page, 'Blocks');

  // The block search navigates in code, to the same addresses.
  await goToRoute(page, '#/blocks');
  await expect(title(page)).toHaveText('Blocks');
  await page.getByLabel('Find a block or transaction').fill('12');
  await page.getByRole('button', { name: 'Go' }).click();
  await expect(page).toHaveURL(`${origin}/#/blocks/12`);
  await expect(title(page)).toHaveText('Block 12');

  // Back through what was visited, then forward again.
  const walk: [string, string | RegExp][] = [
    ['#/blocks', 'Blocks'],
    [`#/tx/${id}`, txTitle(id ?? '')],
    [`#/blocks/${shown}`, `Block ${shown}`],
    ['#/blocks', 'Blocks'],
    [`#/members/${ME}`, new RegExp(MY_NAME)],
    ['#/members', 'Members'],
    ['#/', 'Overview'],
  ];
  for (const [hash, expected] of walk) {
    await page.goBack();
    await expect(page).toHaveURL(`${origin}/${hash}`);
    await expect(title(page), hash).toHaveText(expected);
  }
  for (const [hash, expected] of [...walk].reverse().slice(1)) {
    await page.goForward();
    await expect(page).toHaveURL(`${origin}/${hash}`);
    await expect(title(page), hash).toHaveText(expected);
  }
  await page.goForward();
  await expect(page).toHaveURL(`${origin}/#/blocks/12`);
  await expect(title(page)).toHaveText('Block 12');
  await expectSection(page, 'Blocks');
});
