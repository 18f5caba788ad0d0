import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import {
  buildDemoFolder,
  expect,
  screenshotFromTop,
  test,
  title,
  unlockDemo,
} from './console-fixture';

/*
 * The Research section (renderer/research/) on a fresh demo, as St Mary's: the demo's studies,
 * anchoring a new study's protocol from a file chosen in the browser (only its SHA-256 leaves
 * the page), verifying that file (match), a changed copy (no anchor), anchoring version 2 and
 * seeing version 1 superseded, the study's documents in order in time, the demo trial's
 * pre-registration, and forms that refuse at the field and sign nothing.
 */

const STUDY = 'NCT09990777';
const PROTOCOL_V1 = 'SMH-ED-07 protocol\nVersion 1.0\nPrimary outcome: walking at day 30.\n';
const PROTOCOL_V2 = 'SMH-ED-07 protocol\nVersion 2.0\nPrimary outcome: walking at day 30.\n';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function researchTab(page: Page, name: string): Locator {
  return page
    .getByRole('navigation', { name: 'Research' })
    .getByRole('link', { name, exact: true });
}

/** Chooses a file in a FileDrop (by its label) and waits until it is hashed. */
async function chooseFile(page: Page, label: string, file: string, text: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).setInputFiles(file);
  const zone = page.locator('.file-drop');
  await expect(zone.locator('.file-drop-facts')).toContainText(path.basename(file));
  await expect(zone.locator('.file-drop-facts code')).toHaveText(sha256(text));
}

async function anchorFile(page: Page, file: string, text: string, version: string) {
  await researchTab(page, 'Anchor a file').click();
  await expect(title(page)).toHaveText('Anchor a file');
  await chooseFile(page, 'Document', file, text);
  await page.getByLabel('Study registry id').fill(STUDY);
  await expect(page.getByLabel('Version', { exact: true })).toHaveValue(version);
  await page.getByRole('button', { name: 'Sign and anchor' }).click();
  const committed = page.getByTestId('anchor-committed');
  await expect(committed).toContainText(
    `Anchor protocol v${version} of study ${sha256(STUDY).slice(0, 8)}…`,
  );
  await expect(committed).toContainText(/Anchored in block \d+/);
}

async function verifyFile(page: Page, file: string, text: string): Promise<Locator> {
  await researchTab(page, 'Verify a file').click();
  await expect(title(page)).toHaveText('Verify a file');
  await chooseFile(page, 'File', file, text);
  const verdict = page.getByTestId('file-verdict');
  await expect(verdict).toContainText(sha256(text));
  return verdict;
}

