import type { ConsensusView, PeerView } from '../../shared/rpc/network';
import { plural } from '../components/text';

/** A duration in ms as people read it: "420 ms", "3.2 s", "2 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  if (minutes < 60) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 > 0 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

/** A round-trip time: "0.42 ms" on a LAN or loopback, "3.1 ms", "85 ms". */
export function latency(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return duration(ms);
}

/** A rate with the precision it deserves: "0.4", "12", "1,250". */
export function rate(perSecond: number): string {
  if (perSecond < 10) return perSecond.toFixed(1);
  return Math.round(perSecond).toLocaleString('en');
}

/** "the last block", "the last 20 blocks": never "the last 1 block". */
export function lastBlocks(count: number): string {
  return count === 1 ? 'the last block' : `the last ${plural(count, 'block')}`;
}

/** What a validator that signed none of a window's certificates shows as its last signature. */
export function signedNone(window: number): string {
  if (window === 0) return '—';
  return window === 1 ? 'Not the last block' : `None of ${lastBlocks(window)}`;
}

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

const STEPS: Record<ConsensusView['step'], string> = {
  waiting: 'waiting for a block to be due',
  propose: 'waiting for the proposal',
  prevote: 'collecting prevotes',
  precommit: 'collecting precommits',
};

export function stepWords(step: ConsensusView['step']): string {
  return STEPS[step];
}

export const PEER_STATE_WORDS: Record<PeerView['state'], string> = {
  connected: 'connected',
  disconnected: 'disconnected',
  refused: 'refused',
  banned: 'banned',
  misbehaved: 'dropped',
};
