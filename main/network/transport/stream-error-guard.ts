/**
 * A node process's guard against one known libp2p fault: yamux queues a window update for a
 * stream (`queueMicrotask(() => stream.sendWindowUpdate())`), and when the connection closes
 * before that microtask runs, it throws StreamStateError where no caller can catch it. The
 * stream is gone either way, so nothing is lost by ignoring it; without this, a peer that
 * disconnects at the wrong moment would end the node. Every other uncaught exception still
 * ends the process as Node would (message, stack, exit code 1).
 *
 * Installed by the processes that run a node (`carechain node`, `serve`, the desktop app's node
 * service), never by library code, so tests keep their own handling of uncaught errors.
 */
export function guardAgainstStreamStateErrors(log: (line: string) => void): void {
  process.on('uncaughtException', (error: Error) => {
    if (error?.name === 'StreamStateError') {
      log(`network: a stream closed while libp2p still wrote to it (${error.message}); ignored`);
      return;
    }
    console.error(error);
    process.exit(1);
  });
}
