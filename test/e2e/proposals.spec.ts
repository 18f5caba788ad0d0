import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page, TestInfo } from '@playwright/test';
import {
  buildDemoFolder,
  carechain,
  expect,
  initConsortium,
  screenshot,
  serveFolder,
  stat,
  test,
  title,
  type ConsoleServer,
} from './console-fixture';

/*
 * Governance proposals made from the console: about a member from its page, and about the
 * policy from the Overview. Each test serves its own copy of the run's demo (the worker's `server` is
 * console.spec.ts's), as St Mary's University Hospital: 6 active members, majority of 4 needed,
 * St Mary's the only validator, policy "majority, 168 hours".
 */

const PASSPHRASE = 'carechain-demo';
const ME = "St Mary's University Hospital";
const CITYCARE = 'CityCare Pharmacy Group';
const SUSPEND_REASON = 'Dispensing records missing for the March audit';

function proposeSection(page: Page): Locator {
  return page.getByRole('region', { name: 'Propose', exact: true });
}

/** A fresh demo served for this test, with the console unlocked on its Overview. */
async function openDemo(
  page: Page,
  serveDir: (dir: string) => Promise<ConsoleServer>,
  scratchDir: string,
): Promise<ConsoleServer> {
  const dataDir = await buildDemoFolder(scratchDir);
  const server = await serveDir(dataDir);
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Unlock your profile');
  await page.getByLabel('Passphrase').fill(PASSPHRASE);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(title(page)).toHaveText('Overview');
  await expect(page.getByTitle('Live updates from the node')).toHaveText('Live');
  return server;
}

/** Follows a route inside the running console, as its links do (no reload: live state stays). */
async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate((target) => {
    location.hash = target;
  }, hash);
}

async function openMember(page: Page, id: string, legalName: string): Promise<void> {
  await go(page, `#/members/${id}`);
  await expect(title(page)).toContainText(legalName);
  await expect(proposeSection(page).getByRole('group')).toBeVisible();
}

/** A full-page screenshot from the top, so the sticky top bar sits where it belongs. */
async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, testInfo, name);
}

/** Records every proposals.create request the page sends. */
function watchProposals(page: Page): unknown[] {
  const sent: unknown[] = [];
  page.on('request', (request) => {
    if (!request.url().endsWith('/rpc') || request.method() !== 'POST') return;
    const body = request.postDataJSON() as { method?: string; params?: unknown } | null;
    if (body?.method === 'proposals.create') sent.push(body.params);
  });
  return sent;
}

