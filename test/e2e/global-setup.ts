import { rmSync } from 'node:fs';
import { useRunTemp } from '../support/run-temp';
import { SCREENSHOT_DIR } from './console-fixture';

/**
 * Screenshots are the artifacts of one run: a page no longer visited leaves none behind. The
 * servers, nodes and browsers the tests start keep their folders under one temp folder that is
 * removed when the run ends.
 */
export default function globalSetup(): () => void {
  rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
  return useRunTemp('carechain-e2e-run-');
}
