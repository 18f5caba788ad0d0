#!/usr/bin/env node
// `npm start`: build, then open the console in Electron — or, where Electron's runtime cannot be
// had (it is downloaded on first use), serve the very same console to the browser instead.
//
//   npm start [-- --data-dir DIR] [-- other flags for the app, or for `carechain serve`]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const DATA_DIR_FLAG = '--data-dir';
const DATA_DIR_ENV = 'CARECHAIN_DATA_DIR';
// A real download is ~100 MB; offline it fails at once, so the bound only matters on slow links.
const INSTALL_TIMEOUT_MS = 120_000;
const INSTALL_NOTICE_AFTER_MS = 3_000;

function fail(message, code = 1) {
  console.error(`npm start: ${message}`);
  process.exit(code);
}

/** Splits `--data-dir DIR` / `--data-dir=DIR` from the other arguments. */
function parseArgs(argv) {
  const rest = [];
  let dataDir;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === DATA_DIR_FLAG) {
      dataDir = argv[++i];
      if (dataDir === undefined || dataDir.startsWith('--'))
        fail(`${DATA_DIR_FLAG} needs a folder`, 2);
    } else if (arg.startsWith(`${DATA_DIR_FLAG}=`)) {
      dataDir = arg.slice(DATA_DIR_FLAG.length + 1);
      if (dataDir === '') fail(`${DATA_DIR_FLAG} needs a folder`, 2);
    } else {
      rest.push(arg);
    }
  }
  // npm runs scripts from the package root; relative folders mean where the user typed them.
  const base = process.env.INIT_CWD ?? process.cwd();
  const fromEnv = process.env[DATA_DIR_ENV]?.trim() || undefined;
  return { dataDir: (dataDir ?? fromEnv) && path.resolve(base, dataDir ?? fromEnv), rest };
}

function build() {
  // Under `npm start` npm tells us which npm runs us; use the same one.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli
    ? [process.execPath, [npmCli, 'run', 'build']]
    : ['npm', ['run', 'build']];
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    shell: !npmCli && process.platform === 'win32',
  });
  if (result.status !== 0) fail('the build failed (see above).', result.status ?? 1);
}

/** Path of the Electron executable, or null when the runtime has not been downloaded. */
function electronBinary() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** One attempt at Electron's own download; resolves to null on success, else the reason. */
function fetchElectron() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'node_modules/electron/install.js')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const notice = setTimeout(
      () => console.log('Fetching the Electron runtime (first start only)…'),
      INSTALL_NOTICE_AFTER_MS,
    );
    let timedOut = false;
    const limit = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, INSTALL_TIMEOUT_MS);
    const done = (reason) => {
      clearTimeout(notice);
      clearTimeout(limit);
      resolve(reason);
    };
    child.on('error', (error) => done(error.message));
    child.on('close', (code) => {
      if (timedOut) return done(`no answer within ${INSTALL_TIMEOUT_MS / 1000} s`);
      if (code === 0) return done(null);
      // e.g. "RequestError: getaddrinfo ENOTFOUND github.com" → "getaddrinfo ENOTFOUND github.com"
      const line = /^\w*Error: (.+)$/m.exec(output)?.[1] ?? output.trim().split('\n').pop();
      done(line ? line.slice(0, 160) : `installer exited with code ${code}`);
    });
  });
}

/** Runs a child to its end with our stdio, then exits with its status. */
function handOver(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  // Ctrl+C reaches the child through the terminal; a plain kill of us is passed on.
  for (const signal of ['SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => fail(`could not run ${command}: ${error.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function startElectron(binary, dataDir, rest) {
  const env = { ...process.env };
  // Inherited from some tool, this would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const args = [root, ...(dataDir ? [DATA_DIR_FLAG, dataDir] : []), ...rest];
  handOver(binary, args, env);
}

function startBrowser(dataDir, rest) {
  const dir = dataDir ?? path.join(root, '.carechain');
  handOver(process.execPath, [
    path.join(root, 'bin/carechain.mjs'),
    'serve',
    '--dir',
    dir,
    ...rest,
  ]);
}

const { dataDir, rest } = parseArgs(process.argv.slice(2));
build();

let binary = electronBinary();
let reason = null;
if (binary === null) {
  reason = await fetchElectron();
  binary = electronBinary();
}
if (binary !== null) {
  startElectron(binary, dataDir, rest);
} else {
  console.log(
    `Electron runtime unavailable here (could not download it: ${reason ?? 'no executable after install'}); ` +
      'serving the same console in your browser instead.',
  );
  startBrowser(dataDir, rest);
}
