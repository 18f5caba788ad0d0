import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import {
  carechain,
  expect,
  journalDemoVote,
  proposalAbout,
  stat,
  test,
  title,
  withReplicaDb,
  type ConsoleServer,
  buildDemoFolder,
  goToRoute,
  screenshotFromTop,
  unlockDemo,
} from './console-fixture';

/*
 * A node whose actions could never commit: a replica found damaged when the node started (it is
 * served read-only), and a node without its node key. The console says so above every page and
 * turns every action off where the user would act, with the reason there too.
 */

const ME = 'st-marys-hospital';
const APEX = 'Apex Biologics Inc';
const LAKESIDE = 'Lakeside Community Clinic';

function banner(page: Page): Locator {
  return page.getByTestId('write-block-banner');
}

function joinRequest(page: Page, legalName: string): Locator {
  return page.getByRole('region', { name: `Join request: ${legalName}` });
}

/**
 * What `carechain serve` logged about the replica it serves read-only: height and reason. Awaited:
 * serve writes it to stderr, and the console link that tells the test serve is up comes on
 * stdout, another pipe, which this process may read first.
 */
async function loggedProblem(
  server: ConsoleServer,
): Promise<{ height: number | null; reason: string }> {
  const logged = () => /the replica is served read-only: (?:block (\d+): )?(.+)/.exec(server.log());
  await expect
    .poll(() => logged()?.[2], { message: `carechain serve logged no read-only replica` })
    .toBeTruthy();
  const match = logged() as RegExpExecArray;
  return {
    height: match[1] === undefined ? null : Number(match[1]),
    reason: (match[2] as string).trim(),
  };
}

test('a replica edited behind the node is served read-only: a banner on every page, votes and proposals off with the reason', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const dataDir = await buildDemoFolder(scratchDir);
  // A vote of this console left in the journal, then derived state edited in chain.db.
  const vote = journalDemoVote(dataDir, {
    member: ME,
    proposalId: proposalAbout(dataDir, 'apex-biologics'),
    choice: 'approve',
    submittedAt: Date.now() - 90_000,
  });
  withReplicaDb(dataDir, (db) => {
    const changed = db
      .prepare("UPDATE members SET status = 'suspended' WHERE id = 'citycare-pharmacy'")
      .run().changes;
    expect(changed).toBe(1);
  });

  const server = await serveDir(dataDir);
  const problem = await loggedProblem(server);
  expect(problem.height).not.toBeNull();
  await unlockDemo(page, server);

  // The banner: what happened, in plain words, and what to do.
  const alert = banner(page);
  await expect(alert).toHaveAttribute('role', 'alert');
  const reason = problem.reason.replace(/\.$/, '');
  await expect(alert.locator('.banner-title')).toHaveText(
    `This replica is read-only: it failed its integrity check at block ${problem.height}: ${reason}.`,
  );
  await expect(alert).toContainText('Nothing can be signed until it is repaired');
  await expect(alert.locator('code')).toHaveText(`carechain verify --dir ${dataDir}`);
  // And the CLI agrees that the replica does not verify.
  const verify = await carechain(['verify', '--dir', dataDir]);
  expect(verify.code).toBe(1);

  // Overview: the policy proposal is off, with the reason; the journalled vote is kept.
  const policy = stat(page, 'Governance policy');
  await expect(policy.getByRole('button', { name: 'Propose a policy change' })).toBeDisabled();
  const proposingOff = `Proposing is off while this replica is read-only: it failed its integrity check at block ${problem.height} and must be repaired first.`;
  await expect(
    policy.getByRole('button', { name: 'Propose a policy change' }),
  ).toHaveAccessibleDescription(proposingOff);
  const kept = page
    .getByRole('region', { name: 'Your submissions' })
    .locator(`tr[data-submission="${vote}"]`);
  await expect(kept).toHaveAttribute('data-status', 'pending');
  await expect(kept).toContainText('Kept, and sent again once the replica is repaired.');
  await screenshotFromTop(page, testInfo, 'read-only-overview');

  // Members: both join requests keep their Approve and Reject buttons, off, with the reason.
  await goToRoute(page, '#/members');
  await expect(title(page)).toHaveText('Members');
  await expect(banner(page)).toBeVisible();
  const votingOff = `Voting is off while this replica is read-only: it failed its integrity check at block ${problem.height} and must be repaired first.`;
  for (const name of [APEX, LAKESIDE]) {
    const card = joinRequest(page, name);
    for (const button of ['Approve', 'Reject']) {
      await expect(card.getByRole('button', { name: button })).toBeDisabled();
      await expect(card.getByRole('button', { name: button })).toHaveAccessibleDescription(
        votingOff,
      );
    }
    await expect(card.getByTestId('vote-blocked')).toHaveText(votingOff);
  }
  await screenshotFromTop(page, testInfo, 'read-only-members');

  // A member page: the proposals are listed, all off, and no form opens.
  await goToRoute(page, '#/members/northwind-pharma');
  await expect(title(page)).toContainText('Northwind');
  const propose = page.getByRole('region', { name: 'Propose', exact: true });
  const buttons = propose.getByRole('group').getByRole('button');
  await expect(buttons.first()).toBeVisible();
  for (const button of await buttons.all()) await expect(button).toBeDisabled();
  await expect(propose.getByTestId('propose-blocked')).toHaveText(proposingOff);
  await expect(banner(page)).toBeVisible();
  await screenshotFromTop(page, testInfo, 'read-only-member');

  // Every page carries the banner: Blocks and Your submissions too.
  await goToRoute(page, '#/blocks');
  await expect(title(page)).toHaveText('Blocks');
  await expect(banner(page)).toBeVisible();
  await goToRoute(page, '#/submissions');
  await expect(title(page)).toHaveText('Your submissions');
  await expect(banner(page)).toBeVisible();

  // At 1024 px the banner and the disabled controls still read well.
  await page.setViewportSize({ width: 1024, height: 768 });
  await goToRoute(page, '#/');
  await expect(title(page)).toHaveText('Overview');
  await screenshotFromTop(page, testInfo, 'read-only-overview-1024');
  await goToRoute(page, '#/members');
  await expect(joinRequest(page, APEX).getByTestId('vote-blocked')).toBeVisible();
  await screenshotFromTop(page, testInfo, 'read-only-members-1024');
});

test('a node without its node key says nothing signed would commit, and turns votes and proposals off', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const dataDir = await buildDemoFolder(scratchDir);
  rmSync(path.join(dataDir, 'node-key.json'));
  const server = await serveDir(dataDir);
  await unlockDemo(page, server);

  const notice = banner(page);
  await expect(notice).toHaveAttribute('role', 'status');
  await expect(notice.locator('.banner-title')).toHaveText(
    'Nothing signed from this console would commit.',
  );
  await expect(notice).toContainText('This node has no node key (node-key.json)');
  await expect(
    stat(page, 'Governance policy').getByRole('button', { name: 'Propose a policy change' }),
  ).toBeDisabled();
  await screenshotFromTop(page, testInfo, 'write-blocked-overview');

  await goToRoute(page, '#/members');
  const card = joinRequest(page, APEX);
  await expect(card.getByRole('button', { name: 'Approve' })).toBeDisabled();
  await expect(card.getByTestId('vote-blocked')).toHaveText(
    /^Voting is off: this node has no node key \(node-key\.json\).*\.$/,
  );
  await screenshotFromTop(page, testInfo, 'write-blocked-members');
});
