import type { Locator, Page, TestInfo } from '@playwright/test';
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
 * A patient's record permissions in the demo consortium, each step signed by the member whose
 * step it is (the demo keeps a console profile for every member): St Mary's looks a patient up
 * by the record number its own systems know, and records a consent that lets Riverside Pharmacy
 * see the patient's results for treatment; Riverside records an access the consent permits; the
 * patient withdraws the consent; Riverside's same access again is a violation, raised to St
 * Mary's compliance; an emergency access goes ahead as break-glass and St Mary's closes its
 * review.
 */

const CUSTODIAN = 'st-marys-hospital';
const GRANTEE = 'riverside-pharmacy';
/** A record number made up for this test: the demo's own patients are left as they are. */
const IDENTIFIER = 'MRN-109876';

function committed(page: Page): Locator {
  return page.getByTestId('submission-committed');
}

/** A screenshot of the whole page from its top, into this test's output folder. */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
}

/** Fills the record-an-access form (custodian and patient come prefilled from the patient). */
async function describeAccess(
  page: Page,
  access: { recordClass: string; action: string; purpose: string },
): Promise<void> {
  const form = page.getByRole('form', { name: 'The access' });
  await form.getByLabel('Record class').selectOption(access.recordClass);
  await form.getByLabel('Action').selectOption(access.action);
  await form.getByLabel('Purpose of use').selectOption(access.purpose);
}

/** Signs the access and waits for its block: returns the access's id (its transaction). */
async function recordAccess(page: Page, outcome: string): Promise<string> {
  await page.getByRole('button', { name: 'Sign and record the access' }).click();
  await expect(committed(page)).toBeVisible();
  await expect(page.getByTestId('access-outcome')).toContainText(outcome);
  const href = await committed(page)
    .getByRole('link', { name: 'Transaction' })
    .getAttribute('href');
  const id = /#\/tx\/([0-9a-f]{64})$/.exec(href ?? '')?.[1];
  if (!id) throw new Error(`no transaction link: ${href}`);
  return id;
}