test('a suspension proposed on the member page opens as a card with its reason and takes votes; the same proposal again is refused', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  await openDemo(page, serveDir, scratchDir);
  const sent = watchProposals(page);
  await openMember(page, 'citycare-pharmacy', CITYCARE);

  // An active non-validator: exactly these choices.
  const section = proposeSection(page);
  await expect(section.getByRole('group').getByRole('button')).toHaveText([
    'Suspend',
    'Revoke',
    'Make validator',
    'Rotate a key',
  ]);
  // Adding a validator is offered, with the warning of docs/consensus.md §7.6: the demo's node
  // makes every block alone, so a second validator would stop its chain.
  await section.getByRole('button', { name: 'Make validator' }).click();
  const addValidator = section.getByRole('form', { name: `Make ${CITYCARE} a validator` });
  await expect(addValidator.getByTestId('validator-readiness')).toContainText(
    'Caution: this node is not on a network: it makes every block alone',
  );
  await screenshot(page, testInfo, 'proposals-add-validator-warning');
  await addValidator.getByRole('button', { name: 'Cancel' }).click();
  const suspend = section.getByRole('button', { name: 'Suspend', exact: true });
  await expect(suspend).toHaveAttribute('aria-expanded', 'false');
  await suspend.click();
  await expect(suspend).toHaveAttribute('aria-expanded', 'true');

  const form = section.getByRole('form', { name: `Suspend ${CITYCARE}` });
  await expect(form).toContainText(`If approved, ${CITYCARE} is suspended`);
  await expect(form).toContainText(
    'This proposal is decided once a majority of active members approve it (6 of the 10 today); undecided, it expires after 7 days.',
  );
  await form.getByLabel('Reason (optional)').fill(SUSPEND_REASON);
  await shot(page, testInfo, 'member-propose');
  await form.getByRole('button', { name: 'Submit proposal' }).click();

  // Pending until the next block, then open with a way to its card. The block can commit
  // before the pending notice is seen, so either notice is right at first.
  const notice = section.getByRole('status');
  await expect(notice).toContainText(
    /Proposal submitted; it opens in the next block\.|Proposal open for votes/,
  );
  await expect(form).toHaveCount(0);
  await expect(notice).toContainText(`Proposal open for votes: Suspend ${CITYCARE}.`);
  expect(sent).toEqual([
    { action: { type: 'suspend', member: 'citycare-pharmacy' }, reason: SUSPEND_REASON },
  ]);
  // The member's history lists it, newest first, as open (the demo's suspension was approved).
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.locator('tbody tr').first()).toContainText(
    `Suspend ${CITYCARE}open0 approve · 0 reject`,
  );
  await expect(history.getByRole('link', { name: 'open: vote in Members' })).toHaveAttribute(
    'href',
    /^#\/members\?proposal=[0-9a-f]{64}$/,
  );

  await notice.getByRole('link', { name: 'See the open proposal' }).click();
  await expect(page).toHaveURL(/#\/members\?proposal=[0-9a-f]{64}$/);
  await expect(title(page)).toHaveText('Members');
  const card = page.getByRole('region', { name: new RegExp(`Suspend ${CITYCARE}`) });
  await expect(card).toBeVisible();
  await expect(card).toHaveClass(/proposal-card-focused/);
  await expect(card.getByRole('heading', { level: 3 })).toHaveText(`Suspend ${CITYCARE}`);
  await expect(card).toContainText('suspension');
  await expect(card).toContainText(`Reason${SUSPEND_REASON}`);
  await expect(card).toContainText(`Proposed by${ME}`);
  await expect(card).toContainText(`Member${CITYCARE} (pharmacy) active`);
  await expect(card.getByText(/ of \d+ needed, /)).toHaveText(
    '0 approvals of 6 needed, 0 rejections, 10 eligible',
  );
  await expect(card.getByText('No votes yet.')).toBeVisible();
  await shot(page, testInfo, 'proposal-open-card');

  await card.getByRole('button', { name: 'Approve' }).click();
  await expect(card.getByTestId('vote-status')).toHaveText('Your vote: approve');
  await expect(card.getByText(/ of \d+ needed, /)).toHaveText(
    '1 approval of 6 needed, 0 rejections, 10 eligible',
  );
  await expect(card.getByRole('list', { name: 'Votes' })).toContainText(`${ME} approve`);

  // The same proposal again: the node refuses it, under the submit button.
  await openMember(page, 'citycare-pharmacy', CITYCARE);
  await proposeSection(page).getByRole('button', { name: 'Suspend', exact: true }).click();
  const again = proposeSection(page).getByRole('form', { name: `Suspend ${CITYCARE}` });
  const submit = again.getByRole('button', { name: 'Submit proposal' });
  await submit.click();
  const refusal = again.getByRole('alert');
  await expect(refusal).toHaveText(
    'The node refused the proposal: the same suspend proposal is already under vote.',
  );
  const submitBox = await submit.boundingBox();
  const refusalBox = await refusal.boundingBox();
  expect(submitBox && refusalBox && refusalBox.y >= submitBox.y + submitBox.height).toBe(true);
  await expect(again).toBeVisible();
  expect(sent).toHaveLength(2);

  await go(page, '#/');
  await expect(stat(page, 'Open proposals').locator('.stat-number')).toHaveText('3');
  await expect(stat(page, 'Pending transactions').locator('.stat-number')).toHaveText('0');
});

