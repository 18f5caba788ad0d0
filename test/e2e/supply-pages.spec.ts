import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
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
 * The Supply section (renderer/supply/) on a chain that holds no supply data yet: a consortium
 * founded on the command line by a manufacturer (the validator) and a hospital, whose console
 * profile is the manufacturer's. Every page opens from the section's tabs with its empty state;
 * the scan box reads a GS1 code or says exactly what is wrong with it; verification says what an
 * unknown identifier means; forms refuse bad input at the field and sign nothing.
 */

const PASSPHRASE = 'northwind-admin-2025';
const MAKER = 'Northwind Test Pharma';
const HOSPITAL = 'Riverside General Hospital';

/** GTIN-14s with valid check digits (GS1 company prefix 0031234500). */
const AMOXICILLIN = '00312345000011';
const IBUPROFEN = '00312345000042';

async function foundAndOpen(
  page: Page,
  serveDir: (dir: string) => Promise<ConsoleServer>,
  scratchDir: string,
): Promise<void> {
  const { dataDir, keys } = await initConsortium(scratchDir, 'supply-e2e', [
    { id: 'northwind-test', legalName: MAKER, kind: 'manufacturer', validator: true },
    { id: 'riverside-general', legalName: HOSPITAL, kind: 'hospital', validator: false },
  ]);
  const maker = keys['northwind-test'];
  if (!maker) throw new Error('no keys for the manufacturer');
  const server = await serveDir(dataDir);
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Create your console profile');
  await page.getByLabel('Key file').setInputFiles(path.resolve(maker.adminFile));
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(title(page)).toHaveText('Overview');
  await expect(page.getByTitle('Live updates from the node')).toHaveText('Live');
}

function supplyTab(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Supply' }).getByRole('link', { name, exact: true });
}

/** The chain's height as the top bar shows it. */
async function height(page: Page): Promise<number> {
  const link = page.getByRole('link', { name: /^Height \d+, open block$/ });
  return Number(await link.textContent());
}

