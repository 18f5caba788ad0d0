/**
 * `carechain sign-state reset` (docs/consensus.md §9, rule 4): refused without the explicit
 * flag (explaining the danger), without a usable --network-height, while the node runs (the
 * folder's lock), and below what the record knows the key signed; otherwise the record is
 * replaced so the key signs only above the height after the network's, the old one kept aside.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDevnet } from '../../main/cli/devnet';
import { SignGuard } from '../../main/network/sign-state';
import { readKeyFile } from '../../main/service/keystore';
import { openDataFolder } from '../../main/service/startup';
import { carechain, tempDir } from '../support/cli';

describe('carechain sign-state reset', () => {
  const root = path.join(tempDir(), 'devnet');
  createDevnet({ nodes: 2, dir: root, basePort: 40_000 });
  const dir = path.join(root, 'node-1');
  const key = readKeyFile(path.join(dir, 'node-key.json'));
  const stateDir = path.join(dir, 'sign-state');
  const recordFile = path.join(stateDir, `${key.publicKey}.json`);
  const record = () => readFileSync(recordFile, 'utf8');
  const reset = (...args: string[]) =>
    carechain(['sign-state', 'reset', '--dir', dir, ...args], { timeoutMs: 60_000 });
  const flag = '--i-understand-double-signing';

  it('refuses without the flag, explaining the danger, and changes nothing', async () => {
    const before = record();
    const result = await reset('--network-height', '5');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('conflicting votes');
    expect(result.stderr).toContain(`Nothing was changed. To reset it anyway, add ${flag}.`);
    expect(record()).toBe(before);
    expect(readdirSync(stateDir)).toHaveLength(1);
  });

  it('refuses a missing or bad height', async () => {
    const missing = await reset(flag);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--network-height is required');
    for (const bad of ['abc', '0', '1.5', '99999999999999999']) {
      const result = await reset(flag, '--network-height', bad);
      expect(result.code, bad).toBe(2);
      expect(result.stderr).toContain(
        `--network-height is a whole number of 1 or more, not "${bad}"`,
      );
    }
    expect(readdirSync(stateDir)).toHaveLength(1);
  });

  it('refuses while the node runs (its folder is locked)', async () => {
    const { lock } = openDataFolder(dir);
    try {
      const result = await reset(flag, '--network-height', '5');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('another CareChain process is using');
      expect(result.stderr).toContain('stop the node (or the console serving it) first');
    } finally {
      lock.release();
    }
    expect(readdirSync(stateDir)).toHaveLength(1);
  });

  it('resets above the network’s height, keeping the old record aside', async () => {
    const before = record();
    const result = await reset(flag, '--network-height', '5');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('it signs nothing at or below height 6, round 0');
    const files = readdirSync(stateDir).sort();
    expect(files).toHaveLength(2);
    const aside = files.find((f) => f.includes('.replaced-')) as string;
    expect(readFileSync(path.join(stateDir, aside), 'utf8')).toBe(before);
    expect(result.stdout).toContain(path.join(stateDir, aside));
    const tip = { chainId: 'carechain-devnet', genesisHash: JSON.parse(before).genesisHash };
    const status = SignGuard.open(dir, key, tip).status();
    expect(status).toMatchObject({ signing: true, last: { height: 6, round: 0 } });
  });

  it('refuses to reset below a height the record shows the key signed at', async () => {
    const before = record();
    const result = await reset(flag, '--network-height', '3');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not reset: this key is known to have signed up to');
    expect(record()).toBe(before);
    expect(readdirSync(stateDir)).toHaveLength(2);
  });
});
