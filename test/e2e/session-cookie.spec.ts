import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chromium, request, type APIRequestContext, type BrowserContext } from '@playwright/test';
import {
  expect,
  initConsortium,
  screenshot,
  test,
  title,
  type ConsoleServer,
} from './console-fixture';

/*
 * Browser mode signs a browser in with a one-time console link that leaves an HttpOnly session
 * cookie behind: nothing the page's scripts can read, and nothing in the browser's history that
 * could open the console again.
 */

/** The one-time code a console link carries. */
function codeOf(link: string): string {
  const code = new URL(link).searchParams.get('code');
  if (!code) throw new Error(`not a console link: ${link}`);
  return code;
}

/** Every console link `carechain serve` printed so far, oldest first. */
function printedLinks(server: ConsoleServer): string[] {
  return [...server.log().matchAll(/open (http:\/\/127\.0\.0\.1:\d+\/login\?code=\S+)/g)].map(
    (match) => match[1] as string,
  );
}

/** An HTTP client with no cookies: a process that is not the signed-in browser. */
function stranger(): Promise<APIRequestContext> {
  return request.newContext();
}

async function sessionCookie(context: BrowserContext, server: ConsoleServer) {
  const cookies = await context.cookies(server.origin);
  const port = new URL(server.origin).port;
  return cookies.find((cookie) => cookie.name === `carechain_session_${port}`);
}

