#!/usr/bin/env node
// `npm start`: build, then open the console in Electron — or, where Electron's runtime cannot be
// had (it is downloaded on first use), serve the very same console to the browser instead.
//
//   npm start [-- --data-dir DIR] [-- other flags for the app, or for `carechain serve`]
//
// CARECHAIN_SKIP_BUILD=1 skips the build (for callers that just built);
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 (Electron's own switch) keeps it from downloading Electron.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const DATA_DIR_FLAG = '--data-dir';
const DATA_DIR_ENV = 'CARECHAIN_DATA_DIR';
/** Read by the node service (main/store) to load SQLite built for Electron instead of Node. */
const SQLITE_BINDING_ENV = 'CARECHAIN_SQLITE_BINDING';
// A real download is ~100 MB; offline it fails at once, so the bound only matters on slow links.
const INSTALL_TIMEOUT_MS = 120_000;
const INSTALL_NOTICE_AFTER_MS = 3_000;
const NATIVE_BUILD_TIMEOUT_MS = 600_000;

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
  const chosen = dataDir ?? (process.env[DATA_DIR_ENV]?.trim() || undefined);
  return { dataDir: chosen && path.resolve(base, chosen), rest };
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
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    return Promise.resolve('ELECTRON_SKIP_BINARY_DOWNLOAD is set');
  }
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

/** The NODE_MODULE_VERSION a native addon was built for, read from its exported symbol. */
function addonAbi(file) {
  try {
    return /node_register_module_v(\d+)/.exec(readFileSync(file, 'latin1'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * better-sqlite3 in node_modules is built for Node (the CLI, the tests and browser mode use it),
 * while Electron's utility process needs a build for Electron's ABI. Rebuilding in place would
 * break the former, so a separate copy is prepared once per Electron version and handed to the
 * node service through SQLITE_BINDING_ENV. Returns { binding } or { reason }.
 */
function electronSqlite() {
  const abi = readFileSync(path.join(root, 'node_modules/electron/abi_version'), 'utf8').trim();
  const source = path.dirname(require.resolve('better-sqlite3/package.json'));
  const inPlace = path.join(source, 'build/Release/better_sqlite3.node');
  // Already rebuilt for Electron (e.g. by `electron-builder install-app-deps`): nothing to do.
  if (addonAbi(inPlace) === abi) return { binding: inPlace };

  const { version } = require('electron/package.json');
  const copy = path.join(
    root,
    `node_modules/.cache/carechain/better-sqlite3-electron-${version}-${process.platform}-${process.arch}`,
  );
  const binding = path.join(copy, 'build/Release/better_sqlite3.node');
  if (addonAbi(binding) === abi) return { binding };

  console.log(`Preparing SQLite for Electron ${version} (first start only)…`);
  rmSync(copy, { recursive: true, force: true });
  cpSync(source, copy, {
    recursive: true,
    filter: (file) => path.relative(source, file).split(path.sep)[0] !== 'build',
  });
  // npm's nodedir setting would point node-gyp at Node's headers instead of Electron's.
  const env = { ...process.env };
  delete env.npm_config_nodedir;
  const target = ['--runtime=electron', `--target=${version}`, `--arch=${process.arch}`];
  const attempts = [
    // A prebuilt binary when the project publishes one, else a build against Electron's headers.
    ['prebuild-install/bin.js', [...target, `--platform=${process.platform}`]],
    [
      'node-gyp/bin/node-gyp.js',
      ['rebuild', '--release', ...target, '--dist-url=https://electronjs.org/headers'],
    ],
  ];
  for (const [script, args] of attempts) {
    spawnSync(process.execPath, [require.resolve(script), ...args], {
      cwd: copy,
      env,
      stdio: 'ignore',
      timeout: NATIVE_BUILD_TIMEOUT_MS,
    });
    if (addonAbi(binding) === abi) return { binding };
  }
  return { reason: `could not get better-sqlite3 built for Electron ${version} (ABI ${abi})` };
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

function startElectron(binary, binding, dataDir, rest) {
  const env = { ...process.env, [SQLITE_BINDING_ENV]: binding };
  // Inherited from some tool, this would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  handOver(binary, [root, ...(dataDir ? [DATA_DIR_FLAG, dataDir] : []), ...rest], env);
}

function startBrowser(why, dataDir, rest) {
  console.log(`${why}; serving the same console in your browser instead.`);
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
if (!process.env.CARECHAIN_SKIP_BUILD) build();

let binary = electronBinary();
let reason = null;
if (binary === null) {
  reason = await fetchElectron();
  binary = electronBinary();
}
if (binary === null) {
  const cause = reason ?? 'no executable after its install';
  startBrowser(
    `Electron runtime unavailable here (could not download it: ${cause})`,
    dataDir,
    rest,
  );
} else {
  const sqlite = electronSqlite();
  if (sqlite.binding) startElectron(binary, sqlite.binding, dataDir, rest);
  else startBrowser(`Electron is installed but ${sqlite.reason}`, dataDir, rest);
}
