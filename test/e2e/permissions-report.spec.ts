import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Download, Page, TestInfo } from '@playwright/test';
import { sealPseudonymSecretBackup } from '../../main/service/keystore';
import {
  buildDemoFolder,
  expect,
  goToRoute,
  switchProfile,
  test,
  title,
  unlockDemo,
} from './console-fixture';

/*
 * What the Permissions section gives a patient and a custodian beyond the day-to-day: the demo
 * patient MRN-100234 of St Mary's (two consents, one amended, and four accesses by four
 * organisations) as an access report to read, print and download as a FHIR Bundle; each consent
 * version and access as its own FHIR resource; the pseudonym secret backed up and restored; and
 * a delegate opening one of its custodian's patients by pseudonym.
 */

const CUSTODIAN = 'st-marys-hospital';
const DELEGATE = 'harbourside-general-hospital';
/** The demo's patient with an amended privacy consent, a research consent and four accesses. */
const IDENTIFIER = 'MRN-100234';
const ACCESSORS = [
  'Harbourside General Hospital',
  'CityCare Pharmacy Group',
  'Helix Clinical Research Institute',
  'Riverside Community Pharmacy',
];

/** A screenshot of the whole page from its top, into this test's output folder. */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** Clicks what starts a download and returns the file saved and the name it was offered as. */
async function downloadOf(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; text: string; download: Download }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8'), download };
}

interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: { versionId?: string };
  patient?: { identifier?: { value?: string } };
}