test('anchor a file, verify it, a changed copy and a superseded version; a study in order in time', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  test.setTimeout(150_000);
  const dataDir = await buildDemoFolder(scratchDir);
  const server = await serveDir(dataDir);
  await unlockDemo(page, server);
  const v1 = path.join(scratchDir, 'protocol-v1.txt');
  const v2 = path.join(scratchDir, 'protocol-v2.txt');
  writeFileSync(v1, PROTOCOL_V1);
  writeFileSync(v2, PROTOCOL_V2);

  // The section in the main navigation opens the studies: the demo's two.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Research' })
    .click();
  await expect(page).toHaveURL(/#\/research\/studies$/);
  await expect(title(page)).toHaveText('Studies');
  await expect(researchTab(page, 'Studies')).toHaveAttribute('aria-current', 'page');
  const rows = page.getByRole('table', { name: 'Studies' }).locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Helix Clinical Research Institute');
  await expect(rows.nth(1)).toContainText("St Mary's University Hospital");
  await expect(rows.nth(1)).toContainText('yours');
  await screenshotFromTop(page, testInfo, 'research-studies');

  // Anchor: the page says that only the hash leaves the machine; a form with nothing in it is
  // refused at its fields, and nothing is signed.
  await researchTab(page, 'Anchor a file').click();
  await expect(page.locator('.file-drop-privacy')).toContainText(
    'only its SHA-256 leaves this machine',
  );
  await page.getByRole('button', { name: 'Sign and anchor' }).click();
  await expect(page.locator('#anchor-file-error')).toHaveText('Choose the file to anchor.');
  await expect(page.getByLabel('Study registry id')).toHaveAccessibleDescription(
    /Give the study’s registry id, e.g\. NCT01234567\.$/,
  );
  await page.getByLabel('Study registry id').fill('N#1');
  await page.getByRole('button', { name: 'Sign and anchor' }).click();
  await expect(page.getByLabel('Study registry id')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Study registry id')).toHaveAccessibleDescription(
    /A registry id is 3 to 64 letters and digits/,
  );
  // The demo trial is the research institute's: only its sponsor anchors.
  await page.getByLabel('Study registry id').fill('nct 0999 0017');
  await expect(page.getByTestId('anchor-study-status')).toContainText(
    'sponsored by Helix Clinical Research Institute, who alone anchors its documents',
  );
  await chooseFile(page, 'Document', v1, PROTOCOL_V1);
  await page.getByRole('button', { name: 'Sign and anchor' }).click();
  await expect(page.getByLabel('Study registry id')).toHaveAccessibleDescription(
    /Only the study’s sponsor, Helix Clinical Research Institute, anchors its documents\.$/,
  );
  await expect(page.getByTestId('anchor-pending')).toHaveCount(0);
  await screenshotFromTop(page, testInfo, 'research-anchor-refused');

  // A new study: its protocol v1, from a file chosen in the browser.
  await page.getByLabel('Study registry id').fill(STUDY);
  await expect(page.getByTestId('anchor-study-status')).toContainText(
    "Not on chain yet: anchoring its protocol v1 makes St Mary's University Hospital its sponsor.",
  );
  await expect(page.getByTestId('anchor-study-status')).toContainText(sha256(STUDY).slice(0, 8));
  await page.getByRole('button', { name: 'Sign and anchor' }).click();
  await expect(page.getByTestId('anchor-committed')).toContainText(/Anchored in block \d+/);
  await screenshotFromTop(page, testInfo, 'research-anchor-committed');

  // Verify: the file matches, with its block, time, transaction and inclusion proof.
  const match = await verifyFile(page, v1, PROTOCOL_V1);
  await expect(match).toHaveAttribute('data-status', 'match');
  await expect(match.locator('.verdict-word')).toHaveText('Anchored ✓');
  await expect(match).toContainText(
    `The file is the protocol v1 of study ${sha256(STUDY).slice(0, 8)}…, anchored by St Mary's University Hospital.`,
  );
  await expect(match).toContainText(
    /Anchored in block \d+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · transaction/,
  );
  await expect(match).toContainText('Inclusion proof verified');
  await expect(match.getByRole('link', { name: /^transaction / })).toHaveAttribute(
    'href',
    /^#\/tx\/[0-9a-f]{64}$/,
  );
  await screenshotFromTop(page, testInfo, 'research-verify-match');

  // A changed copy (one byte more), dropped on the page, has no anchor.
  const dropped = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'protocol-v1-edited.txt', { type: 'text/plain' }));
    return transfer;
  }, `${PROTOCOL_V1} `);
  await page.getByTestId('verify-file-zone').dispatchEvent('dragover', { dataTransfer: dropped });
  await expect(page.getByTestId('verify-file-zone')).toHaveClass(/file-drop-over/);
  await page.getByTestId('verify-file-zone').dispatchEvent('drop', { dataTransfer: dropped });
  const none = page.getByTestId('file-verdict');
  await expect(none).toContainText(sha256(`${PROTOCOL_V1} `));
  await expect(page.locator('.file-drop-facts')).toContainText('protocol-v1-edited.txt');
  await expect(none).toHaveAttribute('data-status', 'no-anchor');
  await expect(none.locator('.verdict-word')).toHaveText('No anchor ✗');
  await expect(none).toContainText('No anchor on this chain holds this file’s SHA-256.');
  await screenshotFromTop(page, testInfo, 'research-verify-no-anchor');

  // Version 2: the form suggests it; version 1 is then superseded.
  await anchorFile(page, v2, PROTOCOL_V2, '2');
  const superseded = await verifyFile(page, v1, PROTOCOL_V1);
  await expect(superseded).toHaveAttribute('data-status', 'superseded');
  await expect(superseded.locator('.verdict-word')).toHaveText('Superseded');
  await expect(superseded.getByTestId('superseded-by')).toContainText(
    /Superseded by v2, anchored in block \d+/,
  );
  await screenshotFromTop(page, testInfo, 'research-verify-superseded');
  // The command line hashes the same file the same way and gives the same answer.
  const cli = await server.cli(['anchor', 'verify', v1, '--dir', dataDir]);
  expect(cli.code).toBe(4);
  expect(cli.stdout).toContain(`sha256 ${sha256(PROTOCOL_V1)}`);

  // The study: its documents in order, v1 superseded by v2.
  await superseded.getByRole('link', { name: `${sha256(STUDY).slice(0, 8)}…` }).click();
  await expect(title(page)).toHaveText(`Study ${sha256(STUDY).slice(0, 8)}…`);
  const steps = page.getByRole('list', { name: 'Anchors of the study' }).locator(':scope > li');
  await expect(steps).toHaveCount(2);
  await expect(steps.nth(0)).toContainText('Protocol v1');
  await expect(steps.nth(0)).toContainText('Superseded by v2');
  await expect(steps.nth(1)).toContainText('Protocol v2');
  await expect(steps.nth(1)).toContainText('Current');
  await page.getByLabel('Is this the study I think it is?').fill(STUDY.toLowerCase());
  await page.getByRole('button', { name: 'Check' }).click();
  await expect(page.locator('.check-ok')).toHaveText(
    `${STUDY.toLowerCase()} is this study: its SHA-256 is the study hash.`,
  );
  await screenshotFromTop(page, testInfo, 'research-study');

  // From the study, its sponsor anchors another document: the form knows the study, offers its
  // protocol versions (the latest first) and the next version of each kind.
  await page.getByRole('link', { name: 'Anchor a document of this study' }).click();
  await expect(title(page)).toHaveText('Anchor a file');
  await expect(page.getByLabel('Study registry id')).toHaveAccessibleDescription(
    `Study ${sha256(STUDY).slice(0, 8)}…, from its page. Type its registry id to anchor for another study.`,
  );
  await expect(page.getByTestId('anchor-study-status')).toContainText(
    "sponsored by St Mary's University Hospital; 2 documents anchored.",
  );
  await page.getByLabel('Kind of document').selectOption('outcomes');
  await expect(page.getByLabel('Version', { exact: true })).toHaveValue('1');
  await expect(page.getByLabel('Protocol version')).toHaveValue('2');
  await expect(page.getByLabel('Protocol version').locator('option')).toHaveText([
    'Protocol v2',
    'Protocol v1',
  ]);
  await screenshotFromTop(page, testInfo, 'research-anchor-for-study');

  // The demo trial, found by its registry id: its results were pre-registered.
  await researchTab(page, 'Studies').click();
  await page.getByLabel('Find a study by its registry id').fill('NCT09990017');
  await page.getByRole('button', { name: 'Find' }).click();
  await expect(title(page)).toHaveText(`Study ${sha256('NCT09990017').slice(0, 8)}…`);
  const trial = page.getByRole('list', { name: 'Anchors of the study' }).locator(':scope > li');
  await expect(trial).toHaveCount(5);
  await expect(trial.nth(0)).toContainText('Protocol v1');
  await expect(trial.nth(1)).toContainText('Outcome definitions v1');
  await expect(trial.nth(4)).toContainText('Result set v1');
  await expect(trial.nth(4).getByTestId('pre-registration')).toContainText(
    /^Pre-registered\s*Pre-registered: outcome definitions v1 anchored \d+ days/,
  );
  await expect(trial.nth(4).getByRole('list', { name: 'Order in time' }).locator('li')).toHaveText([
    /^Outcome definitions v1 in block \d+\d+ days · \d+ blocks before$/,
    /^Statistical analysis plan v1 in block \d+\d+ days · \d+ blocks before$/,
    'These results',
  ]);
  await screenshotFromTop(page, testInfo, 'research-study-pre-registered');

  // St Mary's own study defined its outcomes after its results.
  await page.getByRole('link', { name: '← Studies' }).click();
  await page
    .locator(`tr[data-study="${sha256('2025-500731-12-00')}"]`)
    .getByRole('rowheader')
    .getByRole('link')
    .click();
  const own = page.getByRole('list', { name: 'Anchors of the study' }).locator(':scope > li');
  await expect(own.locator('[data-testid="pre-registration"]')).toContainText(
    /^Not pre-registered\s*Not pre-registered: .*Anchored after them: outcome definitions v1/,
  );
  await screenshotFromTop(page, testInfo, 'research-study-not-pre-registered');

  // At 1024 wide the anchor form still reads in one piece.
  await page.setViewportSize({ width: 1024, height: 800 });
  await researchTab(page, 'Anchor a file').click();
  await expect(title(page)).toHaveText('Anchor a file');
  await screenshotFromTop(page, testInfo, 'research-anchor-1024');
});