test('a key rotation with a malformed new key is refused in the console and nothing is sent; a good one opens with both keys on its card', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  await openDemo(page, serveDir, scratchDir);
  const sent = watchProposals(page);
  await openMember(page, 'citycare-pharmacy', CITYCARE);

  await proposeSection(page).getByRole('button', { name: 'Rotate a key' }).click();
  const form = proposeSection(page).getByRole('form', { name: `Rotate a key of ${CITYCARE}` });
  await expect(form.getByRole('radio', { name: 'An admin key' })).toBeChecked();
  const newKey = form.getByLabel('New public key');
  const submit = form.getByRole('button', { name: 'Submit proposal' });

  const malformed: [string, string][] = [
    ['', 'Paste the new public key.'],
    ['abc123', 'A public key is 64 hex digits; this one has 6.'],
    ['z'.repeat(64), 'A public key has only the hex digits 0-9 and a-f.'],
    [
      'AB'.repeat(32),
      'Write the key in lowercase hex digits (0-9, a-f), as carechain keygen prints it.',
    ],
    // Well-formed, but the identity point: of small order, never a key.
    [`01${'00'.repeat(31)}`, 'The public key is a point of small order.'],
  ];
  for (const [value, message] of malformed) {
    await newKey.fill(value);
    await submit.click();
    await expect(newKey).toHaveAccessibleDescription(
      `The public key of the new key pair: 64 lowercase hex digits, as carechain keygen prints it. ${message}`,
    );
    await expect(newKey).toHaveAttribute('aria-invalid', 'true');
  }
  const keyBox = await newKey.boundingBox();
  const errorBox = await form.getByRole('alert').boundingBox();
  expect(keyBox && errorBox && errorBox.y >= keyBox.y + keyBox.height).toBe(true);
  expect(sent).toEqual([]);

  await go(page, '#/');
  await expect(stat(page, 'Pending transactions').locator('.stat-number')).toHaveText('0');
  await expect(stat(page, 'Open proposals').locator('.stat-number')).toHaveText('2');

  // A key another member holds: the node refuses it, and says so under the field.
  const genesis = JSON.parse(
    readFileSync(path.join(scratchDir, 'demo', 'genesis.json'), 'utf8'),
  ) as {
    members: { id: string; nodeKey: string }[];
  };
  const northwindNode = genesis.members.find((m) => m.id === 'northwind-pharma')?.nodeKey ?? '';
  await openMember(page, 'citycare-pharmacy', CITYCARE);
  await proposeSection(page).getByRole('button', { name: 'Rotate a key' }).click();
  await newKey.fill(northwindNode);
  await submit.click();
  await expect(form.getByRole('alert')).toHaveText(
    'The new key is already registered to northwind-pharma.',
  );
  await expect(newKey).toHaveAttribute('aria-invalid', 'true');
  expect(sent).toHaveLength(1);
  await shot(page, testInfo, 'rotate-key-refused');

  // A real new key (from carechain keygen) for the node key.
  const keyFile = path.join(scratchDir, 'citycare-node-2.json');
  expect((await carechain(['keygen', '--out', keyFile])).code).toBe(0);
  const publicKey = (JSON.parse(readFileSync(keyFile, 'utf8')) as { publicKey: string }).publicKey;
  await form.getByRole('radio', { name: 'The node key' }).check();
  await expect(form).toContainText('If approved, the node key of CityCare Pharmacy Group');
  await newKey.fill(`  ${publicKey}\n`);
  await submit.click();
  const notice = proposeSection(page).getByRole('status');
  await expect(notice).toContainText(
    `Proposal open for votes: Rotate the node key of ${CITYCARE}.`,
  );
  expect(sent).toHaveLength(2);
  expect(sent[1]).toEqual({
    action: {
      type: 'rotate-key',
      member: 'citycare-pharmacy',
      role: 'node',
      oldKey: genesis.members.find((m) => m.id === 'citycare-pharmacy')?.nodeKey,
      newKey: publicKey,
    },
  });

  await notice.getByRole('link', { name: 'See the open proposal' }).click();
  const card = page.getByRole('region', { name: `Rotate the node key of ${CITYCARE}` });
  await expect(card).toContainText('key rotation');
  await expect(card).toContainText(`${publicKey.slice(0, 8)}…${publicKey.slice(-8)}`);
  await expect(
    card.getByRole('button', { name: `Copy new node key of ${CITYCARE}` }),
  ).toBeVisible();
  await expect(
    card.getByRole('button', { name: `Copy old node key of ${CITYCARE}` }),
  ).toBeVisible();
  await expect(card).not.toContainText('Reason');
  await shot(page, testInfo, 'proposal-rotate-key-card');
});

