import { create } from 'zustand';
import type { ChainStatus } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { coalesce, failed, idle, loaded, reloading, type Loadable } from './loadable';

interface ChainState {
  status: Loadable<ChainStatus>;
  refresh(): Promise<void>;
}

export const useChainStore = create<ChainState>()((set, get) => ({
  status: idle(),
  refresh: coalesce(async () => {
    set({ status: reloading(get().status) });
    try {
      set({ status: loaded(await rpc().call('chain.status', {})) });
    } catch (error) {
      set({ status: failed(get().status, error) });
    }
  }),
}));
