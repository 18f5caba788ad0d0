/** The one IPC entry point of the renderer: a checked, untouched relay to the node service. */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC } from '../../shared/rpc/contract';
import type { RpcResponse } from '../../shared/rpc/contract';
import { isTrustedIpcSender } from './security';

export interface RpcRelay {
  /** id of the main window's webContents, or null while there is none. */
  trustedWebContentsId: () => number | null;
  forward: (request: unknown) => Promise<RpcResponse>;
}

export function senderFacts(event: IpcMainInvokeEvent) {
  const frame = event.senderFrame;
  return {
    frameUrl: frame?.url ?? null,
    isMainFrame: frame !== null && frame.parent === null,
    webContentsId: event.sender.id,
  };
}

export function registerRpcHandler(ipcMain: IpcMain, relay: RpcRelay): void {
  ipcMain.handle(IPC.rpc, async (event, request: unknown): Promise<RpcResponse> => {
    const facts = senderFacts(event);
    if (!isTrustedIpcSender(facts, relay.trustedWebContentsId())) {
      console.error(`[carechain] refused an RPC call from ${facts.frameUrl ?? 'a detached frame'}`);
      return { ok: false, error: { code: 'unauthorized', message: 'Caller is not the console.' } };
    }
    return relay.forward(request);
  });
}
