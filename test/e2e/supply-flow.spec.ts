import type { Locator, Page } from '@playwright/test';
import {
  buildDemoFolder,
  expect,
  goToRoute,
  screenshotFromTop,
  switchProfile,
  test,
  title,
  unlockDemo,
} from './console-fixture';

/*
 * One lot through the supply chain in the demo consortium, each step signed by the member whose
 * step it is (the demo keeps a console profile for every member): the manufacturer registers a
 * product, commissions a lot, packs a case and ships; the distributor receives and ships the case
 * on; the pharmacy receives it, dispenses a unit and verifies another by scanning it; a regulator
 * recalls the lot and sees every member that still holds some of it.
 */

const GTIN = '00312345000059';
const LOT = 'DX2512-E2E';
const EXPIRY = '2029-12-31';
const CASE = '003123450000002015';
const serial = (n: number) => `DX${String(n).padStart(4, '0')}`;
const unitScan = (n: number) => `(01)${GTIN}(21)${serial(n)}`;

function committed(page: Page): Locator {
  return page.getByTestId('submission-committed');
}

/** Scans items into the open form's item list, as a scanner does: the code, then Enter. */
async function scanItems(page: Page, codes: string[]): Promise<void> {
  const box = page.getByLabel('Scan an item');
  for (const code of codes) {
    await box.fill(code);
    await box.press('Enter');
    await expect(box).toHaveValue('');
  }
}

/** The id of the shipment the last ship in this form made, from its link. */
async function shipmentOf(page: Page): Promise<string> {
  const href = await committed(page)
    .getByRole('link', { name: 'Open the shipment' })
    .getAttribute('href');
  const id = /#\/supply\/shipments\/([0-9a-f]{64})$/.exec(href ?? '')?.[1];
  if (!id) throw new Error(`no shipment link: ${href}`);
  return id;
}

