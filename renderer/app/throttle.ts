/**
 * `run` at most once every `gapMs`: the first call runs at once, and calls within the gap after a
 * run are folded into one more run at its end. What the console refetches after a block is
 * the same whichever block it was, so when blocks come many a second (a catch-up, a busy chain)
 * refetching after each would only load the node and the page.
 */
export function throttle(run: () => void, gapMs: number): { call(): void; cancel(): void } {
  let last = Number.NEGATIVE_INFINITY;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    timer = null;
    last = Date.now();
    run();
  };
  return {
    call() {
      if (timer) return;
      const wait = last + gapMs - Date.now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
