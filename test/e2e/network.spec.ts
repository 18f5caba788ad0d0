import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { createDevnet } from '../../main/cli/devnet';
import { readKeyFile } from '../../main/service/keystore';
import { CLI, REPO } from '../support/cli';
import { freePorts } from '../support/ports';
import { withReplica } from '../support/replica-read';
import {
  buildDemoFolder,
  expect,
  screenshotFromTop,
  stat,
  test,
  title,
  unlockDemo,
} from './console-fixture';

/*
 * The Network page (renderer/network/) on a devnet of four validators: nodes 2–4 run as
 * `carechain node` processes and node 1 is served by `carechain serve`, so its console's node
 * takes part in the network. The page shows the three other validators connected, all four in
 * the validator set, heights advancing after a proposal signed in the console, and a validator
 * killed with SIGKILL as disconnected. A node whose port is taken is served and says why it is
 * not on the network; the single-validator demo is not on a network at all.
 */

const NAMES = ["St Mary's Hospital", 'Northwind Pharma', 'Atlas Distribution', 'CityCare Pharmacy'];

function section(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

function peerRow(page: Page, memberId: string): Locator {
  return section(page, 'Peers').locator(`tr[data-peer="${memberId}"]`);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

test('the Network page: peers, validators, heights after a proposal, a killed validator', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const root = path.join(scratchDir, 'devnet');
  const basePort = await freePorts(16);
  const devnet = createDevnet({ nodes: 4, dir: root, basePort });
  const nodes = [2, 3, 4].map((i) =>
    spawn(process.execPath, [CLI, 'node', '--dir', path.join(root, `node-${i}`)], {
      cwd: REPO,
      stdio: 'ignore',
    }),
  );
  try {
    const server = await serveDir(path.join(root, 'node-1'));
    await unlockDemo(page, server);

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Network' })
      .click();
    await expect(title(page)).toHaveText('Network');

    // The three other validators connect; the replica's member runs no node and is not reached.
    const peers = section(page, 'Peers');
    await expect(peers.locator('tr[data-state="connected"]')).toHaveCount(3);
    for (const node of devnet.nodes.slice(1)) {
      await expect(peerRow(page, node.id)).toContainText('connected');
      await expect(peerRow(page, node.id).locator('td').nth(1)).toHaveText('0');
    }
    // Each connected peer's round-trip time, measured by Ping and Pong.
    for (const node of devnet.nodes.slice(1)) {
      await expect(peerRow(page, node.id).getByTestId('peer-latency')).toHaveText(
        /^\d+(\.\d+)? ms$/,
      );
    }
    await expect(peerRow(page, devnet.replica.id)).toHaveAttribute('data-state', 'disconnected');
    await expect(stat(page, 'Peers')).toContainText('3connected of 4 known peers');

    // All four validators, this node among them, none with a block to count yet.
    const validators = section(page, 'Validators');
    await expect(validators.locator('tbody tr')).toHaveCount(4);
    for (const name of NAMES) await expect(validators).toContainText(name);
    await expect(validators.locator(`tr[data-validator="${devnet.nodes[0]?.id}"]`)).toContainText(
      'this node',
    );
    await expect(page.getByTestId('consensus-height')).toHaveText('1');
    await screenshotFromTop(page, testInfo, 'network-connected');

    // A proposal signed in the console: the validators decide block 1, and the page follows.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Overview' })
      .click();
    const policy = stat(page, 'Governance policy');
    await policy.getByRole('button', { name: 'Propose a policy change' }).click();
    const form = policy.getByRole('form', { name: 'Propose a policy change' });
    await form.getByLabel('Proposals stay open (hours)').fill('96');
    await form.getByRole('button', { name: 'Submit proposal' }).click();
    await expect(policy.getByRole('status')).toContainText('Proposal open for votes');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Network' })
      .click();
    await expect(page.getByTestId('consensus-height')).toHaveText('2');
    const commits = section(page, 'Commit times');
    await expect(commits.locator('tbody tr').first()).toHaveAttribute('data-height', '1');
    for (const node of devnet.nodes.slice(1)) {
      await expect(peerRow(page, node.id).locator('td').nth(1)).toHaveText('1');
    }
    // Block 1's certificate holds a quorum: at least three validators signed it.
    await expect
      .poll(() => validators.getByText('1 of 1 block', { exact: true }).count())
      .toBeGreaterThanOrEqual(3);
    await screenshotFromTop(page, testInfo, 'network-after-block');

    // CityCare's node killed: its peer row and its validator row say it is gone.
    const citycare = devnet.nodes[3];
    if (!citycare) throw new Error('the devnet has four validators');
    const killed = nodes[2] as ChildProcess;
    killed.kill('SIGKILL');
    await exited(killed);
    await expect(peerRow(page, citycare.id)).toHaveAttribute('data-state', 'disconnected');
    await expect(peerRow(page, citycare.id)).toContainText('disconnected');
    await expect(
      validators.locator(`tr[data-validator="${citycare.id}"]`).getByText('not connected'),
    ).toBeVisible();
    await expect(stat(page, 'Peers')).toContainText('2connected of 4 known peers');
    await screenshotFromTop(page, testInfo, 'network-validator-killed');
  } finally {
    for (const child of nodes) child.kill('SIGKILL');
    await Promise.all(nodes.map(exited));
  }
});

test('a node whose port is taken is served, and says why it is not on the network', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const basePort = await freePorts(16);
  createDevnet({ nodes: 4, dir: path.join(scratchDir, 'devnet'), basePort });
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(basePort, '127.0.0.1', resolve));
  try {
    const server = await serveDir(path.join(scratchDir, 'devnet', 'node-1'));
    await unlockDemo(page, server);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Network' })
      .click();
    await expect(page.getByRole('alert')).toContainText(
      `This node is not on the network. The network did not start: cannot listen on 127.0.0.1:${basePort}: address already in use (EADDRINUSE).`,
    );
    // What the replica holds is still shown: the four validators and the genesis block.
    await expect(section(page, 'Validators').locator('tbody tr')).toHaveCount(4);
    await expect(section(page, 'Commit times').locator('tbody tr')).toHaveCount(1);
    await expect(section(page, 'Peers')).toHaveCount(0);
    await screenshotFromTop(page, testInfo, 'network-not-started');
  } finally {
    blocker.close();
  }
});

