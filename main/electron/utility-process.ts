/** Adapts Electron's utilityProcess to the ServiceProcess interface of ServiceHost. */
import { utilityProcess } from 'electron';
import type { ToService } from './service-messages';
import type { ServiceProcess } from './service-host';

export function forkService(entry: string): ServiceProcess {
  const child = utilityProcess.fork(entry, [], {
    serviceName: 'CareChain node service',
    stdio: 'inherit',
  });
  // Messages are held until the process is up, so the first one (init) cannot be lost.
  let queue: ToService[] | null = [];
  child.once('spawn', () => {
    const waiting = queue ?? [];
    queue = null;
    for (const message of waiting) child.postMessage(message);
  });
  return {
    postMessage(message) {
      if (queue === null) child.postMessage(message);
      else queue.push(message);
    },
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', listener),
    kill: () => void child.kill(),
  };
}
