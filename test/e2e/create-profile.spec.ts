import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, initConsortium, keygen, screenshot, stat, test } from './console-fixture';

/*
 * A consortium founded on the command line (`carechain keygen`, `carechain init`) and served
 * without a profile: the console asks for an admin key file and a passphrase. Bad input is
 * refused where the user acted and leaves no profile behind; a founder's admin key makes one.
 */

const FOUNDER = 'Riverside General Hospital';
const PASSPHRASE = 'riverside-admin-2024';

interface Chain {
  dataDir: string;
  profile: string;
  adminKey: string;
  nodeKey: string;
  outsiderKey: string;
  founders: string;
}

/** A one-member consortium made the way a real founder makes one, and a stranger's key. */
async function foundChain(dir: string): Promise<Chain> {
  const outsiderKey = path.join(dir, 'outsider-admin.json');
  const [{ dataDir, foundersFile, keys }] = await Promise.all([
    initConsortium(dir, 'riverside-e2e', [
      { id: 'riverside-general', legalName: FOUNDER, kind: 'hospital', validator: true },
    ]),
    keygen(outsiderKey),
  ]);
  const riverside = keys['riverside-general'];
  if (!riverside) throw new Error('no keys for riverside-general');
  return {
    dataDir,
    profile: path.join(dataDir, 'profile.json'),
    adminKey: riverside.adminFile,
    nodeKey: riverside.nodeFile,
    outsiderKey,
    founders: foundersFile,
  };
}

function form(page: Page) {
  return {
    title: page.getByRole('heading', { level: 1 }),
    keyFile: page.getByLabel('Key file'),
    passphrase: page.getByLabel('Passphrase', { exact: true }),
    confirm: page.getByLabel('Confirm passphrase'),
    create: page.getByRole('button', { name: 'Create profile' }),
  };
}

/** The field shows `message` as its error (under it, tied to it), the other fields none. */
async function expectOnlyError(
  fields: Locator[],
  invalid: Locator,
  message: string,
): Promise<void> {
  // The error comes after the field's hint, if it has one.
  const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await expect(invalid).toHaveAccessibleDescription(new RegExp(`(^|\\. )${escaped}$`));
  await expect(invalid).toHaveAttribute('aria-invalid', 'true');
  const fieldBox = await invalid.boundingBox();
  const errorBox = await invalid
    .page()
    .getByRole('alert')
    .filter({ hasText: message })
    .boundingBox();
  expect(fieldBox && errorBox && errorBox.y >= fieldBox.y + fieldBox.height).toBe(true);
  for (const field of fields) {
    if (field !== invalid) await expect(field).not.toHaveAttribute('aria-invalid', 'true');
  }
}

