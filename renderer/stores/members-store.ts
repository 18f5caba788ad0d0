import { create } from 'zustand';
import type { MemberView, Result } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { coalesce, failed, hasStarted, idle, loaded, reloading, type Loadable } from './loadable';

export type MemberDetail = Result<'members.get'>;

interface MembersState {
  list: Loadable<MemberView[]>;
  /** The member whose page is open; one at a time is all the console shows. */
  detailId: string | null;
  detail: Loadable<MemberDetail>;
  refreshList(): Promise<void>;
  openDetail(id: string): Promise<void>;
  refreshDetail(): Promise<void>;
  /** After a block commits: refetch what has been shown. */
  refreshLoaded(): Promise<void>;
}

export const useMembersStore = create<MembersState>()((set, get) => {
  const fetchDetail = async (id: string) => {
    try {
      const detail = await rpc().call('members.get', { id });
      if (get().detailId === id) set({ detail: loaded(detail) });
    } catch (error) {
      if (get().detailId === id) set({ detail: failed(get().detail, error) });
    }
  };
  return {
    list: idle(),
    detailId: null,
    detail: idle(),
    refreshList: coalesce(async () => {
      set({ list: reloading(get().list) });
      try {
        set({ list: loaded(await rpc().call('members.list', {})) });
      } catch (error) {
        set({ list: failed(get().list, error) });
      }
    }),
    async openDetail(id) {
      if (get().detailId !== id) set({ detailId: id, detail: idle() });
      set({ detail: reloading(get().detail) });
      await fetchDetail(id);
    },
    async refreshDetail() {
      const id = get().detailId;
      if (id !== null) await fetchDetail(id);
    },
    async refreshLoaded() {
      const { list, refreshList, refreshDetail } = get();
      await Promise.all([hasStarted(list) ? refreshList() : undefined, refreshDetail()]);
    },
  };
});

/** Legal names by member id, for showing who proposed, voted or signed. */
export function useMembersById(): ReadonlyMap<string, MemberView> {
  const members = useMembersStore((state) => state.list.data);
  return membersById(members);
}

const byIdCache = new WeakMap<MemberView[], Map<string, MemberView>>();
function membersById(members: MemberView[] | null): ReadonlyMap<string, MemberView> {
  if (!members) return new Map();
  let map = byIdCache.get(members);
  if (!map) {
    map = new Map(members.map((member) => [member.id, member]));
    byIdCache.set(members, map);
  }
  return map;
}
