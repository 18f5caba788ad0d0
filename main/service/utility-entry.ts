/**
 * Entry of the node service inside Electron's utilityProcess (bundled to out/node/service.mjs).
 * It speaks the messages of main/electron/service-messages.ts over process.parentPort; the
 * 'electron' module is used for types only, since a utility process gets its port from process.
 */
import type { MessageEvent, ParentPort } from 'electron';
import { parseToService, serviceError, type FromService } from '../electron/service-messages';
import { startNodeService } from './node-service';
import type { NodeService } from './node-service-api';
import { guardAgainstStreamStateErrors } from '../network/transport/stream-error-guard';

// Typed as always present by electron.d.ts, but undefined when run by plain Node.
const port = process.parentPort as ParentPort | undefined;

function post(message: FromService): void {
  port?.postMessage(message);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let service: Promise<NodeService> | null = null;

function init(dataDir: string): void {
  if (service !== null) return;
  guardAgainstStreamStateErrors((line) => console.error(line));
  service = startNodeService({ dataDir });
  service.then(
    (started) => {
      started.onEvent((event) => post({ type: 'event', event }));
      post({ type: 'ready' });
    },
    // The main process shows this to the user and ends us; requests meanwhile get errors.
    (error: unknown) => post({ type: 'fatal', message: describe(error) }),
  );
}

async function answer(id: number, request: unknown): Promise<void> {
  if (service === null) {
    post({ type: 'response', id, response: serviceError('The node service has no data folder.') });
    return;
  }
  try {
    const response = await (await service).handle(request);
    post({ type: 'response', id, response });
  } catch (error) {
    post({ type: 'response', id, response: serviceError(describe(error)) });
  }
}

async function shutdown(): Promise<void> {
  try {
    await (await service)?.close();
  } catch (error) {
    console.error('[carechain] node service did not close cleanly:', error);
  }
  process.exit(0);
}

function receive(messageEvent: MessageEvent): void {
  const message = parseToService(messageEvent.data);
  if (message === null) {
    console.error('[carechain] node service ignored a malformed message');
    return;
  }
  switch (message.type) {
    case 'init':
      return init(message.dataDir);
    case 'request':
      return void answer(message.id, message.request);
    case 'shutdown':
      return void shutdown();
  }
}

if (port === undefined) {
  console.error(
    'out/node/service.mjs runs inside the Electron app; for a headless node use `npx carechain node`.',
  );
  process.exit(1);
}
port.on('message', receive);
