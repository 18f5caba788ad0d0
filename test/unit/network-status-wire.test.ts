import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, encodeMessage } from '../../main/network/transport/frames';
import { MAX_FRAME_BYTES } from '../../main/network/transport/protocols';
import {
  decodeStatusFrame,
  FRAME,
  statusFrame,
  WireError,
  type Status,
} from '../../main/network/wire';
import type { Frame } from '../../main/network/transport/frames';

/** Through the bytes a peer would send, so heads are exactly what arrives. */
const viaBytes = (frame: Frame): Frame => decodeFrame(encodeFrame(frame));

const status: Status = {
  height: 41,
  headHash: 'ab'.repeat(32),
  round: 2,
  step: 'prevote',
  proposal: true,
  prevotes: '1101',
  precommits: '0100',
  syncing: false,
};

describe('Status frames on the wire (docs/sync.md §4, §6.3)', () => {
  it('carry where a node stands, unchanged, within the status frame limit', () => {
    expect(decodeStatusFrame(viaBytes(statusFrame(status)))).toEqual({ kind: 'status', status });
    const waiting: Status = {
      ...status,
      height: 0,
      round: 0,
      step: 'waiting',
      proposal: false,
      prevotes: '0',
      precommits: '0',
      syncing: true,
    };
    expect(decodeStatusFrame(viaBytes(statusFrame(waiting)))).toEqual({
      kind: 'status',
      status: waiting,
    });
    // The largest a Status can be (100 validators, the highest round) fits 4 KiB with room.
    const largest: Status = {
      ...status,
      height: Number.MAX_SAFE_INTEGER,
      round: 1_000_000,
      step: 'precommit',
      prevotes: '1'.repeat(100),
      precommits: '1'.repeat(100),
    };
    expect(encodeMessage(statusFrame(largest), MAX_FRAME_BYTES.status).length).toBeLessThan(1024);
    expect(decodeStatusFrame(viaBytes(statusFrame(largest)))).toEqual({
      kind: 'status',
      status: largest,
    });
  });

  it('refuse malformed heads, naming what is wrong', () => {
    const with_ = (changes: Record<string, unknown>): Frame => ({
      type: FRAME.status.status,
      head: { ...status, ...changes },
      items: [],
    });
    const cases: [Frame, RegExp][] = [
      [with_({ height: -1 }), /^Status: height/],
      [with_({ height: 1.5 }), /^Status: height/],
      [with_({ round: 1_000_001 }), /^Status: round/],
      [with_({ step: 'decided' }), /^Status: step/],
      [with_({ headHash: 'xyz' }), /^Status: headHash/],
      [with_({ proposal: 'yes' }), /^Status: proposal/],
      [with_({ prevotes: '10201' }), /prevotes.*a string of 0 and 1/],
      [with_({ precommits: [1, 0] }), /^Status: precommits/],
      [with_({ prevotes: '1'.repeat(101), precommits: '1'.repeat(101) }), /^Status: prevotes/],
      [with_({ prevotes: '110' }), /a prevote bitmap of 3 validators and a precommit bitmap of 4/],
      [with_({ extra: 1 }), /extra|Unrecognized/i],
      [{ ...statusFrame(status), items: ['x'] }, /a Status frame carries no items/],
      [{ type: 9, head: {}, items: [] }, /unknown status frame type 9/],
    ];
    for (const [frame, message] of cases) {
      const decode = () => decodeStatusFrame(frame);
      expect(decode).toThrow(WireError);
      expect(decode).toThrow(message);
    }
    const { syncing: _omitted, ...missing } = status;
    expect(() =>
      decodeStatusFrame({ type: FRAME.status.status, head: missing, items: [] }),
    ).toThrow(/^Status: syncing/);
  });

  it('cannot be sent over the status frame limit', () => {
    const oversized = { ...statusFrame(status), head: { ...status, pad: 'x'.repeat(5_000) } };
    expect(() => encodeMessage(oversized, MAX_FRAME_BYTES.status)).toThrow(/over the limit/);
  });
});