test('the single-validator demo is not on a network', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(await buildDemoFolder(scratchDir));
  await unlockDemo(page, server);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Network' })
    .click();
  const off = page.getByRole('region', { name: 'Not on a network' });
  await expect(off).toContainText(
    "This chain has one validator, St Mary's University Hospital, and this node is it: it makes every block alone",
  );
  await expect(off).toContainText('carechain devnet --nodes 4 --dir devnet');
  const validators = section(page, 'Validators');
  await expect(validators.locator('tbody tr')).toHaveCount(1);
  await expect(validators).toContainText('100%');
  await expect(section(page, 'Commit times').locator('tbody tr')).toHaveCount(10);
  await expect(section(page, 'Peers')).toHaveCount(0);
  await screenshotFromTop(page, testInfo, 'network-not-on-a-network');
});

test('an administrator lifts a ban on the Network page, saying why', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const root = path.join(scratchDir, 'devnet');
  const basePort = await freePorts(16);
  const devnet = createDevnet({ nodes: 4, dir: root, basePort });
  const banned = devnet.nodes[1];
  if (!banned) throw new Error('the devnet has four validators');
  const node1 = path.join(root, 'node-1');
  const genesisHash = withReplica(node1, (replica) => replica.genesisHash());
  const until = Date.now() + 86_400_000;
  mkdirSync(path.join(node1, 'network'), { recursive: true });
  writeFileSync(
    path.join(node1, 'network', 'bans.json'),
    JSON.stringify({
      v: 1,
      genesisHash,
      bans: [
        {
          key: readKeyFile(path.join(root, banned.dir, 'node-key.json')).publicKey,
          kind: 'fatal',
          until,
          reason: 'block 3 served with a bad certificate',
          strikes: [Date.now()],
        },
        {
          key: 'ip:10.1.2.3',
          kind: 'fatal',
          until,
          reason: '5 join requests with tokens of no invitation of this node within an hour',
          strikes: [Date.now()],
        },
      ],
    }),
  );
  const server = await serveDir(node1);
  await unlockDemo(page, server);
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Network' })
    .click();
  const row = peerRow(page, banned.id);
  await expect(row).toHaveAttribute('data-state', 'banned');
  await expect(row).toContainText('Block 3 served with a bad certificate');
  // A guest address banned for unknown tokens is listed apart, with its own form.
  const guestBan = section(page, 'Peers').locator('li[data-guest-ban="10.1.2.3"]');
  await expect(guestBan).toContainText(
    '5 join requests with tokens of no invitation of this node within an hour.',
  );
  await expect(guestBan.getByRole('button', { name: 'Lift ban…' })).toBeVisible();

  await row.getByRole('button', { name: 'Lift ban…' }).click();
  // No reason: refused, and said under the field.
  await row.getByRole('button', { name: 'Lift ban', exact: true }).click();
  await expect(row.getByRole('alert')).toHaveText('Say why the ban is lifted.');
  await expect(row).toHaveAttribute('data-state', 'banned');
  await screenshotFromTop(page, testInfo, 'network-lift-ban-refused');

  await row.getByLabel('Why lift it?').fill('their operator replaced the damaged replica');
  await row.getByRole('button', { name: 'Lift ban', exact: true }).click();
  await expect(row).not.toHaveAttribute('data-state', 'banned');
  await expect(row.getByRole('button', { name: 'Lift ban…' })).toHaveCount(0);
  const file = JSON.parse(readFileSync(path.join(node1, 'network', 'bans.json'), 'utf8')) as {
    lifted: { by: string; reason: string }[];
  };
  expect(file.lifted).toMatchObject([
    { by: devnet.nodes[0]?.id, reason: 'their operator replaced the damaged replica' },
  ]);
  await screenshotFromTop(page, testInfo, 'network-ban-lifted');
});
