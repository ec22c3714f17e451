import { expect } from '@jest/globals';
import { Prng, seedFrom } from '../../test/utils/prng';
import type { ClientFrameType } from '../protocol/client-frames';
import type { JsonObject, JsonValue } from '../protocol/json';
import { dtoFrame } from './client-frame.parser';
import { plainFrame } from './plain-frame';

const TYPES: readonly ClientFrameType[] = ['user_message', 'tool_result', 'switch_agent', 'hitl_decision', 'cancel'];
const KEYS = ['content', 'role', 'agent_type', 'call_id', 'result', 'error', 'tool_name', 'reason', 'decision', 'modified_arguments', 'feedback', 'extra'];

/** Values near every rule of the DTOs: right and wrong types, blanks, limits, surrogate pairs. */
function someValue(rng: Prng): JsonValue | undefined {
  switch (rng.int(0, 15)) {
    case 0:
      return undefined;
    case 1:
      return '';
    case 2:
      return '   ';
    case 3:
      return rng.pick(['user', 'assistant', 'wizard', 'coder', 'ask', 'orchestrator', 'debug', 'architect', 'approve', 'edit', 'reject', 'Coder']);
    case 4:
      return 'x'.repeat(rng.pick([127, 128, 129, 999, 1000, 1001]));
    case 5:
      return '\u{1F600}'.repeat(rng.pick([64, 65, 500, 501]));
    case 6:
      return rng.int(-5, 5);
    case 7:
      return rng.chance(0.5);
    case 8:
      return [1, 'a', null];
    case 9:
      return { path: 'a.ts', nested: { deep: [1, 2] } };
    case 10:
      return {};
    case 11:
      return 'hello world';
    case 12:
      return 'call_' + String(rng.int(0, 99));
    case 13:
      return '\uFE0F'.repeat(rng.pick([100, 130]));
    default:
      return rng.pick(['read_file', 'a reason', 'ok']);
  }
}

describe('plainFrame (the fast path of frame validation)', () => {
  it('accepts only what the DTOs accept, and builds the same frame (randomized)', () => {
    const seed = seedFrom('PLAIN_FRAME_SEED');
    const rng = new Prng(seed);
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const type = rng.pick(TYPES);
      const value: JsonObject = { type };
      for (const key of KEYS) {
        const v = rng.chance(0.6) ? someValue(rng) : undefined;
        if (v !== undefined) value[key] = v;
      }
      const built = plainFrame(type, value);
      if (built === undefined) continue;
      fast += 1;
      expect({ seed, value, judged: dtoFrame(type, value) }).toEqual({ seed, value, judged: { ok: true, frame: built } });
    }
    // The fast path carries real traffic, not only the trivial cases.
    expect(fast).toBeGreaterThan(500);
  });

  it('takes the common frames of a turn', () => {
    expect(plainFrame('user_message', { type: 'user_message', content: 'hi', role: 'user', agent_type: 'coder' })).toEqual({
      type: 'user_message',
      content: 'hi',
      agent_type: 'coder',
    });
    expect(plainFrame('tool_result', { type: 'tool_result', call_id: 'c1', result: { a: 1 }, tool_name: 'read_file' })).toEqual({
      type: 'tool_result',
      call_id: 'c1',
      result: { a: 1 },
      tool_name: 'read_file',
    });
    expect(plainFrame('hitl_decision', { type: 'hitl_decision', call_id: 'c', decision: 'approve' })).toEqual({ type: 'hitl_decision', call_id: 'c', decision: 'approve' });
    expect(plainFrame('user_message', { type: 'user_message', content: ' ' })).toBeUndefined();
  });
});
