/**
 * `carechain devnet --console K`: a running node holds its data folder, so a validator's console
 * is served by the devnet itself, node K running as `carechain serve` on the network with the
 * others. Its link opens the console; a node number outside the devnet is refused up front.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { carechain, tempDir } from '../support/cli';
import { DEVNET_START_MS, exited, killAll, startDevnet, until } from '../support/processes';

afterEach(() => killAll());

describe('carechain devnet --console', () => {
  it('refuses a node that is not in the devnet, and writes nothing', async () => {
    const dir = path.join(tempDir(), 'devnet');
    const refused = await carechain(['devnet', '--nodes', '2', '--dir', dir, '--console', '3']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--console names one of the 2 nodes: a number from 1 to 2/);
    expect(existsSync(dir)).toBe(false);
  });

  it(
    'serves the console of node K while it takes part in the network',
    async () => {
      const { devnet } = await startDevnet(2, { args: ['--console', '2'] });
      try {
        // Node K may say it is on the network before its web host prints the link.
        const link = await until(
          () => /\[node-2\] open (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(devnet.output())?.[1],
          'node-2 to print its console link',
          20_000,
        );
        const answer = await fetch(link, { redirect: 'manual' });
        expect([200, 302, 303]).toContain(answer.status);
        expect(devnet.output()).toMatch(/the console of node-2: open the link node-2 prints/);
      } finally {
        devnet.child.kill('SIGTERM');
        await exited(devnet.child);
      }
    },
    // Past startDevnet's own wait, so a devnet that never starts fails with its message.
    DEVNET_START_MS + 30_000,
  );
});