test('the console link signs one browser in with an HttpOnly, SameSite=Strict cookie that reloads and new tabs share', async ({
  page,
  browser,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(scratchDir);
  const link = server.url;
  await page.goto(link);
  await expect(title(page)).toHaveText('Welcome to CareChain Console');
  // The page that runs was reached by a 303: its address holds no code.
  expect(page.url()).not.toContain('code=');
  expect(new URL(page.url()).pathname).toBe('/');

  const cookie = await sessionCookie(page.context(), server);
  expect(cookie).toMatchObject({
    httpOnly: true,
    sameSite: 'Strict',
    path: '/',
    domain: '127.0.0.1',
    // A session cookie: never written to disk with an expiry.
    expires: -1,
  });
  expect(cookie?.value).toMatch(/^[\w-]{40,}$/);
  // Nothing for a script of the page to read or leave behind.
  expect(
    await page.evaluate(() => ({
      cookie: document.cookie,
      session: sessionStorage.length,
      local: localStorage.length,
    })),
  ).toEqual({ cookie: '', session: 0, local: 0 });

  await page.reload();
  await expect(title(page)).toHaveText('Welcome to CareChain Console');
  const tab = await page.context().newPage();
  await tab.goto(`${server.origin}/`);
  await expect(title(tab)).toHaveText('Welcome to CareChain Console');
  // Opening the used link again in the signed-in browser just goes on to the console.
  await tab.goto(link);
  await expect(title(tab)).toHaveText('Welcome to CareChain Console');
  expect(tab.url()).toBe(`${server.origin}/`);

  // Another browser cannot use the same link again, and is told why.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(link);
  await expect(title(otherPage)).toHaveText('This console link was already used');
  await expect(otherPage.getByRole('main')).toContainText('prints a new one');
  expect(await sessionCookie(other, server)).toBeUndefined();
  await screenshot(otherPage, testInfo, 'console-link-used');
  await otherPage.goto(`${server.origin}/`);
  await expect(title(otherPage)).toHaveText('Open the console link');
  await expect(otherPage.getByRole('main')).toContainText('http://127.0.0.1:PORT/login?code=…');
  await screenshot(otherPage, testInfo, 'no-session');

  // serve printed a new link when the first was used: it signs the other browser in.
  const next = server.url;
  expect(next).not.toBe(link);
  expect(server.log()).toContain(`That console link has been used and will not work again`);
  await otherPage.goto(next);
  await expect(title(otherPage)).toHaveText('Welcome to CareChain Console');
  expect((await sessionCookie(other, server))?.value).not.toBe(cookie?.value);
  await other.close();

  // A request without the cookie is refused, whatever else it carries.
  const outside = await stranger();
  try {
    const body = { method: 'session.get', params: {} };
    const bare = await outside.post(`${server.origin}/rpc`, { data: body });
    expect(bare.status()).toBe(401);
    expect(await bare.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const bearer = await outside.post(`${server.origin}/rpc`, {
      data: body,
      headers: { Authorization: `Bearer ${cookie?.value}` },
    });
    expect(bearer.status()).toBe(401);
    const wrong = await outside.post(`${server.origin}/rpc`, {
      data: body,
      headers: { Cookie: `${cookie?.name}=${'A'.repeat(43)}` },
    });
    expect(wrong.status()).toBe(401);
  } finally {
    await outside.dispose();
  }
});

test('the browser history holds no session secret and no console link that still works', async ({
  serveDir,
  scratchDir,
}, testInfo) => {
  const { dataDir, keys } = await initConsortium(scratchDir, 'history-e2e', [
    { id: 'alpha-hospital', legalName: 'Alpha Hospital', kind: 'hospital', validator: true },
  ]);
  const adminKey = keys['alpha-hospital']?.adminFile as string;
  const server = await serveDir(dataDir);
  const link = server.url;

  const userDataDir = path.join(scratchDir, 'chromium-profile');
  const context = await chromium.launchPersistentContext(userDataDir, {
    ...testInfo.project.use.launchOptions,
    headless: true,
  });
  let secret: string | undefined;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(link);
    await expect(title(page)).toHaveText('Create your console profile');
    await page.getByLabel('Key file').setInputFiles(adminKey);
    await page.getByLabel('Passphrase', { exact: true }).fill('alpha-admin-2024');
    await page.getByLabel('Confirm passphrase').fill('alpha-admin-2024');
    await page.getByRole('button', { name: 'Create profile' }).click();
    await expect(title(page)).toHaveText('Overview');
    await expect(page.getByTitle('Live updates from the node')).toHaveText('Live');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Members', exact: true })
      .click();
    await expect(title(page)).toHaveText('Members');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Blocks', exact: true })
      .click();
    await expect(title(page)).toHaveText('Blocks');
    await page.reload();
    await expect(title(page)).toHaveText('Blocks');
    secret = (await sessionCookie(context, server))?.value;
  } finally {
    await context.close();
  }
  expect(secret).toMatch(/^[\w-]{40,}$/);

  // Read a copy: Chromium's files are its own, even after it closed.
  const historyFile = path.join(userDataDir, 'Default', 'History');
  expect(existsSync(historyFile)).toBe(true);
  const copyDir = path.join(scratchDir, 'history-copy');
  mkdirSync(copyDir);
  for (const suffix of ['', '-journal', '-wal']) {
    if (existsSync(historyFile + suffix)) {
      copyFileSync(historyFile + suffix, path.join(copyDir, `History${suffix}`));
    }
  }
  const history = new Database(path.join(copyDir, 'History'));
  let urls: string[];
  let everything: string;
  try {
    urls = history
      .prepare<[], { url: string }>('SELECT url FROM urls')
      .all()
      .map((row) => row.url);
    // Every text and blob in every table, not only the URL list.
    const tables = history
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all();
    const cells: string[] = [];
    for (const { name } of tables) {
      for (const row of history.prepare(`SELECT * FROM "${name}"`).all() as object[]) {
        for (const value of Object.values(row)) {
          if (typeof value === 'string') cells.push(value);
          else if (Buffer.isBuffer(value)) cells.push(value.toString('latin1'));
        }
      }
    }
    everything = cells.join('\n');
  } finally {
    history.close();
  }
  await testInfo.attach('history urls', { body: urls.join('\n'), contentType: 'text/plain' });

  // The history is real: it holds the console and the link that opened it.
  expect(urls).toContain(`${server.origin}/`);
  expect(urls).toContain(link);
  expect(everything).not.toContain(secret as string);

  // The links serve printed that still work appear nowhere; every code that does appear has
  // been used, and replaying it is refused.
  const printed = printedLinks(server);
  expect(printed.length).toBeGreaterThanOrEqual(2);
  const unused = printed.filter((printedLink) => !urls.includes(printedLink));
  expect(unused).toContain(server.url);
  for (const valid of unused) expect(everything).not.toContain(codeOf(valid));
  const outside = await stranger();
  try {
    for (const url of urls.filter((u) => u.includes('code='))) {
      const replay = await outside.get(url, { maxRedirects: 0 });
      expect(replay.status(), url).toBe(403);
      expect(await replay.text()).toContain('This console link was already used');
      expect(replay.headers()['set-cookie']).toBeUndefined();
    }
  } finally {
    await outside.dispose();
  }
});
