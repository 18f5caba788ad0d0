import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { createDevnet } from '../../main/cli/devnet';
import { Replica } from '../../main/store/replica';
import { CLI, REPO } from '../support/cli';
import { freePorts } from '../support/ports';
import {
  expect,
  screenshotFromTop,
  test,
  title,
  unlockDemo,
  type ConsoleServer,
} from './console-fixture';

/*
 * Joining a running network (issue 8, Done means; docs/sync.md §9), in Chromium: a devnet of
 * four validators, three of them served by `carechain serve` (their consoles' nodes take part
 * in the network) and one run as `carechain node`. St Mary's administrator makes an invitation in
 * node 1's console; the new organisation joins in its own console, served on an empty folder,
 * through the first-run screen's join form (a damaged invitation is refused at its field first);
 * the join request reaches every member's console, and the administrators of St Mary's,
 * Northwind and Atlas approve it in their own consoles. The third approval admits Harbour
 * Clinic: it is listed as a member, its console says so, and its node joins the network and
 * syncs to the others' head.
 */

const APPLICANT = 'Harbour Clinic';

/** As the proposal card words a count of approvals. */
function approvals(n: number): string {
  return `${n} ${n === 1 ? 'approval' : 'approvals'}`;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function head(dir: string): { height: number; hash: string } {
  const replica = Replica.open(path.join(dir, 'chain.db'), { readonly: true });
  try {
    const tip = replica.tip();
    return { height: tip.height, hash: tip.hash };
  } finally {
    replica.close();
  }
}

async function consoleOf(browser: Browser, server: ConsoleServer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await unlockDemo(page, server);
  return page;
}

async function openMembers(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Members' })
    .click();
  await expect(title(page)).toHaveText('Members');
}

test('a new member’s join request is approved in the consoles of existing members; admitted, its node syncs', async ({
  browser,
  serveDir,
  scratchDir,
}, testInfo) => {
  test.setTimeout(180_000);
  const root = path.join(scratchDir, 'devnet');
  const basePort = await freePorts(16);
  const devnet = createDevnet({ nodes: 4, dir: root, basePort });
  const dirs = devnet.nodes.map((n) => path.join(root, n.dir));
  const children: ChildProcess[] = [
    spawn(process.execPath, [CLI, 'node', '--dir', dirs[3] as string], {
      cwd: REPO,
      stdio: 'ignore',
    }),
  ];
  try {
    const servers: ConsoleServer[] = [];
    for (const dir of dirs.slice(0, 3)) servers.push(await serveDir(dir));

    // An invitation from node 1, made in its console by St Mary's administrator.
    const pages: Page[] = [];
    for (const server of servers) pages.push(await consoleOf(browser, server));
    const inviter = pages[0] as Page;
    await openMembers(inviter);
    const inviting = inviter.getByRole('region', { name: 'Invite an organisation' });
    await inviting.getByLabel('Valid for').selectOption('3');
    await inviting.getByRole('button', { name: 'Make an invitation' }).click();
    const made = inviting.getByTestId('invitation');
    await expect(made).toContainText('An invitation to carechain-devnet, valid until');
    const invitation = ((await made.locator('code').textContent()) ?? '').trim();
    expect(invitation).toMatch(/^carechain-invite:1:[A-Za-z0-9_-]+$/);
    await screenshotFromTop(inviter, testInfo, 'join-invitation-made');

    // The new organisation joins in its own console, served on an empty folder: the first-run
    // screen's join form makes its keys and sends the signed request; then it waits.
    const newDir = path.join(scratchDir, 'harbour');
    mkdirSync(newDir);
    const applicant = await (
      await browser.newContext({ viewport: { width: 1280, height: 900 } })
    ).newPage();
    await applicant.goto((await serveDir(newDir)).url);
    await expect(title(applicant)).toHaveText('Welcome to CareChain Console');
    await applicant.getByRole('button', { name: 'Join with an invitation' }).click();
    await expect(title(applicant)).toHaveText('Join a consortium network');
    const form = applicant.getByRole('form', { name: 'Join request' });
    await form.getByLabel('Invitation').fill(`${invitation.slice(0, -3)}!!!`);
    await form.getByLabel('Organisation’s legal name').fill(APPLICANT);
    await form.getByLabel('Kind of organisation').selectOption('clinic');
    await form.getByLabel('This node’s address').fill(`tcp://127.0.0.1:${basePort + 10}`);
    await form.getByLabel('Passphrase', { exact: true }).fill('harbour-passphrase');
    await form.getByLabel('Confirm passphrase').fill('harbour-passphrase');
    await form.getByRole('button', { name: 'Send the join request' }).click();
    // A damaged invitation is refused at its field, and nothing is written.
    await expect(applicant.locator('#join-invitation-error')).toContainText('cut off or damaged', {
      timeout: 30_000,
    });
    expect(existsSync(path.join(newDir, 'chain.db'))).toBe(false);
    await screenshotFromTop(applicant, testInfo, 'join-form-error');
    await form.getByLabel('Invitation').fill(invitation);
    await form.getByRole('button', { name: 'Send the join request' }).click();
    await expect(title(applicant)).toHaveText('Overview', { timeout: 60_000 });
    const banner = applicant.getByTestId('join-banner');
    await expect(banner).toContainText('Your join request as harbour-clinic: under vote', {
      timeout: 30_000,
    });
    await expect(banner).toContainText('0 approvals of 3 needed');
    await screenshotFromTop(applicant, testInfo, 'join-request-sent');

    // Every member's console shows the join request; three administrators approve it.
    for (const [i, page] of pages.entries()) {
      await openMembers(page);
      const card = page.getByRole('region', { name: `Join request: ${APPLICANT}` });
      await expect(card).toBeVisible({ timeout: 30_000 });
      await expect(card).toContainText('clinic');
      await expect(card.getByText(/ of \d+ needed, /)).toHaveText(
        `${approvals(i)} of 3 needed, 0 rejections, 5 eligible`,
        { timeout: 30_000 },
      );
      if (i === 0) await screenshotFromTop(page, testInfo, 'join-request-in-console');
      await card.getByRole('button', { name: 'Approve' }).click();
      if (i < 2) {
        await expect(card.getByTestId('vote-status')).toHaveText('Your vote: approve', {
          timeout: 30_000,
        });
        await expect(card.getByText(/ of \d+ needed, /)).toHaveText(
          `${approvals(i + 1)} of 3 needed, 0 rejections, 5 eligible`,
          { timeout: 30_000 },
        );
      } else {
        await expect(
          page
            .getByRole('status')
            .filter({ hasText: `Join request: ${APPLICANT} was approved in block` }),
        ).toBeVisible({ timeout: 30_000 });
      }
    }

    // Admitted: a member in every console.
    for (const page of pages) {
      await expect(page.getByRole('region', { name: `Join request: ${APPLICANT}` })).toHaveCount(
        0,
        { timeout: 30_000 },
      );
    }
    const first = pages[0] as Page;
    await expect(first.locator('tr[data-member="harbour-clinic"]')).toContainText('active', {
      timeout: 30_000,
    });
    await screenshotFromTop(first, testInfo, 'join-admitted-members');
    // The applicant's console: admitted, its node on the network and synced to the others.
    await expect(banner).toContainText('The members admitted harbour-clinic.', {
      timeout: 30_000,
    });
    const target = head(dirs[0] as string);
    await applicant
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Network' })
      .click();
    await expect(title(applicant)).toHaveText('Network');
    await expect(
      applicant
        .getByRole('region', { name: 'Peers', exact: true })
        .locator('tr[data-state="connected"]')
        .first(),
    ).toBeVisible({ timeout: 60_000 });
    await expect
      .poll(() => head(newDir).height, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(target.height);
    await screenshotFromTop(applicant, testInfo, 'join-applicant-network');

    // The first console's Network page: the new member's node among its peers.
    await first
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Network' })
      .click();
    await expect(title(first)).toHaveText('Network');
    await expect(
      first
        .getByRole('region', { name: 'Peers', exact: true })
        .locator('tr[data-peer="harbour-clinic"]'),
    ).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
    await screenshotFromTop(first, testInfo, 'join-new-node-peer');
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map(exited));
  }
});
