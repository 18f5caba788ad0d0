// `npm start` where Electron's runtime cannot be had: one clear line, then the same console in
// the browser. ELECTRON_SKIP_BINARY_DOWNLOAD makes the download fail the same way on every
// machine (offline it fails anyway), and CARECHAIN_SKIP_BUILD reuses the build `npm test` made.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const start = path.join(root, 'scripts/start.mjs');
const workDir = mkdtempSync(path.join(tmpdir(), 'carechain-start-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function electronInstalled(): boolean {
  try {
    const binary: unknown = createRequire(import.meta.url)('electron');
    return typeof binary === 'string' && existsSync(binary);
  } catch {
    return false;
  }
}

const env = {
  ...process.env,
  CARECHAIN_SKIP_BUILD: '1',
  ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
  INIT_CWD: workDir,
};
const rendererBuilt = existsSync(path.join(root, 'out/renderer/index.html'));

describe('npm start without the Electron runtime', () => {
  it.skipIf(electronInstalled() || !rendererBuilt)(
    'says so in one line and serves the console in the browser (needs `npm run build`; skipped where Electron is installed)',
    async () => {
      const child = spawn(process.execPath, [start, '--data-dir', 'node-a'], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const found = /http:\/\/127\.0\.0\.1:\d+\/\S*/.exec(stdout);
          if (found) resolve(found[0]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
        setTimeout(() => reject(new Error(`no URL after 30 s: ${stdout}${stderr}`)), 30_000);
      });
      try {
        const lines = stdout.split('\n');
        expect(lines[0]).toBe(
          'Electron runtime unavailable here (could not download it: ELECTRON_SKIP_BINARY_DOWNLOAD is set); ' +
            'serving the same console in your browser instead.',
        );
        expect(stdout.match(/Electron/g)).toHaveLength(1);
        expect(url).toMatch(/\/login\?code=/);

        const page = await fetch(url);
        expect(page.status).toBe(200);
        expect(await page.text()).toMatch(/<html/i);
        // A relative --data-dir means relative to where `npm start` was typed.
        expect(existsSync(path.join(workDir, 'node-a'))).toBe(true);
      } finally {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  );

  it('refuses --data-dir without a folder', () => {
    const result = spawnSync(process.execPath, [start, '--data-dir'], { env, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--data-dir needs a folder/);
  });
});