/** The field shows `message` as its error, tied to it (after the field's hint, if it has one). */
async function expectFieldError(field: Locator, message: string | RegExp): Promise<void> {
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  const expected =
    typeof message === 'string'
      ? new RegExp(`(^|\\. )${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
      : message;
  await expect(field).toHaveAccessibleDescription(expected);
}

test('every Supply page of a chain without supply data, its empty state, scans and verification', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  test.setTimeout(90_000);
  await foundAndOpen(page, serveDir, scratchDir);

  // One entry in the main navigation; it opens the products.
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Supply' })
    .click();
  await expect(page).toHaveURL(/#\/supply\/products$/);
  await expect(title(page)).toHaveText('Products');
  await expect(
    page.getByRole('navigation', { name: 'Main' }).locator('a[aria-current="page"]'),
  ).toHaveText(['Supply']);
  await expect(supplyTab(page, 'Products')).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('.empty')).toHaveText(
    'No product is registered on the chain yet. Register your first product.',
  );
  await expect(page.getByRole('link', { name: 'Register a product' })).toBeVisible();
  await screenshotFromTop(page, testInfo, 'supply-products-empty');

  const pages: { tab: string; heading: string; empty?: string; shot: string }[] = [
    {
      tab: 'Stock',
      heading: 'Your stock',
      empty: 'You hold no stock.',
      shot: 'supply-stock-empty',
    },
    {
      tab: 'Shipments',
      heading: 'Shipments',
      empty: 'No shipment has been sent to you yet.',
      shot: 'supply-shipments-empty',
    },
    { tab: 'Record an event', heading: 'Record an event', shot: 'supply-record' },
    { tab: 'Verify', heading: 'Verify a product identifier', shot: 'supply-verify-empty' },
    {
      tab: 'Recalls',
      heading: 'Recalls and quarantines',
      empty: 'No recall or quarantine has been issued.',
      shot: 'supply-recalls-empty',
    },
    {
      tab: 'Alerts',
      heading: 'Alerts',
      empty: 'No alert has been raised: every supply event so far followed the rules.',
      shot: 'supply-alerts-empty',
    },
  ];
  for (const p of pages) {
    await supplyTab(page, p.tab).click();
    await expect(title(page)).toHaveText(p.heading);
    await expect(supplyTab(page, p.tab)).toHaveAttribute('aria-current', 'page');
    if (p.empty) await expect(page.locator('.empty')).toContainText(p.empty);
    await screenshotFromTop(page, testInfo, p.shot);
  }
  // Outgoing shipments are empty too; a manufacturer records these events, and no dispensing.
  await goToRoute(page, '/supply/shipments?direction=outgoing');
  await expect(page.locator('.empty')).toHaveText('You have not shipped anything yet.');
  await supplyTab(page, 'Record an event').click();
  await expect(page.locator('.action-card-title')).toHaveText([
    'Commission a lot',
    'Pack',
    'Unpack',
    'Ship',
    'Receive a shipment',
    'Decommission',
    'Destroy',
  ]);

  // Addresses: identifiers in the path are checked as the ledger checks them.
  await goToRoute(page, `/supply/units/${AMOXICILLIN}/A0001`);
  await expect(title(page)).toHaveText('Unit A0001');
  await expect(page.getByRole('alert')).toHaveText(
    `No unit ${AMOXICILLIN} serial A0001 was commissioned on this chain.`,
  );
  await goToRoute(page, '/supply/products/00312345000012');
  await expect(title(page)).toHaveText('Page not found');
  await goToRoute(page, '/supply/record/sell');
  await expect(title(page)).toHaveText('Page not found');

  // The scan box reads an element string with parentheses ...
  await goToRoute(page, '/supply/products');
  const scan = page.getByLabel('Find by barcode');
  await scan.fill(`(01)${AMOXICILLIN}(21)A0001(10)AMX2401(17)270630`);
  const read = page.locator('.supply-bar .scan-read');
  await expect(read).toContainText(`GTIN${AMOXICILLIN}`);
  await expect(read).toContainText('SerialA0001');
  await expect(read).toContainText('LotAMX2401');
  await expect(read).toContainText('Expiry2027-06-30');
  await expect(read).toContainText('Read fromGS1 element string');
  await screenshotFromTop(page, testInfo, 'supply-scan-read');
  // ... and FNC1 sent as GS; Enter opens the unit's page.
  await scan.fill(`01${AMOXICILLIN}21A0001\u001d10AMX2401`);
  await expect(read).toContainText('LotAMX2401');
  await scan.press('Enter');
  await expect(page).toHaveURL(new RegExp(`#/supply/units/${AMOXICILLIN}/A0001$`));
  // A wrong check digit: the refusal says which digit should be there and marks it.
  await scan.fill('0100312345000012');
  const scanError = page.locator('.supply-bar').getByTestId('scan-error');
  await expect(scanError).toHaveText(
    'The check digit of GTIN 00312345000012 should be 1, not 2. (character 16)',
  );
  await expect(page.locator('.supply-bar .scan-mark')).toHaveText('2');
  await expect(scan).toHaveAttribute('aria-invalid', 'true');
  await screenshotFromTop(page, testInfo, 'supply-scan-bad-check-digit');
  // Enter on a refused code moves the cursor to the character, and goes nowhere.
  await scan.press('Enter');
  expect(await scan.evaluate((input: HTMLInputElement) => input.selectionStart)).toBe(15);
  await expect(page).toHaveURL(new RegExp(`#/supply/units/${AMOXICILLIN}/A0001$`));

  // Verifying an identifier the chain has never seen.
  await supplyTab(page, 'Verify').click();
  const verifyScan = page.getByLabel('Scan the package');
  await verifyScan.fill(`(01)${AMOXICILLIN}(21)NOSUCH1(10)AMX2401(17)270630`);
  await verifyScan.press('Enter');
  await expect(page.getByLabel('GTIN')).toHaveValue(AMOXICILLIN);
  await expect(page.getByLabel('Serial number')).toHaveValue('NOSUCH1');
  await expect(page.getByLabel('Lot', { exact: true })).toHaveValue('AMX2401');
  await expect(page.getByLabel('Expiry date')).toHaveValue('2027-06-30');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  const verdict = page.getByTestId('verdict');
  await expect(verdict.locator('.verdict-word')).toHaveText('Not verified ✗');
  await expect(verdict).toContainText('Unknown product identifier');
  await expect(verdict).toContainText(
    'No unit with this GTIN and serial number was ever commissioned on the chain. The manufacturer never made this package as labelled: treat it as suspect, do not dispense or resell it.',
  );
  await expect(verdict.locator('code').last()).toHaveText('No_match_GTIN_Serial');
  await expect(page.getByRole('region', { name: 'What the ledger knows' })).toContainText(
    'No unit with this GTIN and serial number was ever commissioned on this chain.',
  );
  await expect(page.getByText('nothing was recorded on chain')).toBeVisible();
  await screenshotFromTop(page, testInfo, 'supply-verify-unknown');
  await page.setViewportSize({ width: 1024, height: 800 });
  await screenshotFromTop(page, testInfo, 'supply-verify-unknown-1024');
});

