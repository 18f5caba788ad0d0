import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { buildDemoFolder, expect, keygen, screenshot, test, title } from './console-fixture';

/*
 * Rotating the admin key this console signs with (St Mary's in the demo): the form offers no
 * bare public key, only a key the node service generates or a key file, so the console always
 * holds the new secret key. The approval and the switch are covered by
 * test/integration/key-rotation.test.ts, where the other members can vote.
 */

const ME = "St Mary's University Hospital";

/** Records every proposals.create request the page sends. */
function watchProposals(page: Page): Record<string, unknown>[] {
  const sent: Record<string, unknown>[] = [];
  page.on('request', (request) => {
    if (!request.url().endsWith('/rpc') || request.method() !== 'POST') return;
    const body = request.postDataJSON() as {
      method?: string;
      params?: Record<string, unknown>;
    } | null;
    if (body?.method === 'proposals.create' && body.params) sent.push(body.params);
  });
  return sent;
}

test('rotating the console’s own admin key: a generated key, sealed by the node; a second rotation waits for the first', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const dataDir = await buildDemoFolder(scratchDir);
  const server = await serveDir(dataDir);
  await page.goto(server.url);
  await page.getByLabel('Passphrase').fill('carechain-demo');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(title(page)).toHaveText('Overview');
  const sent = watchProposals(page);

  await page.evaluate(() => {
    location.hash = '#/members/st-marys-hospital';
  });
  await expect(title(page)).toContainText(ME);
  const section = page.getByRole('region', { name: 'Propose', exact: true });
  await section.getByRole('button', { name: 'Rotate a key' }).click();
  const form = section.getByRole('form', { name: `Rotate a key of ${ME}` });

  // Its own key: no field for a bare public key, a choice of where the new key comes from.
  await expect(form.getByLabel('New public key')).toHaveCount(0);
  await expect(form.getByRole('radio', { name: 'Generate a new key' })).toBeChecked();
  const copy = form.getByRole('button', { name: 'Copy new admin key' });
  await expect(copy).toBeVisible();
  const generated = await form.locator('.key-replaced code[title]').last().getAttribute('title');
  expect(generated).toMatch(/^[0-9a-f]{64}$/);

  // A key file that is not one is refused before anything is sent.
  await form.getByRole('radio', { name: 'Use a key file' }).check();
  const fileInput = form.getByLabel('Key file of the new key');
  await fileInput.setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('not a key'),
  });
  await expect(fileInput).toHaveAttribute('aria-invalid', 'true');
  await form.getByRole('button', { name: 'Submit proposal' }).click();
  await expect(
    form.getByText('This file is not a key file made by carechain keygen.'),
  ).toBeVisible();
  expect(sent).toEqual([]);

  await form.getByRole('radio', { name: 'Generate a new key' }).check();
  // From the top, so the sticky top bar sits where it belongs in the full-page shot.
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, testInfo, 'rotate-own-admin-key');
  await form.getByRole('button', { name: 'Submit proposal' }).click();
  await expect(section.getByRole('status').first()).toContainText('Proposal open for votes');
  expect(sent).toHaveLength(1);
  expect(sent[0]).toEqual({
    action: {
      type: 'rotate-key',
      member: 'st-marys-hospital',
      role: 'admin',
      oldKey: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      newKey: generated,
    },
  });
  // The new secret key is in the profile, sealed; never in what the page sent.
  const profile = JSON.parse(readFileSync(path.join(dataDir, 'profile.json'), 'utf8')) as {
    next?: { publicKey: string };
  };
  expect(profile.next?.publicKey).toBe(generated);
  await expect(
    page.getByText(/A rotation of this console’s admin key to .* is under vote/),
  ).toBeVisible();

  // A second rotation of the same key, from a key file, waits for the first to be decided.
  const keyFile = path.join(scratchDir, 'st-marys-admin-2.json');
  const publicKey = await keygen(keyFile);
  await section.getByRole('button', { name: 'Rotate a key' }).click();
  await form.getByRole('radio', { name: 'Use a key file' }).check();
  await form.getByLabel('Key file of the new key').setInputFiles(keyFile);
  await expect(form.getByText(`${publicKey.slice(0, 8)}…${publicKey.slice(-8)}`)).toBeVisible();
  await form.getByRole('button', { name: 'Submit proposal' }).click();
  await expect(form.getByRole('alert')).toContainText(
    "The node refused the proposal: a rotation of this console's admin key to",
  );
  expect(sent).toHaveLength(2);
  expect(sent[1]).toMatchObject({ newKeyFile: readFileSync(keyFile, 'utf8') });
});
