/** Text of the error dialog shown when the node service cannot run. */
export function describeServiceFailure(message: string, dataDir: string): string {
  const lines = [message, '', `Data folder: ${dataDir}`];
  // The usual cause in a development checkout: better-sqlite3 was built for Node, not Electron.
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message)) {
    lines.push(
      '',
      "The native SQLite module is built for Node.js rather than this Electron. Rebuild it for Electron with 'npx electron-builder install-app-deps', or run the console in the browser with 'npx carechain serve'.",
    );
  }
  return lines.join('\n');
}
