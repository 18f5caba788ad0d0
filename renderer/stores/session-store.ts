import { create } from 'zustand';
import type { Session } from '../../shared/rpc/contract';
import { rpc } from '../rpc/client';
import { failed, idle, loaded, reloading, type Loadable } from './loadable';

interface SessionState extends Loadable<Session> {
  load(): Promise<void>;
  /** Session answers of openDemo, createProfile and unlock replace the current one. */
  replace(session: Session): void;
}

export const useSessionStore = create<SessionState>()((set, get) => ({
  ...idle<Session>(),
  async load() {
    set(reloading(get()));
    try {
      set(loaded(await rpc().call('session.get', {})));
    } catch (error) {
      set(failed(get(), error));
    }
  },
  replace(session) {
    set(loaded(session));
  },
}));
