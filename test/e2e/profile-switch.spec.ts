import {
  buildDemoFolder,
  expect,
  goToRoute,
  screenshot,
  screenshotFromTop,
  switchProfile,
  test,
  title,
  unlockDemo,
} from './console-fixture';

/*
 * The demo keeps a console profile for each of its members (main/service/demo.ts), all under the
 * demo passphrase. The top bar switches between them; switching locks the console, and the
 * profile switched to is unlocked with its own passphrase. The unlock screen offers the others
 * too. Each test serves its own demo.
 */

const PASSPHRASE = 'carechain-demo';
const APEX = 'Apex Biologics Inc';

test('the top bar switches profiles: the console locks, and signs as the member switched to', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(await buildDemoFolder(scratchDir));
  await unlockDemo(page, server);
  const signedIn = page.getByLabel('Signed in as');
  await expect(signedIn).toHaveText("St Mary's University Hospitalhospital");

  const toggle = page.getByRole('button', { name: 'Switch profile' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  const panel = page.getByRole('group', { name: 'Profiles' });
  await expect(panel.getByRole('button')).toHaveCount(10);
  const current = panel.locator('[aria-current="true"]');
  await expect(current).toHaveText("St Mary's University Hospitalsigned in");
  await expect(current).toBeDisabled();
  await expect(panel.locator('[data-profile-member="northwind-pharma"]')).toHaveText(
    'Northwind Pharmaceuticals Ltdmanufacturer',
  );
  await screenshotFromTop(page, testInfo, 'profile-switch-menu');
  // Escape closes the list and gives the focus back.
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
  await expect(toggle).toBeFocused();

  // From the Members page to Northwind: the console locks and asks for Northwind's passphrase.
  await goToRoute(page, '#/members');
  await expect(title(page)).toHaveText('Members');
  await toggle.click();
  await panel.locator('[data-profile-member="northwind-pharma"]').click();
  await expect(title(page)).toHaveText('Unlock your profile');
  await expect(
    page.getByText('Signing as Northwind Pharmaceuticals Ltd (manufacturer)'),
  ).toBeVisible();
  await expect(page.getByText(`Demo profile: the passphrase is ${PASSPHRASE}`)).toBeVisible();
  await screenshot(page, testInfo, 'profile-switch-unlock');
  // Locked in the node service, not only on this screen.
  await page.reload();
  await expect(title(page)).toHaveText('Unlock your profile');
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  // Back where it was, now as Northwind.
  await expect(title(page)).toHaveText('Members');
  await expect(signedIn).toHaveText('Northwind Pharmaceuticals Ltdmanufacturer');

  // Northwind had not voted on Apex Biologics; its vote is signed as Northwind.
  const apex = page.getByRole('region', { name: `Join request: ${APEX}` });
  await expect(apex.getByTestId('vote-status')).toHaveText('You have not voted on this proposal.');
  await apex.getByRole('button', { name: 'Approve' }).click();
  await expect(apex.getByTestId('vote-status')).toHaveText('Your vote: approve');
  await expect(
    apex.getByRole('listitem').filter({ hasText: 'Northwind Pharmaceuticals Ltd' }),
  ).toContainText('approve');
  await screenshotFromTop(page, testInfo, 'profile-switch-signed');

  // The fixture's helper, as other specs use it: on to the pharmacy, which rejected Apex.
  await switchProfile(page, 'citycare-pharmacy');
  await expect(title(page)).toHaveText('Members');
  await expect(signedIn).toHaveText('CityCare Pharmacy Grouppharmacy');
  await expect(apex.getByTestId('vote-status')).toHaveText('Your vote: reject');
});

test('the unlock screen offers the other profiles before any is unlocked', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  const server = await serveDir(await buildDemoFolder(scratchDir));
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Unlock your profile');
  await expect(page.getByText("Signing as St Mary's University Hospital (hospital)")).toBeVisible();
  const other = page.getByRole('region', { name: 'Use another profile' });
  await expect(other).toContainText('This data folder keeps 10 profiles.');
  const choice = other.getByLabel('Profile');
  await expect(choice.locator('option')).toHaveCount(9);
  await choice.selectOption('harbourside-general-hospital');
  await screenshot(page, testInfo, 'profile-switch-unlock-choice');
  await other.getByRole('button', { name: 'Switch' }).click();
  await expect(page.getByText('Signing as Harbourside General Hospital (hospital)')).toBeVisible();
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(title(page)).toHaveText('Overview');
  await expect(page.getByLabel('Signed in as')).toHaveText('Harbourside General Hospitalhospital');
});
