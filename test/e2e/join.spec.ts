import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { createDevnet } from '../../main/cli/devnet';
import { Replica } from '../../main/store/replica';
import { CLI, REPO } from '../support/cli';
import {
  carechain,
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
 * in the network) and one run as `carechain node`. Node 1 invites a new organisation
 * (`carechain invite`); the organisation joins with `carechain join`; the join request reaches
 * every member's console, and the administrators of St Mary's, Northwind and Atlas approve it
 * in their own consoles. The third approval admits Harbour Clinic: it is listed as a member,
 * and its node, started by `carechain join` once admitted, syncs to the others' head.
 */

const APPLICANT = 'Harbour Clinic';

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
  const basePort = 20_000 + Math.floor(Math.random() * 30_000);
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

    // An invitation from node 1, made beside its running console.
    const invited = await carechain(['invite', '--dir', dirs[0] as string]);
    expect(invited.code, invited.stderr).toBe(0);
    const invitation = invited.stdout.trim();

    // The new organisation joins with it: keys, genesis, the signed request; then it waits.
    const newDir = path.join(scratchDir, 'harbour');
    const join = spawn(
      process.execPath,
      [
        CLI,
        'join',
        '--invite',
        invitation,
        '--dir',
        newDir,
        '--name',
        APPLICANT,
        '--kind',
        'clinic',
        '--endpoint',
        `tcp://127.0.0.1:${basePort + 10}`,
        '--poll',
        '1',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(join);
    let joinOutput = '';
    join.stdout.on('data', (d: Buffer) => (joinOutput += d.toString()));
    join.stderr.on('data', (d: Buffer) => (joinOutput += d.toString()));
    await expect.poll(() => joinOutput, { timeout: 60_000 }).toMatch(/under vote/);

    // Every member's console shows the join request; three administrators approve it.
    const pages: Page[] = [];
    for (const server of servers) pages.push(await consoleOf(browser, server));
    for (const [i, page] of pages.entries()) {
      await openMembers(page);
      const card = page.getByRole('region', { name: `Join request: ${APPLICANT}` });
      await expect(card).toBeVisible({ timeout: 30_000 });
      await expect(card).toContainText('clinic');
      await expect(card.getByText(/approvals needed/)).toHaveText(
        `${i} of 3 approvals needed, 0 rejections, 5 eligible`,
        { timeout: 30_000 },
      );
      if (i === 0) await screenshotFromTop(page, testInfo, 'join-request-in-console');
      await card.getByRole('button', { name: 'Approve' }).click();
      if (i < 2) {
        await expect(card.getByTestId('vote-status')).toHaveText('Your vote: approve', {
          timeout: 30_000,
        });
        await expect(card.getByText(/approvals needed/)).toHaveText(
          `${i + 1} of 3 approvals needed, 0 rejections, 5 eligible`,
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

    // Admitted: a member in every console, and `carechain join` runs its node, which syncs.
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
    await expect.poll(() => joinOutput, { timeout: 60_000 }).toMatch(/on the network as/);
    const target = head(dirs[0] as string);
    await expect
      .poll(() => head(newDir).height, { timeout: 60_000 })
      .toBeGreaterThanOrEqual(target.height);

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
    expect(joinOutput).not.toMatch(/did not sign|consensus stopped/);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map(exited));
  }
});