test('bad key files and passphrases are refused at their field and create no profile', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const chain = await foundChain(scratchDir);
  const server = await serveDir(chain.dataDir);
  await page.goto(server.url);
  const f = form(page);
  const fields = [f.keyFile, f.passphrase, f.confirm];
  await expect(f.title).toHaveText('Create your console profile');
  await screenshot(page, testInfo, 'create-profile');

  const attempt = async (
    keyFile: string | { name: string; mimeType: string; buffer: Buffer } | null,
    passphrase: string,
    confirm: string,
  ) => {
    if (keyFile !== null) await f.keyFile.setInputFiles(keyFile);
    await f.passphrase.fill(passphrase);
    await f.confirm.fill(confirm);
    await f.create.click();
  };

  // Nothing chosen.
  await attempt(null, PASSPHRASE, PASSPHRASE);
  await expectOnlyError(
    fields,
    f.keyFile,
    'Choose the key file of one of your organisation’s admin keys.',
  );

  // A text file, not a key file.
  await attempt(
    { name: 'meeting-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Agenda: vote\n') },
    PASSPHRASE,
    PASSPHRASE,
  );
  await expectOnlyError(fields, f.keyFile, 'The key file is not JSON.');
  await screenshot(page, testInfo, 'create-profile-not-a-key');

  // JSON, but not a key file (the founders file).
  await attempt(chain.founders, PASSPHRASE, PASSPHRASE);
  await expectOnlyError(
    fields,
    f.keyFile,
    'The key file is not a CareChain key file (as written by carechain keygen).',
  );

  // An empty file.
  await attempt(
    { name: 'empty.json', mimeType: 'application/json', buffer: Buffer.alloc(0) },
    PASSPHRASE,
    PASSPHRASE,
  );
  await expectOnlyError(fields, f.keyFile, 'Choose a key file.');

  // A real key file, but no member's admin key: the node key, and a stranger's key.
  for (const key of [chain.nodeKey, chain.outsiderKey]) {
    await attempt(key, PASSPHRASE, PASSPHRASE);
    await expectOnlyError(
      fields,
      f.keyFile,
      'This key is not an admin key of any member of the consortium.',
    );
  }

  // The right key, but the passphrases differ, or are too short.
  await attempt(chain.adminKey, PASSPHRASE, `${PASSPHRASE}!`);
  await expectOnlyError(fields, f.confirm, 'The two passphrases differ.');
  await screenshot(page, testInfo, 'create-profile-passphrases-differ');
  await attempt(chain.adminKey, 'short', 'short');
  await expectOnlyError(fields, f.passphrase, 'The passphrase has at least 8 characters.');

  await expect(f.title).toHaveText('Create your console profile');
  expect(existsSync(chain.profile)).toBe(false);
  // The node service has no profile either: a new tab asks again.
  await page.reload();
  await expect(form(page).title).toHaveText('Create your console profile');
  expect(existsSync(chain.profile)).toBe(false);
});

test("a founder's admin key file and a passphrase create the profile and open the console", async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const chain = await foundChain(scratchDir);
  const server = await serveDir(chain.dataDir);
  await page.goto(server.url);
  const f = form(page);
  await expect(f.title).toHaveText('Create your console profile');

  await f.keyFile.setInputFiles(chain.adminKey);
  await f.passphrase.fill(PASSPHRASE);
  await f.confirm.fill(PASSPHRASE);
  await f.create.click();

  await expect(f.title).toHaveText('Overview');
  await expect(page.getByLabel('Signed in as')).toHaveText(`${FOUNDER}hospital`);
  await expect(page.getByRole('main')).toContainText('Chain riverside-e2e');
  await expect(stat(page, 'Chain height').locator('.stat-number')).toHaveText('0');
  await expect(stat(page, 'Members').getByRole('listitem').first()).toHaveText('active 1');
  await expect(stat(page, 'Open proposals').locator('.stat-number')).toHaveText('0');
  // A fresh chain: genesis is its only block, and nothing has been decided.
  const blocks = page.getByRole('region', { name: 'Recent blocks' });
  await expect(blocks.locator('tbody tr')).toHaveCount(1);
  await expect(blocks.locator('tbody tr')).toHaveAttribute('data-height', '0');
  await expect(blocks).toContainText('Only the genesis block so far');
  const decisions = page.getByRole('region', { name: 'Recent decisions' });
  await expect(decisions.getByText('No proposal has been decided yet.')).toBeVisible();
  await expect(decisions.getByRole('table')).toHaveCount(0);
  await screenshot(page, testInfo, 'create-profile-overview');

  // The profile is on disk, sealed: the key's secret is not in it in the clear.
  expect(existsSync(chain.profile)).toBe(true);
  const secret = (JSON.parse(readFileSync(chain.adminKey, 'utf8')) as { secretKey: string })
    .secretKey;
  const profile = readFileSync(chain.profile, 'utf8');
  expect(profile).toContain('riverside-general');
  expect(profile).not.toContain(secret);

  // The new profile is this member's: its page says so.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Members' })
    .click();
  await expect(page.locator('tr[data-member="riverside-general"]')).toContainText('(you)');
});
