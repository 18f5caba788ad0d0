/**
 * Sandboxed preload: exposes exactly CarechainBridge as window.carechain. ipcRenderer itself and
 * its event objects never cross into the page, so the page can reach no other channel.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CarechainBridge } from '../../shared/rpc/bridge';
import type { RpcEvent, RpcResponse } from '../../shared/rpc/contract';
import { IPC } from '../../shared/rpc/ipc';

const bridge: CarechainBridge = {
  call(request): Promise<RpcResponse> {
    // Only the two documented fields travel; the node service validates both.
    return ipcRenderer.invoke(IPC.rpc, { method: request.method, params: request.params });
  },
  onEvent(listener) {
    const relay = (_event: IpcRendererEvent, event: RpcEvent) => listener(event);
    ipcRenderer.on(IPC.events, relay);
    return () => {
      ipcRenderer.removeListener(IPC.events, relay);
    };
  },
};

contextBridge.exposeInMainWorld('carechain', bridge);