test('refusals of the node show where the user acted: removing the only validator, and a policy already in force', async ({
  page,
  serveDir,
  scratchDir,
}, testInfo) => {
  await openDemo(page, serveDir, scratchDir);

  // St Mary's is the only validator.
  await openMember(page, 'st-marys-hospital', ME);
  const section = proposeSection(page);
  await expect(section.getByRole('group').getByRole('button')).toHaveText([
    'Suspend',
    'Revoke',
    'Remove as validator',
    'Rotate a key',
  ]);
  await section.getByRole('button', { name: 'Remove as validator' }).click();
  const form = section.getByRole('form', { name: `Remove ${ME} from the validators` });
  await form.getByRole('button', { name: 'Submit proposal' }).click();
  await expect(form.getByRole('alert')).toHaveText(
    'The node refused the proposal: it would leave the consortium without a validator.',
  );
  // Cancel closes the form and forgets the refusal.
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(form).toHaveCount(0);
  await expect(section.getByRole('button', { name: 'Remove as validator' })).toBeFocused();

  // A validator's node key may be rotated: this console's node generates the new key, and the
  // form says the rotation takes effect two blocks after the decision.
  await section.getByRole('button', { name: 'Rotate a key' }).click();
  const rotate = section.getByRole('form', { name: /Rotate a key of/ });
  await expect(rotate.getByRole('radio', { name: 'An admin key' })).toBeChecked();
  await rotate.getByRole('radio', { name: 'The node key' }).check();
  await expect(rotate).toContainText('New node key, generated on this node');
  await expect(rotate.getByRole('button', { name: /Copy new node key/ })).toBeVisible();
  await expect(rotate).toContainText('the rotation takes effect at height H + 2');
  await rotate.getByRole('button', { name: 'Cancel' }).click();

  // The policy card of the Overview: the policy in force as it is.
  await go(page, '#/');
  const policy = stat(page, 'Governance policy');
  await expect(policy).toContainText('Approval by a majority of active members');
  await policy.getByRole('button', { name: 'Propose a policy change' }).click();
  const policyForm = policy.getByRole('form', { name: 'Propose a policy change' });
  const threshold = policyForm.getByLabel('Approval threshold');
  const hours = policyForm.getByLabel('Proposals stay open (hours)');
  await expect(threshold).toHaveValue('majority');
  await expect(hours).toHaveValue('168');

  // Hours are checked before anything is sent.
  const sent = watchProposals(page);
  await hours.fill('0');
  await policyForm.getByRole('button', { name: 'Submit proposal' }).click();
  await expect(hours).toHaveAccessibleDescription(
    'A whole number from 1 to 8760. Proposals stay open from 1 to 8760 hours (one year).',
  );
  await hours.fill('8761');
  await policyForm.getByRole('button', { name: 'Submit proposal' }).click();
  await expect(hours).toHaveAttribute('aria-invalid', 'true');
  expect(sent).toEqual([]);

  await hours.fill('168');
  await policyForm.getByLabel('Reason (optional)').fill('Confirming the policy we have');
  await policyForm.getByRole('button', { name: 'Submit proposal' }).click();
  await expect(policyForm.getByRole('alert')).toHaveText(
    'The node refused the proposal: the policy is already in force.',
  );
  await expect(hours).not.toHaveAttribute('aria-invalid', 'true');
  await shot(page, testInfo, 'policy-change');

  // A different policy opens as a proposal, its card showing the change.
  await threshold.selectOption('two-thirds');
  await hours.fill('72');
  await expect(policyForm).toContainText(
    'If approved, proposals need the approval of two thirds of active members and stay open 3 days.',
  );
  await policyForm.getByRole('button', { name: 'Submit proposal' }).click();
  const notice = policy.getByRole('status');
  await expect(notice).toContainText(
    'Proposal open for votes: Change the policy: approval by two thirds, open 3 days.',
  );
  expect(sent).toHaveLength(2);
  await notice.getByRole('link', { name: 'See the open proposal' }).click();
  const card = page.getByRole('region', {
    name: 'Change the policy: approval by two thirds, open 3 days',
  });
  await expect(card).toContainText(
    'ThresholdApproval by two thirds of active members (now a majority)',
  );
  await expect(card).toContainText('Open for3 days (now 7 days)');
  await expect(card).toContainText('ReasonConfirming the policy we have');
  await shot(page, testInfo, 'proposal-policy-card');
});