test('a consent granted, used, revoked and breached; a break-glass access reviewed', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  test.setTimeout(240_000);
  const server = await serveDir(await buildDemoFolder(scratchDir));
  await unlockDemo(page, server);

  // St Mary's looks its patient up by record number: pseudonymised on the spot, and only the
  // pseudonym goes on (the address, the title, storage hold no identifier).
  await goToRoute(page, '/permissions');
  await expect(title(page)).toHaveText('Patients');
  await expect(page.getByTestId('pseudonym-note')).toContainText(
    "Pseudonymised on this machine with St Mary's University Hospital’s secret; the identifier is not stored, logged or sent to the chain.",
  );
  const lookup = page.getByLabel('Local patient identifier');
  await expect(lookup).toHaveAttribute('autocomplete', 'off');
  await lookup.fill(IDENTIFIER);
  await page.getByRole('button', { name: 'Find patient' }).click();
  await expect(page).toHaveURL(/#\/permissions\/patients\/st-marys-hospital\/[0-9a-f]{64}$/);
  const patient = /\/([0-9a-f]{64})$/.exec(page.url())?.[1] ?? '';
  await expect(title(page)).toHaveText(`Patient ${patient.slice(0, 12)}…`);
  const kept = await page.evaluate(() => ({
    url: location.href,
    title: document.title,
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    html: document.documentElement.outerHTML,
  }));
  for (const [where, text] of Object.entries(kept)) {
    expect(text, `the identifier is in the ${where}`).not.toContain(IDENTIFIER);
  }
  await expect(page.getByRole('region', { name: 'Consents' })).toContainText(
    'No consent is recorded for this patient',
  );
  await shot(page, testInfo, 'permissions-patient-new');

  // The consent: opt-out with one exception, Riverside may access observations for treatment.
  await page.getByRole('link', { name: 'Record a consent' }).click();
  await expect(title(page)).toHaveText('Record a consent');
  await page.getByLabel('opt-out with exceptions').check();
  await expect(page.getByRole('group', { name: 'Base rule' })).toContainText('deny');
  await page.getByLabel('Signed consent document').setInputFiles({
    name: 'consent-signed.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4 a signed consent form, scanned'),
  });
  await expect(page.getByTestId('document-hash')).toContainText('consent-signed.pdf');
  await page.getByRole('button', { name: 'Add an exception', exact: true }).click();
  const exception = page.getByRole('group', { name: 'Exception 1' });
  await expect(exception.getByLabel('Exception type')).toHaveValue('permit');
  // An actor left unnamed is caught before anything is signed, under its field.
  await exception.getByRole('button', { name: 'Add an actor' }).click();
  await page.getByRole('button', { name: 'Record the consent' }).click();
  await expect(exception.locator('.field-error')).toHaveText(
    'Choose the member or the kind of member of each actor.',
  );
  await exception.getByLabel('Actor member').selectOption(GRANTEE);
  await exception.getByLabel('Access', { exact: true }).check();
  await exception.getByLabel('Treatment (TREAT)').check();
  await exception.locator('summary', { hasText: 'Record classes' }).click();
  await exception.getByLabel('Observations and results').check();
  await shot(page, testInfo, 'permissions-consent-form');
  await page.getByRole('button', { name: 'Record the consent' }).click();
  await expect(committed(page)).toContainText(
    `Record a privacy consent for patient ${patient.slice(0, 12)}… at St Mary's University Hospital`,
  );
  await committed(page).getByRole('link', { name: 'Open the patient' }).click();

  // The patient's page: the consent as a tree, who may access now, and the access check.
  const card = page.locator('article.consent-card');
  await expect(card).toHaveCount(1);
  await expect(card.locator('.badge').first()).toHaveText('in force');
  await expect(card.locator('[data-path="0"]')).toContainText('Riverside Community Pharmacy');
  await expect(page.getByRole('table', { name: 'Who may access now' })).toContainText(
    /Riverside Community Pharmacy.*treatment.*access.*Observations and results/,
  );
  const check = page.getByRole('form', { name: 'Access question' });
  await check.getByLabel('Member').selectOption(GRANTEE);
  await check.getByLabel('Action').selectOption('access');
  await check.getByLabel('Record class').selectOption('Observation');
  await check.getByLabel('Purpose of use').selectOption('TREAT');
  await check.getByRole('button', { name: 'Check' }).click();
  const decision = page.getByTestId('decision');
  await expect(decision).toHaveAttribute('data-outcome', 'permit');
  await expect(decision).toContainText(
    'A consent in force permits it (consent version 1, exception 1).',
  );
  await expect(decision.locator('[data-path="0"]')).toHaveAttribute('aria-current', 'true');
  await expect(card.locator('[data-path="0"]')).toHaveAttribute('aria-current', 'true');
  await shot(page, testInfo, 'permissions-patient-consent');

  // Riverside records the access the consent permits.
  await switchProfile(page, GRANTEE);
  await goToRoute(page, `/permissions/access?custodian=${CUSTODIAN}&patient=${patient}`);
  await expect(title(page)).toHaveText('Record an access');
  await describeAccess(page, { recordClass: 'Observation', action: 'access', purpose: 'TREAT' });
  await expect(decision).toHaveAttribute('data-outcome', 'permit');
  await expect(decision).toContainText('This access would be permitted.');
  await recordAccess(page, 'permitted');
  await shot(page, testInfo, 'permissions-access-permitted');

  // The patient lets Riverside see immunizations too: St Mary's amends the consent (version 2).
  await switchProfile(page, CUSTODIAN);
  await goToRoute(page, `/permissions/patients/${CUSTODIAN}/${patient}`);
  await card.getByRole('link', { name: 'Amend' }).click();
  const amended = page.getByRole('group', { name: 'Exception 1' });
  // The form opens a list that has codes ticked.
  const immunizations = amended.getByLabel('Immunizations');
  await expect(immunizations).toBeVisible();
  await expect(amended.getByLabel('Observations and results')).toBeChecked();
  await immunizations.check();
  await page.getByRole('button', { name: 'Sign version 2' }).click();
  await expect(committed(page)).toContainText('(version 2)');
  await goToRoute(page, `/permissions/patients/${CUSTODIAN}/${patient}`);
  await expect(card.locator('[data-path="0"]')).toContainText('Immunizations');
  await shot(page, testInfo, 'permissions-amended');

  // The patient withdraws the consent: St Mary's revokes it.
  const history = page.getByRole('table', { name: 'Accesses to this patient’s records' });
  await expect(history.locator('tbody tr')).toHaveCount(1);
  await expect(history.locator('tbody tr')).toContainText(
    /Riverside Community Pharmacy.*permitted/,
  );
  await card.getByRole('button', { name: 'Revoke…' }).click();
  await card.getByRole('button', { name: 'Revoke the consent' }).click();
  await expect(card.getByTestId('submission-committed')).toContainText(
    `Revoke the privacy consent of patient ${patient.slice(0, 12)}…`,
  );
  await expect(card.locator('.badge').first()).toHaveText('inactive (withdrawn)');
  await expect(page.getByRole('region', { name: 'Who may access now' })).toContainText(
    'No member may access this patient’s records now',
  );
  await shot(page, testInfo, 'permissions-revoked');

  // Riverside does the same again: a violation. Then an emergency: break-glass, under review.
  await switchProfile(page, GRANTEE);
  await goToRoute(page, `/permissions/access?custodian=${CUSTODIAN}&patient=${patient}`);
  await describeAccess(page, { recordClass: 'Observation', action: 'access', purpose: 'TREAT' });
  await expect(decision).toHaveAttribute('data-outcome', 'deny');
  await expect(decision).toContainText('This access would be a violation: no consent permits it.');
  await shot(page, testInfo, 'permissions-access-violation-before');
  const violation = await recordAccess(page, 'violation');
  await describeAccess(page, {
    recordClass: 'AllergyIntolerance',
    action: 'access',
    purpose: 'ETREAT',
  });
  await expect(decision).toHaveAttribute('data-outcome', 'break-glass');
  await expect(decision).toContainText('This access would be break-glass');
  const breakGlass = await recordAccess(page, 'break-glass');
  await expect(page.getByTestId('access-outcome')).toContainText('review open');

  // St Mary's compliance: the violation is raised, the break-glass review is open; it closes it.
  await switchProfile(page, CUSTODIAN);
  await goToRoute(page, `/permissions/compliance?custodian=${CUSTODIAN}`);
  await expect(title(page)).toHaveText('Compliance');
  const violations = page.getByRole('table', { name: 'Violations' });
  const violationRow = violations.locator(`tr[data-access="${violation}"]`);
  await expect(violationRow).toContainText(
    /Riverside Community Pharmacy.*access · observations and results, for treatment \(TREAT\).*violation/,
  );
  await expect(violationRow.getByRole('link', { name: 'transaction' })).toHaveAttribute(
    'href',
    `#/tx/${violation}`,
  );
  await expect(
    violationRow.getByRole('link', { name: `${patient.slice(0, 12)}…` }),
  ).toHaveAttribute('href', `#/permissions/patients/${CUSTODIAN}/${patient}`);
  const open = page.getByRole('table', { name: 'Break-glass reviews open' });
  const openRow = open.locator(`tr[data-access="${breakGlass}"]`);
  await expect(openRow).toContainText('review open');
  await shot(page, testInfo, 'permissions-compliance-open');
  await openRow.getByRole('button', { name: 'Close review…' }).click();
  await openRow.getByLabel('Reason').selectOption('justified');
  await openRow.getByRole('button', { name: 'Close the review' }).click();
  const closedRow = page
    .getByRole('table', { name: 'Break-glass reviews closed' })
    .locator(`tr[data-access="${breakGlass}"]`);
  await expect(closedRow).toContainText('Emergency confirmed: the access was justified');
  await expect(committed(page)).toContainText(
    'Close the break-glass review of Riverside Community Pharmacy’s access',
  );
  await expect(open.locator(`tr[data-access="${breakGlass}"]`)).toHaveCount(0);
  await shot(page, testInfo, 'permissions-compliance-closed');

  // The same pages at the console's narrowest width.
  await page.setViewportSize({ width: 1024, height: 800 });
  await shot(page, testInfo, 'permissions-compliance-1024');
  await goToRoute(page, `/permissions/patients/${CUSTODIAN}/${patient}`);
  await expect(history.locator('tbody tr')).toHaveCount(3);
  await shot(page, testInfo, 'permissions-patient-1024');
});
