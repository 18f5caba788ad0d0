/**
 * Virtual time: a priority queue of events by (time, insertion order). Two events at the same
 * millisecond run in the order they were scheduled, so a run is a function of its seed alone.
 */

interface Entry<E> {
  at: number;
  seq: number;
  event: E;
}

function before<E>(a: Entry<E>, b: Entry<E>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class EventQueue<E> {
  private readonly heap: Entry<E>[] = [];
  private seq = 0;
  /** The virtual clock: the time of the event last taken, in ms from the start of the run. */
  now = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules an event `delay` ms from now (never in the past). */
  after(delay: number, event: E): void {
    this.at(this.now + Math.max(0, delay), event);
  }

  at(time: number, event: E): void {
    if (!Number.isFinite(time)) throw new Error(`event queue: time ${time}`);
    const entry = { at: Math.max(time, this.now), seq: this.seq++, event };
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, heap[parent] as Entry<E>)) break;
      heap[i] = heap[parent] as Entry<E>;
      i = parent;
    }
    heap[i] = entry;
  }

  /** Takes the earliest event and moves the clock to it; undefined when none is left. */
  take(): E | undefined {
    const heap = this.heap;
    const top = heap[0];
    if (!top) return undefined;
    const last = heap.pop() as Entry<E>;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let best = last;
        if (l < heap.length && before(heap[l] as Entry<E>, best)) {
          m = l;
          best = heap[l] as Entry<E>;
        }
        if (r < heap.length && before(heap[r] as Entry<E>, best)) m = r;
        if (m === i) break;
        heap[i] = heap[m] as Entry<E>;
        i = m;
      }
      heap[i] = last;
    }
    this.now = top.at;
    return top.event;
  }

  /** The time of the earliest event, if any. */
  peekTime(): number | undefined {
    return this.heap[0]?.at;
  }
}
