import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { carechain } from '../support/cli';
import { useRunTemp } from '../support/run-temp';
import { DEMO_TEMPLATE_ENV, SCREENSHOT_DIR } from './console-fixture';

/**
 * Screenshots are the artifacts of one run: a page no longer visited leaves none behind. The
 * servers, nodes and browsers the tests start keep their folders under one temp folder that is
 * removed when the run ends.
 *
 * And the run's one `carechain demo`, which the tests copy (buildDemoFolder): a demo costs
 * seconds of CPU, and some fifteen tests each built their own, identical but for its keys.
 */
export default async function globalSetup(): Promise<() => void> {
  rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
  const removeRunTemp = useRunTemp('carechain-e2e-run-');
  try {
    // Under the run's temp folder (useRunTemp pointed TMPDIR there): removed with it.
    const root = mkdtempSync(path.join(tmpdir(), 'carechain-e2e-demo-template-'));
    const dataDir = path.join(root, 'demo');
    const demo = await carechain(['demo', '--dir', dataDir]);
    if (demo.code !== 0) throw new Error(`carechain demo failed: ${demo.stderr}`);
    writeFileSync(path.join(root, 'demo-stdout.txt'), demo.stdout);
    // Workers start after global setup and inherit its environment.
    process.env[DEMO_TEMPLATE_ENV] = root;
  } catch (error) {
    removeRunTemp();
    throw error;
  }
  return () => {
    delete process.env[DEMO_TEMPLATE_ENV];
    removeRunTemp();
  };
}
