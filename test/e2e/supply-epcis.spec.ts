import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  expect,
  goToRoute,
  initConsortium,
  screenshotFromTop,
  test,
  title,
  type ConsoleServer,
} from './console-fixture';

/*
 * EPCIS import and export in the console, as a manufacturer's IT staff would: a document with one
 * bad event is refused whole, its bad event named by index, field and reason, and nothing is
 * written; a good one is signed and recorded with a progress bar; the member's events export as
 * a document to download.
 */

const PASSPHRASE = 'epcis-admin-2025';
const GTIN = '00312345000011';

async function foundAndOpen(
  page: Page,
  serveDir: (dir: string) => Promise<ConsoleServer>,
  scratchDir: string,
): Promise<void> {
  const { dataDir, keys } = await initConsortium(scratchDir, 'epcis-e2e', [
    {
      id: 'northwind-test',
      legalName: 'Northwind Test Pharma',
      kind: 'manufacturer',
      validator: true,
    },
    {
      id: 'riverside-general',
      legalName: 'Riverside General Hospital',
      kind: 'hospital',
      validator: false,
    },
  ]);
  const maker = keys['northwind-test'];
  if (!maker) throw new Error('no keys for the manufacturer');
  const server = await serveDir(dataDir);
  await page.goto(server.url);
  await page.getByLabel('Key file').setInputFiles(path.resolve(maker.adminFile));
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(title(page)).toHaveText('Overview');
  await expect(page.getByTitle('Live updates from the node')).toHaveText('Live');
}

async function height(page: Page): Promise<number> {
  return Number(await page.getByRole('link', { name: /^Height \d+, open block$/ }).textContent());
}

function commissioning(serial: string, bizStep = 'commissioning') {
  return {
    type: 'ObjectEvent',
    eventTime: '2026-01-01T00:00:00Z',
    eventTimeZoneOffset: '+00:00',
    epcList: [`https://id.gs1.org/01/${GTIN}/21/${serial}`],
    action: 'ADD',
    bizStep,
    disposition: 'active',
    ilmd: { 'cbvmda:lotNumber': 'EP-LOT', 'cbvmda:itemExpirationDate': '2031-01-31' },
  };
}

function documentOf(events: unknown[]): { name: string; mimeType: string; buffer: Buffer } {
  const doc = {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2026-01-01T00:00:00Z',
    epcisBody: { eventList: events },
  };
  return {
    name: 'events.jsonld',
    mimeType: 'application/ld+json',
    buffer: Buffer.from(JSON.stringify(doc)),
  };
}

test('EPCIS import refuses a document with one bad event, imports a good one, and exports', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  test.setTimeout(90_000);
  await foundAndOpen(page, serveDir, scratchDir);

  await goToRoute(page, '/supply/products/register');
  await page.getByLabel('GTIN').fill(GTIN);
  await page.getByLabel('Name').fill('Amoxicillin');
  await page.getByLabel('Strength').fill('500 mg');
  await page.getByLabel('Dosage form').selectOption('capsule');
  await page.getByLabel('Pack size').fill('30');
  await page.getByRole('button', { name: 'Register product' }).click();
  await expect(page.getByTestId('submission-committed')).toBeVisible();

  await goToRoute(page, '/supply/epcis');
  await expect(title(page)).toHaveText('EPCIS import and export');
  const before = await height(page);
  const file = page.getByLabel('EPCIS 2.0 document (JSON-LD)');
  await file.setInputFiles(
    documentOf([commissioning('EP-1'), commissioning('EP-2', 'teleporting')]),
  );
  await page.getByRole('button', { name: 'Import and sign' }).click();
  const problems = page.getByTestId('epcis-problems');
  await expect(page.getByRole('alert').first()).toContainText(
    'Nothing was imported: 1 event of the document cannot be recorded.',
  );
  await expect(problems.getByRole('row').nth(1)).toContainText('#1');
  await expect(problems.getByRole('row').nth(1)).toContainText('bizStep');
  await screenshotFromTop(page, testInfo, 'supply-epcis-refused');
  expect(await height(page)).toBe(before);

  await file.setInputFiles(documentOf([commissioning('EP-1'), commissioning('EP-2')]));
  await page.getByRole('button', { name: 'Check only' }).click();
  await expect(page.getByTestId('epcis-import-result')).toContainText(
    'The document checks out: 2 events would be recorded as 1 transaction.',
  );
  await page.getByRole('button', { name: 'Import and sign' }).click();
  await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '1');
  await expect(page.getByTestId('epcis-import-result')).toContainText('1 of 1 recorded in a block');
  await screenshotFromTop(page, testInfo, 'supply-epcis-imported');

  await page.getByRole('button', { name: 'Export' }).click();
  await expect(page.getByTestId('epcis-export-result')).toContainText('1 event exported');
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: /^Download epcis-member\.jsonld$/ }).click();
  const saved = await (await download).path();
  expect(saved).toBeTruthy();
});