test('forms refuse bad input at the field, and sign nothing until it is right', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  test.setTimeout(90_000);
  await foundAndOpen(page, serveDir, scratchDir);
  const open = (hash: string) => goToRoute(page, hash);

  // Registering a product: each field says what is wrong with it.
  await open('/supply/products/register');
  await expect(title(page)).toHaveText('Register a product');
  const gtin = page.getByLabel('GTIN');
  await gtin.fill('00312345000049');
  await page.getByLabel('Name').fill('Ibuprofen');
  await page.getByLabel('NDC (optional)').fill('12345678901');
  await page.getByRole('button', { name: 'Register product' }).click();
  await expectFieldError(gtin, /The check digit of GTIN 00312345000049 should be 2, not 9\.$/);
  await expectFieldError(
    page.getByLabel('Strength'),
    /Give the strength, e\.g\. 500 mg or 10 mg\/mL\.$/,
  );
  await expectFieldError(page.getByLabel('Dosage form'), 'Choose the dosage form.');
  await expectFieldError(
    page.getByLabel('Pack size'),
    /Give the number of units of use in one pack\.$/,
  );
  await expectFieldError(
    page.getByLabel('NDC (optional)'),
    /An NDC is stored as 11 digits 5-4-2: write 12345-6789-01\.$/,
  );
  await expect(page.getByLabel('Name')).not.toHaveAttribute('aria-invalid', 'true');
  await screenshotFromTop(page, testInfo, 'supply-register-errors');
  const before = await height(page);
  await expect(page.getByRole('status').filter({ hasText: 'Signed' })).toHaveCount(0);

  // Put right, it is registered in the next block.
  await gtin.fill(IBUPROFEN);
  await page.getByLabel('Strength').fill('200 mg');
  await page.getByLabel('Dosage form').selectOption('tablet');
  await page.getByLabel('Pack size').fill('24');
  await page.getByLabel('NDC (optional)').fill('');
  await expect(gtin).not.toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('button', { name: 'Register product' }).click();
  const committed = page.getByTestId('submission-committed');
  await expect(committed).toContainText(`Register Ibuprofen 200 mg (${IBUPROFEN})`);
  expect(await height(page)).toBeGreaterThan(before);
  await screenshotFromTop(page, testInfo, 'supply-register-done');
  // The same GTIN again: refused under the field by the node, before anything is signed.
  await gtin.fill(IBUPROFEN);
  await page.getByLabel('Name').fill('Ibuprofen');
  await page.getByLabel('Strength').fill('400 mg');
  await page.getByLabel('Dosage form').selectOption('tablet');
  await page.getByLabel('Pack size').fill('24');
  await page.getByRole('button', { name: 'Register product' }).click();
  await expectFieldError(gtin, `GTIN ${IBUPROFEN} is already registered to ${MAKER}.`);

  // Commissioning: more than one transaction takes is said at the field.
  await open(`/supply/record/commission?gtin=${IBUPROFEN}`);
  await expect(title(page)).toHaveText('Commission a lot');
  await expect(page.getByLabel('Product', { exact: true })).toHaveValue(IBUPROFEN);
  await page.getByLabel('Lot', { exact: true }).fill('IBU2501');
  await page.getByLabel('Expiry date').fill('2028-03-31');
  await page.getByLabel('Prefix (optional)').fill('IB');
  await page.getByLabel('How many').fill('5001');
  await page.getByRole('button', { name: /^Commission/ }).click();
  await expect(page.locator('#commission-serials-error')).toHaveText(
    'One transaction commissions at most 5,000 serials: commission a larger lot in several transactions, each with its own range.',
  );
  await screenshotFromTop(page, testInfo, 'supply-commission-too-many');
  await page.getByLabel('How many').fill('20');
  await expect(page.getByTestId('serials-preview')).toHaveText(
    'To be signed: 20 serials, IB000001 to IB000020.',
  );
  await page.getByRole('button', { name: 'Commission 20 serials' }).click();
  await expect(committed).toContainText('Commission 20 units of Ibuprofen 200 mg, lot IBU2501');
  // The same serials again: the node refuses them under the serials, and signs nothing.
  const height2 = await height(page);
  await page.getByLabel('First number').fill('1');
  await page.getByRole('button', { name: 'Commission 20 serials' }).click();
  await expect(page.locator('#commission-serials-error')).toHaveText(
    `Serial IB000001 of ${IBUPROFEN} is already commissioned (and 19 more of these serials): a serial is commissioned once.`,
  );
  await screenshotFromTop(page, testInfo, 'supply-commission-duplicate');

  // Shipping: no receiver, then an item the chain has never seen, marked on its row.
  await open('/supply/record/ship');
  await expect(title(page)).toHaveText('Ship');
  await page.getByRole('button', { name: 'Ship', exact: true }).click();
  await expectFieldError(page.getByLabel('Ship to'), /Choose who to ship to\.$/);
  await expect(page.getByRole('alert').filter({ hasText: 'Add at least one item' })).toBeVisible();
  await page.getByLabel('Ship to').selectOption({ label: `${HOSPITAL} (hospital)` });
  const item = page.getByLabel('Scan an item');
  await item.fill(`(01)${IBUPROFEN}(21)IB000001`);
  await item.press('Enter');
  await item.fill(`(01)${IBUPROFEN}(21)IB999999`);
  await item.press('Enter');
  await page.getByRole('button', { name: 'Ship 2 units' }).click();
  const refusedRow = page.locator('tr.item-refused');
  await expect(refusedRow).toContainText(
    `Unit ${IBUPROFEN} serial IB999999 was never commissioned on this chain.`,
  );
  await expect(page.getByTestId('form-error')).toHaveText(
    'Nothing was signed: fix the marked item and try again.',
  );
  await screenshotFromTop(page, testInfo, 'supply-ship-refused-item');

  // Verify: a GTIN that is not one is refused at its field.
  await open('/supply/verify');
  await page.getByLabel('GTIN').fill('0031234500001');
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  await expectFieldError(page.getByLabel('GTIN'), 'A GTIN is 14 digits; this one has 13.');
  await expectFieldError(
    page.getByLabel('Serial number'),
    'Give the serial number from the package.',
  );

  // Nothing the forms refused was signed: the chain holds only the two good transactions, and no
  // member's refused attempt became an alert.
  expect(await height(page)).toBe(height2);
  await open('/supply/alerts');
  await expect(page.locator('.empty')).toContainText('No alert has been raised');
  await open('/supply/products');
  await expect(page.getByRole('table', { name: 'Products' }).locator('tbody tr')).toHaveCount(1);
});
