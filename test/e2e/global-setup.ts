import { rmSync } from 'node:fs';
import { SCREENSHOT_DIR } from './console-fixture';

/** Screenshots are the artifacts of one run: a page no longer visited leaves none behind. */
export default function globalSetup(): void {
  rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
}
