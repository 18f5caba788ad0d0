import type { Locator, Page } from '@playwright/test';
import { expect, screenshot, stat, test, title, type DemoServer } from './console-fixture';

/*
 * The walk of issue 2 through the console of a fresh demo (main/service/demo.ts): unlock the
 * profile of St Mary's University Hospital, vote on both pending join requests (one is decided
 * by that vote), then find the votes in Blocks and check the replica with `carechain verify`.
 * The tests build on each other, in order, against the one demo the `server` fixture serves.
 */
test.describe.configure({ mode: 'serial' });

const PASSPHRASE = 'carechain-demo';
const ME = "St Mary's University Hospital";
const LAKESIDE = 'Lakeside Community Clinic';
const APEX = 'Apex Biologics Inc';

/** Found by earlier tests, used by later ones. */
const found = {
  lakesideProposal: '',
  apexProposal: '',
  /** The block that holds the console's vote on Apex Biologics (it stays open). */
  apexVoteHeight: 0,
  /** The block that holds the console's deciding vote on Lakeside Community Clinic. */
  decidedHeight: 0,
};

function nav(page: Page, name: 'Overview' | 'Members' | 'Blocks'): Locator {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

function joinRequest(page: Page, legalName: string): Locator {
  return page.getByRole('region', { name: `Join request: ${legalName}` });
}

/** The id of an open proposal, from the heading its card is labelled by. */
async function proposalIdOf(card: Locator): Promise<string> {
  const headingId = await card.getByRole('heading', { level: 3 }).getAttribute('id');
  const id = /^proposal-([0-9a-f]{64})$/.exec(headingId ?? '')?.[1];
  if (!id) throw new Error(`the proposal card's heading has no proposal id: ${headingId}`);
  return id;
}

/** Opens the console link in a new tab; the profile is unlocked by the first test. */
async function openUnlockedConsole(page: Page, server: DemoServer): Promise<void> {
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Overview');
}

async function expectOverview(
  page: Page,
  expected: { height: number; active: number; openProposals: number },
): Promise<void> {
  await expect(title(page)).toHaveText('Overview');
  await expect(stat(page, 'Chain height').getByRole('link')).toHaveText(String(expected.height));
  await expect(
    page.getByRole('link', { name: `Height ${expected.height}, open block` }),
  ).toBeVisible();
  const members = stat(page, 'Members');
  await expect(members.getByRole('listitem')).toHaveText([
    `active ${expected.active}`,
    'suspended 0',
    'revoked 0',
  ]);
  await expect(members.locator('.stat-number')).toHaveText(String(expected.active));
  await expect(stat(page, 'Open proposals').locator('.stat-number')).toHaveText(
    String(expected.openProposals),
  );
  await expect(stat(page, 'Governance policy')).toContainText(
    'Approval by a majority of active members',
  );
}

/**
 * The Overview's sections after the console's vote decided Lakeside Community Clinic: the
 * deciding block heads Recent blocks, the admission heads Recent decisions, linking to it.
 */
async function expectRecentAfterVotes(page: Page): Promise<void> {
  const blocks = page.getByRole('region', { name: 'Recent blocks' });
  await expect(blocks.getByRole('link', { name: 'All blocks' })).toHaveAttribute(
    'href',
    '#/blocks',
  );
  const blockRows = blocks.locator('tbody tr');
  await expect(blockRows).toHaveCount(8);
  const newest = blockRows.first();
  await expect(newest).toHaveAttribute('data-height', String(found.decidedHeight));
  await expect(newest.getByRole('link', { name: `Block ${found.decidedHeight}` })).toHaveAttribute(
    'href',
    `#/blocks/${found.decidedHeight}`,
  );
  await expect(newest.getByRole('cell').nth(1)).toHaveText(ME);
  await expect(newest.getByRole('cell').nth(2)).toHaveText('1');
  await expect(newest.getByRole('cell').nth(3)).toHaveText(
    `Vote approve: Admit ${LAKESIDE} (clinic)` + `Decided: Join request: ${LAKESIDE}, approved`,
  );
  await expect(blockRows.nth(1)).toHaveAttribute('data-height', String(found.apexVoteHeight));

  const decisions = page.getByRole('region', { name: 'Recent decisions' });
  await expect(decisions.getByRole('link', { name: 'All in Members' })).toHaveAttribute(
    'href',
    '#/members',
  );
  await expect(decisions.locator('tbody tr')).toHaveCount(5);
  const latest = decisions.locator('tbody tr').first();
  await expect(latest).toHaveAttribute('data-proposal', found.lakesideProposal);
  await expect(latest.getByRole('rowheader')).toHaveText(`Join request: ${LAKESIDE}`);
  await expect(latest.getByRole('cell').first()).toHaveText('approved');
  await expect(
    latest.getByRole('link', { name: `block ${found.decidedHeight}`, exact: true }),
  ).toHaveAttribute('href', `#/blocks/${found.decidedHeight}`);
}

/** The one transaction of a block page: a vote by this console's member; returns its id. */
async function expectOnlyOurVote(page: Page, height: number): Promise<string> {
  await expect(title(page)).toHaveText(`Block ${height}`);
  const txs = page.locator('tr[data-tx]');
  await expect(txs).toHaveCount(1);
  await expect(txs.getByRole('cell').nth(1)).toHaveText('governance.vote');
  await expect(txs.getByRole('cell').nth(2)).toHaveText(ME);
  const id = await txs.getAttribute('data-tx');
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  return id as string;
}

test('the console opens locked; a wrong passphrase is refused, the right one opens the Overview', async ({
  page,
  server,
}, testInfo) => {
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Unlock your profile');
  // The one-time code of the console link never stays in the address bar.
  await expect(page).not.toHaveURL(/code=/);
  await expect(page.getByText(`Signing as ${ME} (hospital)`)).toBeVisible();
  await expect(page.getByText(`Demo profile: the passphrase is ${PASSPHRASE}`)).toBeVisible();
  await screenshot(page, testInfo, 'unlock');

  const passphrase = page.getByLabel('Passphrase');
  const unlock = page.getByRole('button', { name: 'Unlock' });

  await unlock.click();
  await expect(passphrase).toHaveAccessibleDescription('Enter the passphrase of this profile.');

  await passphrase.fill('carechain-dem0');
  await unlock.click();
  await expect(passphrase).toHaveAccessibleDescription('The passphrase is not correct.');
  await expect(passphrase).toHaveAttribute('aria-invalid', 'true');
  const error = page.getByRole('alert').filter({ hasText: 'The passphrase is not correct.' });
  const fieldBox = await passphrase.boundingBox();
  const errorBox = await error.boundingBox();
  expect(fieldBox && errorBox && errorBox.y >= fieldBox.y + fieldBox.height).toBe(true);
  await expect(title(page)).toHaveText('Unlock your profile');
  await screenshot(page, testInfo, 'unlock-wrong-passphrase');

  // Still locked on the node service, not just on this screen.
  await page.reload();
  await expect(title(page)).toHaveText('Unlock your profile');
  await expect(nav(page, 'Members')).toHaveCount(0);

  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expectOverview(page, { height: server.demoHeight, active: 10, openProposals: 2 });
  await expect(page.getByLabel('Signed in as')).toHaveText(`${ME}hospital`);
  await expect(page.getByTitle('Live updates from the node')).toHaveText('Live');
  await screenshot(page, testInfo, 'overview');
});

test('approving both join requests: Apex Biologics stays open, Lakeside Community Clinic is decided live', async ({
  page,
  server,
}, testInfo) => {
  // A second tab stays on the Overview: its recent blocks and decisions must follow live.
  const overviewTab = await page.context().newPage();
  await openUnlockedConsole(overviewTab, server);
  await expect(
    overviewTab.getByRole('region', { name: 'Recent blocks' }).locator('tbody tr').first(),
  ).toHaveAttribute('data-height', String(server.demoHeight));
  await overviewTab.evaluate(() => {
    (window as Window & { e2eNoReload?: boolean }).e2eNoReload = true;
  });

  await openUnlockedConsole(page, server);
  await nav(page, 'Members').click();
  await expect(page).toHaveURL(/#\/members$/);
  await expect(title(page)).toHaveText('Members');
  await expect(page.getByRole('heading', { name: /^Open proposals/ })).toHaveText(
    'Open proposals2',
  );

  const apex = joinRequest(page, APEX);
  const lakeside = joinRequest(page, LAKESIDE);
  await expect(apex.getByText(/ of \d+ needed, /)).toHaveText(
    '1 approval of 6 needed, 1 rejection, 10 eligible',
  );
  await expect(lakeside.getByText(/ of \d+ needed, /)).toHaveText(
    '5 approvals of 6 needed, 0 rejections, 10 eligible',
  );
  // Who voted, and how.
  await expect(apex.getByRole('list', { name: 'Votes' }).getByRole('listitem')).toHaveCount(2);
  await expect(
    apex.getByRole('listitem').filter({ hasText: 'CityCare Pharmacy Group' }),
  ).toContainText('reject');
  await expect(
    apex.getByRole('listitem').filter({ hasText: 'Helix Clinical Research Institute' }),
  ).toContainText('approve');
  for (const voter of [
    'Northwind Pharmaceuticals Ltd',
    'MedLine Distribution GmbH',
    'National Medicines Agency',
  ]) {
    await expect(lakeside.getByRole('listitem').filter({ hasText: voter })).toContainText(
      'approve',
    );
  }
  await expect(apex.getByTestId('vote-status')).toHaveText('You have not voted on this proposal.');
  await expect(lakeside.getByTestId('vote-status')).toHaveText(
    'You have not voted on this proposal.',
  );
  found.apexProposal = await proposalIdOf(apex);
  found.lakesideProposal = await proposalIdOf(lakeside);
  await screenshot(page, testInfo, 'members');

  // Everything below must arrive live: a reload would drop this marker.
  await page.evaluate(() => {
    (window as Window & { e2eNoReload?: boolean }).e2eNoReload = true;
  });

  // Apex Biologics: one more approval is not enough.
  await apex.getByRole('button', { name: 'Approve' }).click();
  await expect(apex.getByTestId('vote-status')).toHaveText('Your vote: approve');
  await expect(apex.getByText(/ of \d+ needed, /)).toHaveText(
    '2 approvals of 6 needed, 1 rejection, 10 eligible',
  );
  const myApexVote = apex.getByRole('listitem').filter({ hasText: ME });
  await expect(myApexVote).toContainText('approve');
  found.apexVoteHeight = Number(
    /block (\d+)/.exec(
      (await myApexVote.getByRole('link', { name: /^block / }).textContent()) ?? '',
    )?.[1],
  );
  expect(found.apexVoteHeight).toBe(server.demoHeight + 1);
  // The vote can still be changed, but not cast twice.
  await expect(apex.getByRole('button', { name: 'Approve' })).toBeDisabled();
  await expect(apex.getByRole('button', { name: 'Reject' })).toBeEnabled();
  await expect(apex).toBeVisible();

  // Lakeside Community Clinic: the sixth approval decides it.
  await lakeside.getByRole('button', { name: 'Approve' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: `Join request: ${LAKESIDE} was approved in block` }),
  ).toHaveText(`Join request: ${LAKESIDE} was approved in block ${server.demoHeight + 2}.`);
  found.decidedHeight = server.demoHeight + 2;
  await expect(lakeside).toHaveCount(0);
  // Apex Biologics is still open, and the new member may vote on it too.
  await expect(apex.getByText(/ of \d+ needed, /)).toHaveText(
    '2 approvals of 6 needed, 1 rejection, 11 eligible',
  );
  await expect(page.getByRole('heading', { name: /^Open proposals/ })).toHaveText(
    'Open proposals1',
  );

  const decided = page.getByRole('region', { name: 'Decided proposals' });
  const decidedRow = decided.getByRole('row', { name: new RegExp(LAKESIDE) });
  await expect(decidedRow).toHaveAttribute('data-proposal', found.lakesideProposal);
  await expect(decidedRow.getByRole('cell').first()).toHaveText('approved');
  await expect(decidedRow).toContainText('6 approve · 0 reject');
  await expect(
    decidedRow.getByRole('link', { name: `block ${found.decidedHeight}`, exact: true }),
  ).toBeVisible();
  // Newest decision first.
  await expect(decided.locator('tbody tr').first()).toHaveAttribute(
    'data-proposal',
    found.lakesideProposal,
  );

  const newMember = page.locator('tr[data-member="lakeside-community-clinic"]');
  await expect(newMember.getByRole('rowheader')).toHaveText(LAKESIDE);
  await expect(newMember.getByRole('cell')).toHaveText([
    'lakeside-community-clinic',
    'clinic',
    'active',
    'No',
    String(found.decidedHeight),
  ]);
  await expect(page.getByRole('heading', { name: /^Member organisations/ })).toHaveText(
    'Member organisations11',
  );
  expect(
    await page.evaluate(() => (window as Window & { e2eNoReload?: boolean }).e2eNoReload),
  ).toBe(true);
  await screenshot(page, testInfo, 'members-after-votes');

  await expectRecentAfterVotes(overviewTab);
  expect(
    await overviewTab.evaluate(() => (window as Window & { e2eNoReload?: boolean }).e2eNoReload),
  ).toBe(true);
  await overviewTab.close();

  await newMember.getByRole('link', { name: LAKESIDE }).click();
  await expect(page).toHaveURL(/#\/members\/lakeside-community-clinic$/);
  await expect(title(page)).toHaveText(`${LAKESIDE} active`);
  const organisation = page.getByRole('region', { name: 'Organisation' });
  await expect(organisation).toContainText('lakeside-community-clinic');
  await expect(organisation).toContainText('tcp://node.lakeside.example:7400');
  await expect(
    organisation.getByRole('link', { name: `block ${found.decidedHeight}` }),
  ).toBeVisible();
  const history = page.getByRole('region', { name: 'History' });
  const admitted = history.getByRole('row', { name: new RegExp(`Join request: ${LAKESIDE}`) });
  await expect(admitted).toContainText('approved');
  await expect(admitted).toContainText('6 approve · 0 reject');
  await expect(admitted.getByRole('link', { name: `block ${found.decidedHeight}` })).toBeVisible();
  await screenshot(page, testInfo, 'member-detail');

  await nav(page, 'Overview').click();
  await expectOverview(page, { height: found.decidedHeight, active: 11, openProposals: 1 });
  await expectRecentAfterVotes(page);
  await screenshot(page, testInfo, 'overview-after-votes');
  // The narrowest window the console supports (body min-width) must still read well.
  await page.setViewportSize({ width: 1024, height: 768 });
  await screenshot(page, testInfo, 'overview-after-votes-1024');
});

test('Blocks: the deciding block holds the vote, whose signature and inclusion verify; search finds blocks and transactions', async ({
  page,
  server,
}, testInfo) => {
  expect(found.decidedHeight).toBeGreaterThan(0);
  await openUnlockedConsole(page, server);

  // From the decision to its block.
  await nav(page, 'Members').click();
  await page
    .getByRole('region', { name: 'Decided proposals' })
    .getByRole('row', { name: new RegExp(LAKESIDE) })
    .getByRole('link', { name: `block ${found.decidedHeight}`, exact: true })
    .click();
  await expect(page).toHaveURL(new RegExp(`#/blocks/${found.decidedHeight}$`));
  const voteTx = await expectOnlyOurVote(page, found.decidedHeight);
  const header = page.getByRole('region', { name: 'Header' });
  await expect(header).toContainText(`Height${found.decidedHeight}`);
  await expect(header).toContainText('Transactions1');
  await expect(header.getByRole('link', { name: ME })).toBeVisible();
  const certificate = page.getByRole('region', { name: 'Commit certificate' });
  await expect(certificate).toContainText('Signed in round 0 by 1 validator.');
  await expect(certificate.getByRole('row').filter({ hasText: ME })).toHaveCount(1);
  await expect(page.getByRole('navigation', { name: 'Neighbouring blocks' })).toContainText(
    'Newest block',
  );
  await screenshot(page, testInfo, 'block-detail');

  // The vote transaction itself.
  await page.locator(`tr[data-tx="${voteTx}"]`).getByRole('link').first().click();
  await expect(page).toHaveURL(new RegExp(`#/tx/${voteTx}$`));
  await expect(title(page)).toHaveText(`Transaction ${voteTx.slice(0, 8)}…${voteTx.slice(-8)}`);
  await expect(page.getByTestId('signature-status')).toHaveText('Signature valid ✓');
  await expect(page.getByTestId('inclusion-status')).toHaveText('Included in Merkle root ✓');
  const facts = page.getByRole('region', { name: 'Transaction', exact: true });
  await expect(facts).toContainText('Typegovernance.vote');
  await expect(facts.getByRole('link', { name: ME })).toBeVisible();
  await expect(facts).toContainText(`block ${found.decidedHeight}, position 0`);
  const body = page.getByRole('region', { name: 'Signed body' });
  await expect(body).toContainText(`"proposalId": "${found.lakesideProposal}"`);
  await expect(body).toContainText('"choice": "approve"');
  await expect(body).toContainText('"member": "st-marys-hospital"');
  await screenshot(page, testInfo, 'tx-detail');

  // The list: newest first, the two vote blocks on top.
  await nav(page, 'Blocks').click();
  await expect(page).toHaveURL(/#\/blocks$/);
  await expect(title(page)).toHaveText('Blocks');
  const rows = page.locator('tr[data-height]');
  await expect(rows.first()).toHaveAttribute('data-height', String(found.decidedHeight));
  await expect(rows.nth(1)).toHaveAttribute('data-height', String(found.apexVoteHeight));
  const newest = page.locator(`tr[data-height="${found.decidedHeight}"]`);
  await expect(newest.getByRole('cell').nth(2)).toHaveText(ME);
  await expect(newest.getByRole('cell').nth(3)).toHaveText('1');
  await expect(page.getByRole('navigation', { name: 'Block pages' })).toContainText(
    `Heights ${found.decidedHeight} down to`,
  );
  await expect(page.getByRole('navigation', { name: 'Block pages' })).toContainText(
    `${found.decidedHeight + 1} blocks in the chain`,
  );
  await screenshot(page, testInfo, 'blocks');

  // Search by height: the block of the vote on Apex Biologics.
  const search = page.getByLabel('Find a block or transaction');
  const go = page.getByRole('button', { name: 'Go' });
  await search.fill(String(found.apexVoteHeight));
  await go.click();
  await expect(page).toHaveURL(new RegExp(`#/blocks/${found.apexVoteHeight}$`));
  const apexVoteTx = await expectOnlyOurVote(page, found.apexVoteHeight);
  await page.locator(`tr[data-tx="${apexVoteTx}"]`).getByRole('link').first().click();
  await expect(page.getByRole('region', { name: 'Signed body' })).toContainText(
    `"proposalId": "${found.apexProposal}"`,
  );

  // Search by transaction id (pasted in capitals, with spaces around it).
  await nav(page, 'Blocks').click();
  await search.fill(`  ${voteTx.toUpperCase()} `);
  await go.click();
  await expect(page).toHaveURL(new RegExp(`#/tx/${voteTx}$`));
  await expect(page.getByTestId('signature-status')).toHaveText('Signature valid ✓');

  // Input that is neither, stays on the list with the error under the search box.
  await nav(page, 'Blocks').click();
  await search.fill('block twelve');
  await go.click();
  await expect(search).toHaveAccessibleDescription(
    'Enter a block height (a number) or a transaction id (64 hex digits).',
  );
  await expect(search).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/#\/blocks$/);
  await screenshot(page, testInfo, 'blocks-search-error');
  // Typing again clears it.
  await search.fill('1');
  await expect(search).not.toHaveAttribute('aria-invalid', 'true');

  // Well-formed but absent: the pages say so, and point to the newest block.
  await search.fill(String(found.decidedHeight + 1000));
  await go.click();
  await expect(title(page)).toHaveText(`Block ${found.decidedHeight + 1000}`);
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(
    page.getByRole('link', { name: `Newest block (${found.decidedHeight})` }),
  ).toBeVisible();
  await nav(page, 'Blocks').click();
  await search.fill('0'.repeat(64));
  await go.click();
  await expect(page).toHaveURL(new RegExp(`#/tx/${'0'.repeat(64)}$`));
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByTestId('signature-status')).toHaveCount(0);
});

test('carechain verify accepts the replica the console wrote to', async ({ server }) => {
  expect(found.decidedHeight).toBeGreaterThan(0);
  const result = await server.cli(['verify', '--dir', server.dataDir]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(
    new RegExp(
      `^OK: ${found.decidedHeight + 1} blocks and \\d+ transactions verified from genesis to height ${found.decidedHeight}\\n$`,
    ),
  );
});
