import { existsSync } from 'node:fs';
import path from 'node:path';
import { request } from '@playwright/test';
import WebSocket from 'ws';
import { expect, screenshot, stat, test, title } from './console-fixture';

/*
 * `carechain serve` on an empty data folder: the first-run screen, and what the console and its
 * RPC do for a browser that is not signed in or follows a wrong console link.
 */

test('first run on an empty folder: "Open the demo consortium" builds the demo, then its profile unlocks', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(scratchDir);
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Welcome to CareChain Console');
  await expect(page.getByText(`Its data folder is ${scratchDir}.`)).toBeVisible();
  const demo = page.getByRole('region', { name: 'Explore the demo consortium' });
  const open = demo.getByRole('button', { name: 'Open the demo consortium' });
  await expect(open).toBeEnabled();
  await expect(page.getByRole('region', { name: 'Found a new consortium' })).toContainText(
    'carechain keygen --out FILE',
  );
  await expect(
    page
      .getByRole('region', { name: 'Join a consortium network' })
      .getByRole('button', { name: 'Join with an invitation' }),
  ).toBeEnabled();
  expect(existsSync(path.join(scratchDir, 'chain.db'))).toBe(false);
  await screenshot(page, testInfo, 'first-run');

  await open.click();
  await expect(title(page)).toHaveText('Unlock your profile', { timeout: 45_000 });
  await expect(page.getByText('Demo profile: the passphrase is carechain-demo')).toBeVisible();
  await expect(page.getByText("Signing as St Mary's University Hospital (hospital)")).toBeVisible();
  expect(existsSync(path.join(scratchDir, 'chain.db'))).toBe(true);
  expect(existsSync(path.join(scratchDir, 'profile.json'))).toBe(true);
  await screenshot(page, testInfo, 'first-run-unlock');

  await page.getByLabel('Passphrase').fill('carechain-demo');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(title(page)).toHaveText('Overview');
  await expect(stat(page, 'Members').getByRole('listitem').first()).toHaveText('active 10');
  await expect(stat(page, 'Open proposals').locator('.stat-number')).toHaveText('2');

  // The demo it built is a valid chain.
  const verify = await server.cli(['verify', '--dir', scratchDir]);
  expect(verify.code).toBe(0);
  expect(verify.stdout).toMatch(/^OK: \d+ blocks/);
});

test('opened without its console link, the console asks for the link printed by carechain serve', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(scratchDir);
  await page.goto(`${server.origin}/`);
  await expect(title(page)).toHaveText('Open the console link');
  await expect(page.getByRole('main')).toContainText('Open the link that carechain serve printed');
  await expect(page.getByRole('main')).toContainText('http://127.0.0.1:PORT/login?code=…');
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await screenshot(page, testInfo, 'no-token');
});

test('a wrong console link is refused with a page that says so', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(scratchDir);
  await page.goto(`${server.origin}/login?code=${'A'.repeat(24)}`);
  await expect(title(page)).toHaveText('This console link is not valid');
  await expect(page.getByRole('main')).toContainText('does not know this link');
  await expect(page.getByRole('main')).toContainText('prints a new one');
  expect(await page.context().cookies(server.origin)).toEqual([]);
  await screenshot(page, testInfo, 'expired-link');

  // The right link, pasted into the same tab, connects.
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Welcome to CareChain Console');
});

test('the RPC and the event socket refuse requests without the session cookie, and nothing is written', async ({
  page,
  serveDir,
  scratchDir,
}) => {
  const server = await serveDir(scratchDir);
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Welcome to CareChain Console');
  const rpcUrl = `${server.origin}/rpc`;

  // From outside the browser (its cookies are not shared): no cookie, then a wrong one.
  const outside = await request.newContext();
  try {
    const bare = await outside.post(rpcUrl, {
      data: { method: 'session.openDemo', params: {} },
    });
    expect(bare.status()).toBe(401);
    expect(await bare.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const port = new URL(server.origin).port;
    const wrong = await outside.post(rpcUrl, {
      data: { method: 'session.openDemo', params: {} },
      headers: { Cookie: `carechain_session_${port}=not-the-secret` },
    });
    expect(wrong.status()).toBe(401);
  } finally {
    await outside.dispose();
  }
  expect(existsSync(path.join(scratchDir, 'chain.db'))).toBe(false);

  // From the console's own page (same origin), without and with its cookie.
  const fromPage = await page.evaluate(async () => {
    const call = async (credentials: RequestCredentials) => {
      const response = await fetch('/rpc', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method: 'session.get', params: {} }),
        credentials,
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    return { without: await call('omit'), withCookie: await call('same-origin') };
  });
  expect(fromPage.without.status).toBe(401);
  expect(fromPage.without.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  expect(fromPage.withCookie.status).toBe(200);
  expect(fromPage.withCookie.body).toMatchObject({ ok: true, result: { hasReplica: false } });

  // Live events need the cookie too: the page's own socket opens, one without it is refused.
  const fromPageSocket = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/events`);
        ws.onopen = () => {
          ws.close();
          resolve('open');
        };
        ws.onerror = () => resolve('refused');
      }),
  );
  expect(fromPageSocket).toBe('open');
  const bareSocket = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`${server.origin.replace('http', 'ws')}/events`, {
      origin: server.origin,
    });
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('error', (error) => resolve(error.message));
  });
  expect(bareSocket).toMatch(/401/);
});