/*
 * Two founders, so that each one's vote counts: Riverside General (the validator) and Harbour
 * Pharmacy. The console changes hands between them (profile removed, created from the other's
 * admin key file) to decide a suspension, then a revocation, and the choices follow the state.
 */
const RIVERSIDE = 'Riverside General Hospital';
const HARBOUR = 'Harbour Pharmacy';
const FOUNDER_PASSPHRASE = 'founder-admin-2024';

/** Riverside General (the validator) and Harbour Pharmacy, each with its own keys. */
async function foundTwoMemberChain(dir: string) {
  const { dataDir, keys } = await initConsortium(dir, 'two-founders-e2e', [
    { id: 'riverside-general', legalName: RIVERSIDE, kind: 'hospital', validator: true },
    { id: 'harbour-pharmacy', legalName: HARBOUR, kind: 'pharmacy', validator: false },
  ]);
  const riverside = keys['riverside-general'];
  const harbour = keys['harbour-pharmacy'];
  if (!riverside || !harbour) throw new Error('initConsortium made no keys for a founder');
  return {
    dataDir,
    keys: { riversideAdmin: riverside.adminFile, harbourAdmin: harbour.adminFile },
  };
}

/**
 * Serves the chain with a new console profile made from `keyFile` (any earlier profile is
 * removed first), and returns the server once the Overview shows. The caller stops it.
 */
async function serveAs(page: Page, dataDir: string, keyFile: string) {
  rmSync(path.join(dataDir, 'profile.json'), { force: true });
  const server = await serveFolder(dataDir);
  await page.goto(server.url);
  await expect(title(page)).toHaveText('Create your console profile');
  await page.getByLabel('Key file').setInputFiles(keyFile);
  await page.getByLabel('Passphrase', { exact: true }).fill(FOUNDER_PASSPHRASE);
  await page.getByLabel('Confirm passphrase').fill(FOUNDER_PASSPHRASE);
  await page.getByRole('button', { name: 'Create profile' }).click();
  await expect(title(page)).toHaveText('Overview');
  await expect(page.getByTitle('Live updates from the node')).toHaveText('Live');
  return server;
}

