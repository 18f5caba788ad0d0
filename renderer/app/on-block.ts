import { useEffect, useRef } from 'react';
import { liveConnection, rpc } from '../rpc/client';

/**
 * Runs `onBlock` after every committed block, and once when the live connection comes back
 * (events sent while it was down are lost), for data a page keeps outside the query store.
 */
export function useOnBlock(onBlock: () => void): void {
  const latest = useRef(onBlock);
  useEffect(() => {
    latest.current = onBlock;
  });
  useEffect(
    () =>
      rpc().onEvent((event) => {
        if (event.type === 'block.committed') latest.current();
      }),
    [],
  );
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
