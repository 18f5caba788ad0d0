import type { Locator, Page } from '@playwright/test';
import {
  expect,
  journalDemoVote,
  proposalAbout,
  test,
  title,
  buildDemoFolder,
  goToRoute,
  screenshotFromTop,
  unlockDemo,
} from './console-fixture';

/*
 * "Your submissions": what the console signed and sent to its node, and what became of it.
 * Each test builds and serves its own demo, as St Mary's University Hospital (10 active
 * members, 6 approvals decide; Lakeside Community Clinic has 5, Apex Biologics Inc has 1).
 */

const ME = 'st-marys-hospital';
const APEX = 'Apex Biologics Inc';
const EMPTY = 'Nothing submitted from this console yet.';

/** Follows a route inside the running console, as its links do (no reload: live state stays). */

function yourSubmissions(page: Page): Locator {
  return page.getByRole('region', { name: 'Your submissions' });
}

function submissionRows(scope: Locator): Locator {
  return scope.locator('tr[data-submission]');
}

test('a vote made in the console is listed at once as pending, then as committed in its block, with links to the block and the transaction', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(await buildDemoFolder(scratchDir));
  await unlockDemo(page, server);

  // Nothing yet: on the Overview, and on its own page in the navigation.
  await expect(yourSubmissions(page).getByText(EMPTY)).toBeVisible();
  await expect(
    yourSubmissions(page).getByRole('link', { name: 'All your submissions' }),
  ).toHaveAttribute('href', '#/submissions');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Your submissions' })
    .click();
  await expect(page).toHaveURL(/#\/submissions$/);
  await expect(title(page)).toHaveText('Your submissions');
  await expect(page.getByText(EMPTY)).toBeVisible();
  await screenshotFromTop(page, testInfo, 'submissions-empty');

  // The node answers a vote within milliseconds and commits it at its next block (400 ms):
  // requests for the list are held here until the pending row has been checked, so that what
  // the console shows before the node's own account arrives can be seen. Held for a fixed time
  // instead, a loaded machine could take longer over the checks and see the committed row.
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/rpc', async (route) => {
    const body = route.request().postDataJSON() as { method?: string } | null;
    if (body?.method === 'submissions.list') await released;
    await route.continue();
  });

  await goToRoute(page, '#/members');
  const card = page.getByRole('region', { name: `Join request: ${APEX}` });
  await card.getByRole('button', { name: 'Approve' }).click();
  await goToRoute(page, '#/submissions');

  const row = submissionRows(page.locator('main')).first();
  await expect(row).toHaveAttribute('data-status', 'pending');
  await expect(row.getByRole('rowheader')).toContainText(
    `Vote approve: Admit ${APEX} (manufacturer)`,
  );
  await expect(row).toContainText('Waiting for a block');
  await expect(row.getByRole('cell').nth(1)).toHaveText('pending');
  await screenshotFromTop(page, testInfo, 'submissions-pending');
  release();

  // Committed once its block is in (block.committed refetches the list).
  await expect(row).toHaveAttribute('data-status', 'committed', { timeout: 20_000 });
  const txId = await row.getAttribute('data-submission');
  expect(txId).toMatch(/^[0-9a-f]{64}$/);
  const blockLink = row.getByRole('link', { name: /^block \d+$/ });
  const blockText = await blockLink.textContent();
  const height = Number(/\d+/.exec(blockText ?? '')?.[0]);
  expect(height).toBeGreaterThan(0);
  await expect(blockLink).toHaveAttribute('href', `#/blocks/${height}`);
  await expect(row.getByRole('cell').last()).toContainText(`In block ${height}`);
  await expect(row.getByRole('link', { name: `Transaction ${txId}` })).toHaveAttribute(
    'href',
    `#/tx/${txId}`,
  );
  await expect(page.locator('.submission-counts')).toHaveText(
    '0 waiting for a block, 1 committed, 0 refused.',
  );
  await screenshotFromTop(page, testInfo, 'submissions-committed');

  // The block link leads to the block that holds it, the transaction link to the transaction.
  await blockLink.click();
  await expect(title(page)).toHaveText(`Block ${height}`);
  await expect(page.locator(`tr[data-tx="${txId}"]`)).toBeVisible();
  await goToRoute(page, '#/submissions');
  await row.getByRole('link', { name: `Transaction ${txId}` }).click();
  await expect(page).toHaveURL(new RegExp(`#/tx/${txId}$`));
  await expect(title(page)).toContainText('Transaction');

  // The Overview lists it too, newest first.
  await goToRoute(page, '#/');
  const overviewRow = submissionRows(yourSubmissions(page)).first();
  await expect(overviewRow).toHaveAttribute('data-submission', txId as string);
  await expect(overviewRow).toHaveAttribute('data-status', 'committed');
  await expect(overviewRow).toContainText(`In block ${height}`);
  await screenshotFromTop(page, testInfo, 'submissions-overview');
});

test('submissions journalled before a crash are sent again when the node starts: one commits, the other is refused with the reason', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const dataDir = await buildDemoFolder(scratchDir);
  // Two votes of this console on Lakeside Community Clinic, left in the journal as a crash
  // leaves them: the first decides the join request, so the second can no longer apply.
  const lakeside = proposalAbout(dataDir, 'lakeside-community-clinic');
  const now = Date.now();
  const approve = journalDemoVote(dataDir, {
    member: ME,
    proposalId: lakeside,
    choice: 'approve',
    submittedAt: now - 120_000,
  });
  const reject = journalDemoVote(dataDir, {
    member: ME,
    proposalId: lakeside,
    choice: 'reject',
    submittedAt: now - 60_000,
  });

  const server = await serveDir(dataDir);
  await unlockDemo(page, server);

  const rows = submissionRows(yourSubmissions(page));
  await expect(rows).toHaveCount(2);
  const refused = rows.nth(0);
  const committed = rows.nth(1);
  await expect(refused).toHaveAttribute('data-submission', reject);
  await expect(refused).toHaveAttribute('data-status', 'refused');
  await expect(refused.getByRole('rowheader')).toContainText(
    'Vote reject: Admit Lakeside Community Clinic (clinic)',
  );
  await expect(refused.locator('.submission-refusal')).toHaveText(
    'The proposal is already approved.',
  );
  await expect(refused).toContainText('Nothing was written to the chain');
  await expect(committed).toHaveAttribute('data-submission', approve);
  await expect(committed).toHaveAttribute('data-status', 'committed');
  await expect(committed.getByRole('link', { name: /^block \d+$/ })).toBeVisible();
  await screenshotFromTop(page, testInfo, 'submissions-refused-overview');

  await goToRoute(page, '#/submissions');
  await expect(title(page)).toHaveText('Your submissions');
  await expect(page.locator('.submission-counts')).toHaveText(
    '0 waiting for a block, 1 committed, 1 refused.',
  );
  await expect(
    submissionRows(page.locator('main')).first().locator('.submission-refusal'),
  ).toHaveText('The proposal is already approved.');
  await screenshotFromTop(page, testInfo, 'submissions-refused');
  await page.setViewportSize({ width: 1024, height: 768 });
  await screenshotFromTop(page, testInfo, 'submissions-refused-1024');
});
