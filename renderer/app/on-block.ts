import { useEffect, useRef } from 'react';
import { liveConnection, rpc } from '../rpc/client';
import { throttle } from './throttle';

/** Pages refetch after blocks at most this often (the last block of a burst is never missed). */
const BLOCK_REFETCH_GAP_MS = 500;

/** Calls `listener` after committed blocks, at most once every half second; returns the off switch. */
export function onBlocks(listener: () => void): () => void {
  const throttled = throttle(listener, BLOCK_REFETCH_GAP_MS);
  const off = rpc().onEvent((event) => {
    if (event.type === 'block.committed') throttled.call();
  });
  return () => {
    off();
    throttled.cancel();
  };
}

/**
 * Runs `onBlock` after committed blocks (onBlocks), and once when the live connection comes back
 * (events sent while it was down are lost), for data a page keeps outside the query store.
 */
export function useOnBlock(onBlock: () => void): void {
  const latest = useRef(onBlock);
  useEffect(() => {
    latest.current = onBlock;
  });
  useEffect(() => onBlocks(() => latest.current()), []);
  useEffect(() => {
    const connection = liveConnection();
    if (!connection) return;
    let wasDown = false;
    return connection.onLiveStateChange((state) => {
      if (state === 'reconnecting') wasDown = true;
      if (state === 'live' && wasDown) {
        wasDown = false;
        latest.current();
      }
    });
  }, []);
}