test('a lot from registration to recall, each step signed by its member', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  test.setTimeout(180_000);
  const server = await serveDir(await buildDemoFolder(scratchDir));
  await unlockDemo(page, server);
  await goToRoute(page, '/supply/products');
  await expect(title(page)).toHaveText('Products');

  // The manufacturer registers the product and commissions a lot of 12.
  await switchProfile(page, 'northwind-pharma');
  await goToRoute(page, '/supply/products/register');
  await page.getByLabel('GTIN').fill(GTIN);
  await page.getByLabel('Name').fill('Dexamethasone');
  await page.getByLabel('Strength').fill('4 mg');
  await page.getByLabel('Dosage form').selectOption('tablet');
  await page.getByLabel('Pack size').fill('10');
  await page.getByRole('button', { name: 'Register product' }).click();
  await expect(committed(page)).toContainText(`Register Dexamethasone 4 mg (${GTIN})`);

  await goToRoute(page, `/supply/record/commission?gtin=${GTIN}`);
  await expect(page.getByLabel('Product', { exact: true })).toHaveValue(GTIN);
  await page.getByLabel('Lot', { exact: true }).fill(LOT);
  await page.getByLabel('Expiry date').fill(EXPIRY);
  await page.getByLabel('Prefix (optional)').fill('DX');
  await page.getByLabel('How many').fill('12');
  await page.getByLabel('Digits').fill('4');
  await expect(page.getByTestId('serials-preview')).toHaveText(
    'To be signed: 12 serials, DX0001 to DX0012.',
  );
  await page.getByRole('button', { name: 'Commission 12 serials' }).click();
  await expect(committed(page)).toContainText(
    `Commission 12 units of Dexamethasone 4 mg, lot ${LOT}`,
  );
  await screenshotFromTop(page, testInfo, 'supply-flow-commissioned');

  // Six units into a case, scanned one by one; the case and three loose units to the distributor.
  await goToRoute(page, '/supply/record/pack');
  await page.getByLabel('Container (SSCC)').fill(`(00)${CASE}`);
  await scanItems(page, [1, 2, 3, 4, 5, 6].map(unitScan));
  await page.getByRole('button', { name: 'Pack 6 units' }).click();
  await expect(committed(page)).toContainText(`Pack 6 units into ${CASE}`);

  await goToRoute(page, `/supply/record/ship?sscc=${CASE}`);
  await page
    .getByLabel('Ship to')
    .selectOption({ label: 'MedLine Distribution GmbH (distributor)' });
  await scanItems(page, [7, 8, 9].map(unitScan));
  await page.getByRole('button', { name: 'Ship 3 units and 1 container' }).click();
  await expect(committed(page)).toContainText(
    'Ship 3 units and 1 container to MedLine Distribution GmbH',
  );
  const toDistributor = await shipmentOf(page);

  // The distributor receives all of it (it is what the form proposes), and ships the case on.
  await switchProfile(page, 'medline-distribution');
  await goToRoute(page, '/supply/shipments?direction=incoming&open=yes');
  const row = page.locator(`tr[data-shipment="${toDistributor}"]`);
  await expect(row).toContainText('Northwind Pharmaceuticals Ltd');
  await row.getByRole('link', { name: 'Receive', exact: true }).click();
  await expect(title(page)).toHaveText('Receive a shipment');
  await expect(page.getByTestId('receipt-summary')).toHaveText(
    'Receiving everything still in transit: 9 units.',
  );
  await screenshotFromTop(page, testInfo, 'supply-flow-receive');
  await page.getByRole('button', { name: 'Receive', exact: true }).click();
  await expect(committed(page)).toContainText('Receive 9 units from Northwind Pharmaceuticals Ltd');
  await expect(committed(page).locator('.submission-alert')).toHaveCount(0);

  await goToRoute(page, `/supply/record/ship?sscc=${CASE}`);
  await page.getByLabel('Ship to').selectOption({ label: 'CityCare Pharmacy Group (pharmacy)' });
  await page.getByRole('button', { name: 'Ship 1 container' }).click();
  await expect(committed(page)).toContainText('Ship 1 container to CityCare Pharmacy Group');
  const toPharmacy = await shipmentOf(page);

  // The pharmacy receives the case, dispenses one unit from it, and verifies another by scanning.
  await switchProfile(page, 'citycare-pharmacy');
  await goToRoute(page, `/supply/record/receive?shipment=${toPharmacy}`);
  await expect(page.getByTestId('receipt-summary')).toHaveText(
    'Receiving everything still in transit: 6 units.',
  );
  await page.getByRole('button', { name: 'Receive', exact: true }).click();
  await expect(committed(page)).toContainText('Receive 6 units from MedLine Distribution GmbH');

  await goToRoute(page, '/supply/record/dispense');
  await scanItems(page, [unitScan(1)]);
  await page.getByRole('button', { name: 'Record dispensing 1 unit' }).click();
  await expect(committed(page)).toContainText('Dispense 1 unit');

  await goToRoute(page, '/supply/verify');
  const scan = page.getByLabel('Scan the package');
  await scan.fill(`${unitScan(2)}(10)${LOT}(17)291231`);
  await expect(page.locator('.scan-read')).toContainText(`Lot${LOT}`);
  await scan.press('Enter');
  await expect(page.getByLabel('Expiry date')).toHaveValue(EXPIRY);
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  const verdict = page.getByTestId('verdict');
  await expect(verdict.locator('.verdict-word')).toHaveText('Verified ✓');
  const ledger = page.getByRole('region', { name: 'What the ledger knows' });
  await expect(ledger).toContainText('CityCare Pharmacy Group');
  const evidence = page.getByRole('region', { name: 'Evidence' }).getByRole('listitem');
  await expect(evidence).toHaveCount(2);
  await expect(evidence.filter({ hasText: 'Inclusion proof verified ✓' })).toHaveCount(2);
  await screenshotFromTop(page, testInfo, 'supply-flow-verified');

  // Its provenance: every step, by whom, with its block.
  await ledger.getByRole('link', { name: 'Open its provenance' }).click();
  await expect(title(page)).toContainText(`serial ${serial(2)}`);
  const steps = page.getByRole('list', { name: 'Events of this unit' }).locator(':scope > li');
  await expect(steps.locator('.timeline-title strong')).toHaveText([
    'Commissioned',
    'Packed',
    'Shipped',
    'Received',
    'Shipped',
    'Received',
  ]);
  await expect(steps.nth(5)).toContainText('by CityCare Pharmacy Group');
  await screenshotFromTop(page, testInfo, 'supply-flow-provenance');

  // A regulator recalls the lot: every member that still holds some of it is listed.
  await switchProfile(page, 'national-medicines-agency');
  await goToRoute(page, `/supply/recalls/new?gtin=${GTIN}&lot=${LOT}`);
  await expect(page.getByLabel('Lot', { exact: true })).toHaveValue(LOT);
  await page.getByLabel('Recall class').selectOption('II');
  await page.getByLabel('Reason').selectOption('contamination');
  const reach = page.getByRole('table', { name: 'Current holders of the lot' });
  await expect(reach.locator('tbody tr')).toHaveCount(3);
  await page.getByRole('button', { name: 'Issue the recall' }).click();
  await expect(committed(page)).toContainText(`Class II recall of Dexamethasone 4 mg, lot ${LOT}`);
  await expect(committed(page).locator('.submission-alert')).toHaveCount(3);
  await committed(page).getByRole('link', { name: 'Open the recall and its holders' }).click();
  await expect(title(page)).toContainText(`Class II recall · Dexamethasone 4 mg lot ${LOT}`);
  const holders = page.getByRole('table', { name: 'Members holding covered units' });
  await expect(holders.locator('tbody tr')).toHaveText([
    /CityCare Pharmacy Group\s*5/,
    /MedLine Distribution GmbH\s*3/,
    /Northwind Pharmaceuticals Ltd\s*3/,
  ]);
  await expect(page.getByRole('progressbar')).toHaveAccessibleName('3 of 12 units recovered');
  await expect(page.getByRole('region', { name: 'Recovery' })).toContainText('Dispensed1 unit');
  await screenshotFromTop(page, testInfo, 'supply-flow-recall');
  await page.setViewportSize({ width: 1024, height: 800 });
  await screenshotFromTop(page, testInfo, 'supply-flow-recall-1024');

  // The lot says the same, with its recall.
  await page.getByRole('link', { name: LOT, exact: true }).first().click();
  await expect(title(page)).toContainText(`lot ${LOT}`);
  await expect(page.getByRole('list', { name: 'Units by status' })).toContainText('dispensed1');
  await screenshotFromTop(page, testInfo, 'supply-flow-lot');
});
