import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, screenshot, stat, test, title } from './console-fixture';

/*
 * `carechain serve` on an empty data folder: the first-run screen, and what the console and its
 * RPC do with a missing or wrong per-run token.
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
  await expect(page.getByRole('region', { name: 'Run a node of a real consortium' })).toContainText(
    'carechain keygen --out FILE',
  );
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
  await expect(stat(page, 'Members').getByRole('listitem').first()).toHaveText('active 6');
  await expect(stat(page, 'Open proposals').locator('.stat-number')).toHaveText('2');

  // The demo it built is a valid chain.
  const verify = await server.cli(['verify', '--dir', scratchDir]);
  expect(verify.code).toBe(0);
  expect(verify.stdout).toMatch(/^OK: \d+ blocks/);
});

test('opened without its token, the console asks for the URL printed by carechain serve', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(scratchDir);
  await page.goto(`${server.origin}/`);
  await expect(title(page)).toHaveText('Open the console link');
  await expect(page.getByRole('main')).toContainText('Open the URL printed by carechain serve');
  await expect(page.getByRole('main')).toContainText('http://127.0.0.1:PORT/#token=…');
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await screenshot(page, testInfo, 'no-token');
});

test('a wrong token shows the expired-link screen and is forgotten', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(scratchDir);
  await page.goto(`${server.origin}/#token=${'A'.repeat(32)}`);
  await expect(title(page)).toHaveText('This console link has expired');
  await expect(page.getByRole('main')).toContainText('did not accept this link');
  await expect(page.getByRole('main')).toContainText('Open the URL printed by carechain serve');
  await expect(page).not.toHaveURL(/token=/);
  expect(await page.evaluate(() => sessionStorage.getItem('carechain.token'))).toBeNull();
  await screenshot(page, testInfo, 'expired-link');

  // The right link, pasted into the same tab, connects.
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Welcome to CareChain Console');
});

test('the RPC and the event socket refuse requests without the token, and nothing is written', async ({
  page,
  serveDir,
  scratchDir,
}) => {
  const server = await serveDir(scratchDir);
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Welcome to CareChain Console');
  const rpcUrl = `${server.origin}/rpc`;

  // From outside the page: no token, then a wrong one.
  const bare = await page.request.post(rpcUrl, {
    data: { method: 'session.openDemo', params: {} },
  });
  expect(bare.status()).toBe(401);
  expect(await bare.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  const wrong = await page.request.post(rpcUrl, {
    data: { method: 'session.openDemo', params: {} },
    headers: { Authorization: 'Bearer not-the-token' },
  });
  expect(wrong.status()).toBe(401);
  expect(existsSync(path.join(scratchDir, 'chain.db'))).toBe(false);

  // From the console's own page (same origin), without and with the token it holds.
  const fromPage = await page.evaluate(async () => {
    const call = async (headers: Record<string, string>) => {
      const response = await fetch('/rpc', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ method: 'session.get', params: {} }),
      });
      return { status: response.status, body: (await response.json()) as unknown };
    };
    const token = sessionStorage.getItem('carechain.token') ?? '';
    return {
      without: await call({}),
      withToken: await call({ Authorization: `Bearer ${token}` }),
    };
  });
  expect(fromPage.without.status).toBe(401);
  expect(fromPage.without.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  expect(fromPage.withToken.status).toBe(200);
  expect(fromPage.withToken.body).toMatchObject({ ok: true, result: { hasReplica: false } });

  // Live events need the token too.
  const socket = await page.evaluate(async () => {
    const attempt = (query: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}/events${query}`);
        ws.onopen = () => {
          ws.close();
          resolve('open');
        };
        ws.onerror = () => resolve('refused');
      });
    const token = sessionStorage.getItem('carechain.token') ?? '';
    return {
      without: await attempt(''),
      wrong: await attempt('?token=not-the-token'),
      withToken: await attempt(`?token=${encodeURIComponent(token)}`),
    };
  });
  expect(socket).toEqual({ without: 'refused', wrong: 'refused', withToken: 'open' });
});