test('the patient access report, FHIR exports, the pseudonym secret backup and a delegation', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  test.setTimeout(300_000);
  const server = await serveDir(await buildDemoFolder(scratchDir));
  await unlockDemo(page, server);

  // St Mary's finds its patient by record number.
  await goToRoute(page, '/permissions');
  await page.getByLabel('Local patient identifier').fill(IDENTIFIER);
  await page.getByRole('button', { name: 'Find patient' }).click();
  await expect(page).toHaveURL(/#\/permissions\/patients\/st-marys-hospital\/[0-9a-f]{64}$/);
  const patient = /\/([0-9a-f]{64})$/.exec(page.url())?.[1] ?? '';

  // The research consent's protocol leads to the study on the Research pages.
  const cardOf = (kind: RegExp) =>
    page
      .locator('article.consent-card')
      .filter({ has: page.getByRole('heading', { level: 3, name: kind }) });
  const research = cardOf(/^Research · /);
  await expect(research.getByRole('link', { name: /^[0-9a-f]{12}…$/ })).toHaveAttribute(
    'href',
    /^#\/research\/studies\/[0-9a-f]{64}$/,
  );

  // A consent version as a FHIR Consent, an access as a FHIR AuditEvent.
  const privacy = cardOf(/^Privacy Consent · /);
  await privacy.locator('summary', { hasText: 'Version history' }).click();
  const versions = privacy.getByRole('table', { name: 'Versions of this consent' });
  await expect(versions.locator('tbody tr')).toHaveCount(2);
  const consent = await downloadOf(page, () =>
    versions.locator('tr[data-version="1"]').getByRole('button', { name: 'FHIR Consent' }).click(),
  );
  expect(consent.name).toMatch(/^consent-[0-9a-f]{12}-v1\.fhir\.json$/);
  const consentResource = JSON.parse(consent.text) as FhirResource;
  expect(consentResource.resourceType).toBe('Consent');
  expect(consentResource.meta?.versionId).toBe('1');
  expect(consentResource.patient?.identifier?.value).toBe(patient);
  const history = page.getByRole('table', { name: 'Accesses to this patient’s records' });
  await expect(history.locator('tbody tr')).toHaveCount(4);
  const firstAccess = history.locator('tbody tr').first();
  const accessId = await firstAccess.getAttribute('data-access');
  const audit = await downloadOf(page, () =>
    firstAccess.getByRole('button', { name: 'FHIR AuditEvent' }).click(),
  );
  expect(audit.name).toBe(`auditevent-${accessId?.slice(0, 12)}.fhir.json`);
  const auditResource = JSON.parse(audit.text) as FhirResource;
  expect(auditResource.resourceType).toBe('AuditEvent');
  expect(auditResource.id).toBe(accessId);
  await shot(page, testInfo, 'report-patient-page');

  // The report: who holds the records, the consents in words, every access with its outcome.
  await page.getByRole('link', { name: 'Access report' }).click();
  await expect(page).toHaveURL(
    new RegExp(`#/permissions/patients/${CUSTODIAN}/${patient}/report$`),
  );
  await expect(title(page)).toHaveText('Patient access report');
  const report = page.getByTestId('patient-report');
  await expect(report.locator('.report-facts')).toContainText(
    /Records held by\s*St Mary's University Hospital \(st-marys-hospital\)/,
  );
  await expect(report).toContainText(patient);
  await expect(report).toContainText(
    "St Mary's University Hospital maps this pseudonym to the patient’s record. Nothing on the ledger names the patient",
  );
  await expect(report).toContainText(/As of\s*block \d+/);
  // The privacy consent and the research consent were recorded in one block: either is first.
  const consents = report.locator('article.report-consent');
  await expect(consents).toHaveCount(2);
  const privacyReport = consents.filter({ hasText: 'privacy consent · Patient Consent' });
  const heading = await privacyReport.getByRole('heading', { level: 3 }).textContent();
  const number = /^Consent (\d):/.exec(heading ?? '')?.[1];
  expect(number, heading ?? '').toBeDefined();
  await expect(privacyReport.locator('li.report-version')).toHaveCount(2);
  await expect(privacyReport.locator('li[data-version="1"]')).toContainText('Version 1 · Recorded');
  await expect(privacyReport.locator('li[data-version="2"]')).toContainText('Version 2 · Amended');
  await expect(privacyReport.locator('li[data-version="2"] [data-path="2"]')).toContainText(
    'Permit Riverside Community Pharmacy to access immunizations for treatment.',
  );
  await expect(consents.filter({ hasText: 'research · Research information access' })).toHaveCount(
    1,
  );
  const table = report.getByRole('table', { name: 'Accesses to the patient’s records' });
  const rows = table.locator('tbody tr');
  await expect(rows).toHaveCount(4);
  for (const name of ACCESSORS) {
    await expect(rows.filter({ hasText: name })).toHaveCount(1);
  }
  await expect(rows.filter({ hasText: 'Permitted' })).toHaveCount(4);
  // Oldest first: Riverside's, after the amendment that let it, is the last.
  await expect(rows.nth(3)).toContainText(
    new RegExp(
      `Riverside Community Pharmacy.*Immunizations.*access.*treatment.*Permitted.*by consent ${number}, version 2, exception 3`,
    ),
  );
  await expect(page.getByTestId('report-summary')).toContainText(
    '4 accesses by 4 organisations, 0 not permitted.',
  );
  await shot(page, testInfo, 'report-screen');

  // The same report as a FHIR R4 Bundle of the consents' versions and the accesses.
  const bundle = await downloadOf(page, () =>
    page.getByRole('button', { name: 'Download FHIR Bundle' }).click(),
  );
  expect(bundle.name).toBe(
    `patient-report-${patient.slice(0, 12)}-${new Date().toISOString().slice(0, 10)}.fhir.json`,
  );
  const parsed = JSON.parse(bundle.text) as {
    resourceType: string;
    type: string;
    entry: { fullUrl: string; resource: FhirResource }[];
  };
  expect(parsed.resourceType).toBe('Bundle');
  expect(parsed.type).toBe('collection');
  const types = parsed.entry.map((e) => e.resource.resourceType);
  expect(types.filter((t) => t === 'Consent')).toHaveLength(3);
  expect(types.filter((t) => t === 'AuditEvent')).toHaveLength(4);
  expect(new Set(types)).toEqual(new Set(['Consent', 'AuditEvent']));
  expect(bundle.text).not.toContain(IDENTIFIER);

  // On paper: the document alone, no navigation, no buttons, no dark backgrounds.
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.sidebar')).toBeHidden();
  await expect(page.locator('.topbar')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden();
  await expect(page.getByRole('link', { name: /← Patient/ })).toBeHidden();
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
    'rgb(255, 255, 255)',
  );
  await shot(page, testInfo, 'report-print');
  // As Chromium prints it on A4 and on Letter: the accesses start a page of their own.
  for (const format of ['A4', 'Letter'] as const) {
    const file = testInfo.outputPath(`report-${format}.pdf`);
    const pdf = await page.pdf({ path: file, format });
    await testInfo.attach(`report-${format}.pdf`, { path: file, contentType: 'application/pdf' });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b(?!s)/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(2);
  }
  await page.emulateMedia({ media: 'screen' });
  await page.setViewportSize({ width: 1024, height: 800 });
  await shot(page, testInfo, 'report-1024');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The demo's other patients: a withdrawn consent and the violation after it; an emergency
  // access without consent, its review closed.
  const reportOf = async (identifier: string): Promise<void> => {
    await goToRoute(page, '/permissions');
    await page.getByLabel('Local patient identifier').fill(identifier);
    await page.getByRole('button', { name: 'Find patient' }).click();
    await page.getByRole('link', { name: 'Access report' }).click();
    await expect(title(page)).toHaveText('Patient access report');
  };
  await reportOf('MRN-100871');
  const withdrawn = report.locator('article.report-consent');
  await expect(withdrawn.locator('h3')).toContainText('now inactive (withdrawn)');
  await expect(withdrawn.locator('li[data-version="2"]')).toContainText(
    /Version 2 · Withdrawn .* · Inactive.*The same as version 1\./,
  );
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-outcome', 'violation');
  await expect(rows.first()).toContainText(
    /Northwind Pharmaceuticals Ltd.*Conditions and diagnoses.*use.*healthcare operations.*Not permitted \(raised to compliance\)no consent in force permitted it/,
  );
  await expect(page.getByTestId('report-summary')).toContainText(
    '1 access by 1 organisation, 1 not permitted.',
  );
  await shot(page, testInfo, 'report-violation');
  await reportOf('MRN-102233');
  await expect(report).toContainText('No consent is recorded');
  await expect(rows.first()).toContainText(
    /Harbourside General Hospital.*Allergies and intolerances.*emergency treatment \(break-glass\).*Emergency access \(review closed — emergency confirmed: the access was justified\)/,
  );
  await expect(page.getByTestId('report-summary')).toContainText(
    '1 access by 1 organisation, 0 not permitted, 1 emergency access.',
  );
  await shot(page, testInfo, 'report-emergency');

  // The pseudonym secret: exported under a backup passphrase, and imported back unchanged.
  await goToRoute(page, '/permissions/secret');
  await expect(title(page)).toHaveText('Pseudonym secret');
  const exportForm = page.getByRole('region', { name: 'Export a backup' });
  await exportForm.getByLabel('Backup passphrase', { exact: true }).fill('too short');
  await exportForm.getByRole('button', { name: 'Export the secret' }).click();
  await expect(exportForm.locator('.field-error')).toHaveText(
    'A backup passphrase has at least 12 characters.',
  );
  const backupPassphrase = 'a long backup passphrase';
  await exportForm.getByLabel('Backup passphrase', { exact: true }).fill(backupPassphrase);
  await exportForm.getByLabel('Repeat the backup passphrase').fill('another passphrase');
  await exportForm.getByRole('button', { name: 'Export the secret' }).click();
  await expect(exportForm.locator('.field-error')).toHaveText(
    'The two passphrases differ: type the same one twice.',
  );
  await exportForm.getByLabel('Repeat the backup passphrase').fill(backupPassphrase);
  await exportForm.getByRole('button', { name: 'Export the secret' }).click();
  const exported = page.getByTestId('secret-export-result');
  await expect(exported).toContainText('Sealed under your backup passphrase.');
  const backup = await downloadOf(page, () =>
    exported.getByRole('link', { name: /^Download pseudonym-secret-st-marys-hospital-/ }).click(),
  );
  expect(backup.name).toMatch(/^pseudonym-secret-st-marys-hospital-\d{4}-\d{2}-\d{2}\.json$/);
  const backupFile = testInfo.outputPath(backup.name);
  await backup.download.saveAs(backupFile);
  await expect(exportForm.getByLabel('Backup passphrase', { exact: true })).toHaveValue('');
  await shot(page, testInfo, 'secret-exported');

  const importForm = page.getByRole('region', { name: 'Import a backup' });
  await importForm.getByLabel('Backup file').setInputFiles(backupFile);
  await importForm.getByLabel('Backup passphrase').fill('not the right passphrase');
  await importForm.getByRole('button', { name: 'Import the backup' }).click();
  await expect(importForm.locator('#secret-import-passphrase-error')).toContainText(
    'This backup does not open with this passphrase',
  );
  await shot(page, testInfo, 'secret-import-wrong-passphrase');
  await importForm.getByLabel('Backup passphrase').fill(backupPassphrase);
  await importForm.getByRole('button', { name: 'Import the backup' }).click();
  await expect(page.getByTestId('secret-import-result')).toContainText(
    'Unchanged: the profile already held this secret',
  );
  await shot(page, testInfo, 'secret-imported');

  /** Looks the demo patient up by record number: the pseudonym under the secret held now. */
  const lookUp = async (): Promise<string> => {
    await goToRoute(page, '/permissions');
    await page.getByLabel('Local patient identifier').fill(IDENTIFIER);
    await page.getByRole('button', { name: 'Find patient' }).click();
    await expect(page).toHaveURL(/\/patients\/st-marys-hospital\/[0-9a-f]{64}$/);
    return /\/([0-9a-f]{64})$/.exec(page.url())?.[1] ?? '';
  };
  expect(await lookUp()).toBe(patient);

  // Another member's backup is refused; a different secret of this member only when replaced.
  await goToRoute(page, '/permissions/secret');
  const sealed = async (member: string, name: string): Promise<string> => {
    const file = testInfo.outputPath(name);
    writeFileSync(file, await sealPseudonymSecretBackup(member, randomBytes(32), backupPassphrase));
    return file;
  };
  await importForm
    .getByLabel('Backup file')
    .setInputFiles(await sealed(DELEGATE, 'harbourside-secret.json'));
  await importForm.getByLabel('Backup passphrase').fill(backupPassphrase);
  await importForm.getByRole('button', { name: 'Import the backup' }).click();
  await expect(importForm.locator('#secret-import-file-error')).toContainText(
    "This backup is the pseudonym secret of Harbourside General Hospital (harbourside-general-hospital), not of this profile's member St Mary's University Hospital",
  );
  await importForm
    .getByLabel('Backup file')
    .setInputFiles(await sealed(CUSTODIAN, 'other-secret.json'));
  await importForm.getByRole('button', { name: 'Import the backup' }).click();
  const replace = page.getByTestId('secret-replace');
  await expect(replace).toContainText(
    'This profile already has a different pseudonym secret: the pseudonyms made under it',
  );
  await importForm.getByRole('button', { name: 'Import the backup' }).click();
  await expect(importForm.locator('#secret-import-replace-error')).toHaveText(
    'Tick the box to replace the secret, or import a backup of the secret this profile holds.',
  );
  await shot(page, testInfo, 'secret-import-different');
  await replace.getByLabel('Replace this profile’s pseudonym secret with the backup’s').check();
  await importForm.getByRole('button', { name: 'Replace the secret' }).click();
  await expect(page.getByTestId('secret-import-result')).toContainText('Replaced');
  expect(await lookUp()).not.toBe(patient);

  // The backup exported first puts the secret back: the record number finds the patient again.
  await goToRoute(page, '/permissions/secret');
  await importForm.getByLabel('Backup file').setInputFiles(backupFile);
  await importForm.getByLabel('Backup passphrase').fill(backupPassphrase);
  await importForm.getByRole('button', { name: 'Import the backup' }).click();
  await replace.getByLabel('Replace this profile’s pseudonym secret with the backup’s').check();
  await importForm.getByRole('button', { name: 'Replace the secret' }).click();
  await expect(page.getByTestId('secret-import-result')).toContainText('Replaced');
  expect(await lookUp()).toBe(patient);

  // St Mary's makes Harbourside its delegate; Harbourside opens the patient by pseudonym.
  await goToRoute(page, '/permissions/delegates');
  await page.getByLabel('Member').selectOption(DELEGATE);
  await page.getByRole('button', { name: 'Make it a delegate' }).click();
  await expect(page.getByTestId('submission-committed')).toBeVisible();
  await switchProfile(page, DELEGATE);
  await goToRoute(page, '/permissions/delegates');
  const delegations = page.getByRole('table', {
    name: 'Custodians Harbourside General Hospital records consents for',
  });
  const row = delegations.locator(`tr[data-custodian="${CUSTODIAN}"]`);
  await expect(row).toContainText("St Mary's University Hospital");
  await expect(row).toContainText('delegate');
  await shot(page, testInfo, 'delegations');
  await row.getByRole('link', { name: "Open a patient of St Mary's University Hospital" }).click();
  await expect(page).toHaveURL(/#\/permissions\?custodian=st-marys-hospital$/);
  await expect(title(page)).toHaveText('Patients');
  await expect(page.getByRole('combobox', { name: 'Custodian', exact: true })).toHaveValue(
    CUSTODIAN,
  );
  const pseudonymField = page.getByLabel('Patient pseudonym');
  await expect(pseudonymField).toBeFocused();
  await pseudonymField.fill(patient);
  await page.getByRole('button', { name: 'Open patient' }).click();
  await expect(page).toHaveURL(new RegExp(`/patients/${CUSTODIAN}/${patient}$`));
  await expect(page.getByRole('link', { name: 'Record a consent' })).toBeVisible();
});