/** Proposes `action` about Harbour Pharmacy from its page and approves it on its card. */
async function proposeAndApprove(page: Page, action: string, heading: string, tally: string) {
  await openMember(page, 'harbour-pharmacy', HARBOUR);
  await proposeSection(page).getByRole('button', { name: action, exact: true }).click();
  await proposeSection(page)
    .getByRole('form', { name: heading })
    .getByRole('button', { name: 'Submit proposal' })
    .click();
  const notice = proposeSection(page).getByRole('status');
  await expect(notice).toContainText(`Proposal open for votes: ${heading}.`);
  await notice.getByRole('link', { name: 'See the open proposal' }).click();
  const card = page.getByRole('region', { name: heading });
  await expect(card.getByText(/ of \d+ needed, /)).toHaveText(tally);
  await card.getByRole('button', { name: 'Approve' }).click();
  return card;
}

test('the choices follow the member: suspended, it can be reinstated or revoked; revoked, nothing', async ({
  page,
  scratchDir,
}, testInfo) => {
  const { dataDir, keys } = await foundTwoMemberChain(scratchDir);
  let server = await serveAs(page, dataDir, keys.riversideAdmin);
  try {
    // Riverside proposes to suspend Harbour and approves: 1 of the 2 needed.
    const suspension = await proposeAndApprove(
      page,
      'Suspend',
      `Suspend ${HARBOUR}`,
      '0 approvals of 2 needed, 0 rejections, 2 eligible',
    );
    await expect(suspension.getByText(/ of \d+ needed, /)).toHaveText(
      '1 approval of 2 needed, 0 rejections, 2 eligible',
    );
    await server.stop();

    // Harbour's own admin approves too: decided, and Harbour may no longer propose.
    server = await serveAs(page, dataDir, keys.harbourAdmin);
    await go(page, '#/members');
    await page
      .getByRole('region', { name: `Suspend ${HARBOUR}` })
      .getByRole('button', { name: 'Approve' })
      .click();
    await expect(
      page.getByRole('status').filter({ hasText: `Suspend ${HARBOUR} was approved` }),
    ).toBeVisible();
    await go(page, '#/members/harbour-pharmacy');
    await expect(title(page)).toHaveText(`${HARBOUR} suspendedyour organisation`);
    await expect(proposeSection(page)).toContainText(
      'Your organisation is suspended: only active members make proposals.',
    );
    await expect(proposeSection(page).getByRole('button')).toHaveCount(0);
    await server.stop();

    // Back with Riverside: a suspended member can be reinstated, revoked or re-keyed.
    server = await serveAs(page, dataDir, keys.riversideAdmin);
    await openMember(page, 'harbour-pharmacy', HARBOUR);
    await expect(proposeSection(page).getByRole('group').getByRole('button')).toHaveText([
      'Reinstate',
      'Revoke',
      'Rotate a key',
    ]);
    await proposeSection(page).getByRole('button', { name: 'Reinstate' }).click();
    await expect(proposeSection(page).getByRole('form')).toContainText(
      `If approved, ${HARBOUR} is active again`,
    );
    // Riverside alone is the majority of the one active member now.
    await proposeAndApprove(
      page,
      'Revoke',
      `Revoke ${HARBOUR}`,
      '0 approvals of 1 needed, 0 rejections, 1 eligible',
    );
    await expect(
      page.getByRole('status').filter({ hasText: `Revoke ${HARBOUR} was approved` }),
    ).toBeVisible();
    await go(page, '#/members/harbour-pharmacy');
    await expect(title(page)).toHaveText(`${HARBOUR} revoked`);
    await expect(proposeSection(page)).toContainText(
      `A revoked member cannot be changed: no proposal can be made about ${HARBOUR}.`,
    );
    await expect(proposeSection(page).getByRole('group')).toHaveCount(0);
    // What became of the proposal made here.
    await expect(proposeSection(page).getByRole('status')).toHaveText(
      `Proposal decided: Revoke ${HARBOUR} was approved. See the decided proposalsDismiss`,
    );
    await shot(page, testInfo, 'member-revoked');

    const verify = await carechain(['verify', '--dir', dataDir]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  } finally {
    await server.stop();
  }
});
