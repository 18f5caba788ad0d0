import { create } from 'zustand';
import type { BlockDetail, BlockSummary, TxDetail } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { coalesce, failed, hasStarted, idle, loaded, reloading, type Loadable } from './loadable';

export const BLOCKS_PER_PAGE = 25;
/** How many of the newest blocks the Overview shows. */
export const RECENT_BLOCKS = 8;

export interface BlockPage {
  tipHeight: number;
  blocks: BlockSummary[];
}

interface BlocksState {
  /** `before` of the page on screen; null is the newest page, which follows the tip live. */
  pageBefore: number | null;
  page: Loadable<BlockPage>;
  /** The newest few blocks, for the Overview; independent of the page the Blocks list shows. */
  recent: Loadable<BlockPage>;
  /** Blocks and transactions never change once committed, so they are cached. */
  blocks: Record<number, Loadable<BlockDetail>>;
  txs: Record<string, Loadable<TxDetail>>;
  openPage(before: number | null): Promise<void>;
  refreshRecent(): Promise<void>;
  /** After a block commits: only the newest page and the recent blocks change. */
  refreshLoaded(): Promise<void>;
  loadBlock(height: number): Promise<void>;
  loadTx(id: string): Promise<void>;
}

export const useBlocksStore = create<BlocksState>()((set, get) => {
  const fetchPage = async (before: number | null) => {
    try {
      const page = await rpc().call(
        'blocks.list',
        before === null ? { limit: BLOCKS_PER_PAGE } : { before, limit: BLOCKS_PER_PAGE },
      );
      if (get().pageBefore === before) set({ page: loaded(page) });
    } catch (error) {
      if (get().pageBefore === before) set({ page: failed(get().page, error) });
    }
  };
  return {
    pageBefore: null,
    page: idle(),
    recent: idle(),
    blocks: {},
    txs: {},
    async openPage(before) {
      const samePage = get().pageBefore === before;
      set({ pageBefore: before, page: reloading(samePage ? get().page : idle()) });
      await fetchPage(before);
    },
    refreshRecent: coalesce(async () => {
      set({ recent: reloading(get().recent) });
      try {
        set({ recent: loaded(await rpc().call('blocks.list', { limit: RECENT_BLOCKS })) });
      } catch (error) {
        set({ recent: failed(get().recent, error) });
      }
    }),
    async refreshLoaded() {
      const { pageBefore, page, recent, refreshRecent } = get();
      await Promise.all([
        pageBefore === null && hasStarted(page) ? fetchPage(null) : undefined,
        hasStarted(recent) ? refreshRecent() : undefined,
      ]);
    },
    async loadBlock(height) {
      const cached = get().blocks[height];
      if (cached?.data || cached?.loading) return;
      set((state) => ({ blocks: { ...state.blocks, [height]: reloading(cached ?? idle()) } }));
      try {
        const block = await rpc().call('blocks.get', { height });
        set((state) => ({ blocks: { ...state.blocks, [height]: loaded(block) } }));
      } catch (error) {
        set((state) => ({ blocks: { ...state.blocks, [height]: failed(idle(), error) } }));
      }
    },
    async loadTx(id) {
      const cached = get().txs[id];
      if (cached?.data || cached?.loading) return;
      set((state) => ({ txs: { ...state.txs, [id]: reloading(cached ?? idle()) } }));
      try {
        const tx = await rpc().call('txs.get', { id });
        set((state) => ({ txs: { ...state.txs, [id]: loaded(tx) } }));
      } catch (error) {
        set((state) => ({ txs: { ...state.txs, [id]: failed(idle(), error) } }));
      }
    },
  };
});
