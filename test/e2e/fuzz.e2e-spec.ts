import WebSocket from 'ws';
import { http } from '../utils/http';
import { Prng, seedFrom } from '../utils/prng';
import { RunningApp, startApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { Frame, TestSocket } from '../utils/ws-client';

/**
 * Fuzzing the WebSocket (issue 6): at least 10,000 random and mutated frames (valid and invalid JSON,
 * wrong types, missing fields, huge strings, unicode, deep nesting, arrays and numbers as frames,
 * unknown call ids, unknown keys, nulls) over sockets of both protocols, in parallel. Each frame must
 * get exactly one final reply of the kind the protocol prescribes, the service must stay up with
 * every socket open, and each session's history must hold exactly the valid user messages sent to it,
 * in order, each with its answer. The expectations mirror the validation rules of PROTOCOL §2.2 and
 * src/gateway/dto/client-frame.dto.ts, written independently of the service's code.
 *
 * Replay a run with FUZZ_SEED=<printed seed>; FUZZ_FRAMES=<n> changes the number of frames.
 */

const SEED = seedFrom('FUZZ_SEED');
const TOTAL_FRAMES = Number(process.env.FUZZ_FRAMES ?? 10_000);
/** WS_MAX_FRAME_BYTES, set explicitly below: frames above it close the socket with 1009. */
const FRAME_LIMIT = 1024 * 1024;
/** MAX_JSON_DEPTH: a frame nested deeper gets an error (the root object is level 1). */
const MAX_JSON_DEPTH = 32;
/** MAX_MESSAGE_CHARS: a longer user_message content gets an error. */
const MAX_MESSAGE_CHARS = 300_000;
const DEEP = 10_000;
const REPLY_TIMEOUT_MS = 20_000;
/** An error reply waits for no model turn: a missing one is reported sooner. */
const ERROR_TIMEOUT_MS = 10_000;
/** A socket stops after this many frames without a reply (a failing run ends quickly). */
const MAX_MISSING_REPLIES = 3;
const MAX_PROBLEMS_PER_SOCKET = 25;

const FRAME_TYPES = ['user_message', 'tool_result', 'switch_agent', 'hitl_decision', 'cancel'] as const;
const AGENTS = ['orchestrator', 'coder', 'architect', 'debug', 'ask'] as const;
const ROLES = ['user', 'assistant', 'system', 'tool'] as const;
const DECISIONS = ['approve', 'edit', 'reject'] as const;
/** What makes the echo model call a tool instead of answering: such contents are not generated. */
const TOOL_DIRECTIVE = /^\/tool\s+[A-Za-z_]/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What the service must answer to one frame. */
type Expected =
  | { readonly kind: 'answer'; readonly content: string }
  | { readonly kind: 'switched'; readonly agent: string; readonly orError: boolean }
  /** `text`: the exact error text; `pattern`: how it starts; neither: any error. */
  | { readonly kind: 'error'; readonly text?: string; readonly pattern?: RegExp };

interface Outgoing {
  readonly text: string;
  readonly binary: boolean;
  /** Which generator made it (for failure messages and statistics). */
  readonly note: string;
}

// ---------------------------------------------------------------------------------------------
// The expected reply: an independent mirror of the gateway's parsing and validation rules.

/** What arrives as UTF-8 over the socket: lone surrogates become U+FFFD. */
function wellFormed(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** What the service stores on every database: also NUL characters become U+FFFD. */
function stored(text: string): string {
  return wellFormed(text).replaceAll('\u0000', '\uFFFD');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function depthOf(root: unknown): number {
  let max = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value !== 'object' || value === null) continue;
    max = Math.max(max, depth);
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return max;
}

/** class-validator's MaxLength counts code points (and some versions skip variation selectors): lengths near the limit are ambiguous. */
function lengthCheck(value: string, max: number): 'ok' | 'too long' | 'ambiguous' {
  if (value.length <= max) return 'ok';
  if (value.length > 2 * max) return 'too long';
  return 'ambiguous';
}

const isString = (v: unknown): v is string => typeof v === 'string';
const absent = (v: unknown): boolean => v === undefined || v === null;
const oneOf = (v: unknown, allowed: readonly string[]): boolean => typeof v === 'string' && allowed.includes(v);

const NOT_PENDING = /^(No pending (tool call|approval) with call_id |Session .* not found)/;

function expectedReply(serverText: string, protocol: 1 | 2): Expected {
  let value: unknown;
  try {
    value = JSON.parse(serverText);
  } catch {
    return { kind: 'error', pattern: /^Invalid JSON/ };
  }
  if (!isObject(value)) return { kind: 'error', pattern: /^Invalid JSON/ };
  if (depthOf(value) > MAX_JSON_DEPTH) return { kind: 'error' };
  const type = value['type'];
  if (type === undefined || type === null || type === '') return { kind: 'error', text: 'Message type is required' };
  const known = typeof type === 'string' && (FRAME_TYPES as readonly string[]).includes(type);
  if (!known || (type === 'cancel' && protocol === 1)) {
    return { kind: 'error', text: `Unknown message type: ${typeof type === 'string' ? type : JSON.stringify(type)}` };
  }
  const f = (key: string): unknown => value[key];
  const invalid = (name: string): Expected => ({ kind: 'error', pattern: new RegExp(`^Invalid ${name}: `) });
  switch (type) {
    case 'user_message': {
      const content = f('content');
      if (!isString(content) || !/\S/.test(content) || content.length > MAX_MESSAGE_CHARS) return invalid('user_message');
      if (!absent(f('role')) && !oneOf(f('role'), ROLES)) return invalid('user_message');
      if (!absent(f('agent_type')) && !oneOf(f('agent_type'), AGENTS)) return invalid('user_message');
      return { kind: 'answer', content: stored(content) };
    }
    case 'tool_result': {
      const callId = f('call_id');
      if (!isString(callId) || callId === '') return invalid('tool_result');
      if (!absent(f('error')) && !isString(f('error'))) return invalid('tool_result');
      if (!absent(f('tool_name')) && !isString(f('tool_name'))) return invalid('tool_result');
      const length = lengthCheck(callId, 128);
      if (length === 'too long') return invalid('tool_result');
      return { kind: 'error', pattern: length === 'ok' ? NOT_PENDING : /^(Invalid tool_result: |No pending|Session .* not found)/ };
    }
    case 'hitl_decision': {
      const callId = f('call_id');
      if (!isString(callId) || callId === '') return invalid('hitl_decision');
      if (!oneOf(f('decision'), DECISIONS)) return invalid('hitl_decision');
      if (!absent(f('modified_arguments')) && !isObject(f('modified_arguments'))) return invalid('hitl_decision');
      if (!absent(f('feedback')) && !isString(f('feedback'))) return invalid('hitl_decision');
      const length = lengthCheck(callId, 128);
      if (length === 'too long') return invalid('hitl_decision');
      return { kind: 'error', pattern: length === 'ok' ? NOT_PENDING : /^(Invalid hitl_decision: |No pending|Session .* not found)/ };
    }
    case 'switch_agent': {
      const agent = f('agent_type');
      if (!oneOf(agent, AGENTS)) return invalid('switch_agent');
      const reason = f('reason');
      if (absent(reason)) return { kind: 'switched', agent: agent as string, orError: false };
      if (!isString(reason)) return invalid('switch_agent');
      const length = lengthCheck(reason, 1000);
      if (length === 'too long') return invalid('switch_agent');
      return { kind: 'switched', agent: agent as string, orError: length === 'ambiguous' };
    }
    default:
      // cancel on protocol 2: nothing runs between two sequential frames.
      return { kind: 'error', text: 'Nothing is running to cancel' };
  }
}

// ---------------------------------------------------------------------------------------------
// Frame generators. A frame is built as an ordered list of [key, raw JSON text] so that it can hold
// duplicate keys, `__proto__` keys and values too deep for JSON.stringify.

type Entries = [string, string][];

const PIECES = [
  'hello', 'world', 'please fix the bug', 'explain this', 'design a plan', 'it crashed', 'write code', 'ünïcödé',
  '😀', '🚀', '👩‍💻', '🇺🇦', '🏳️‍🌈', 'مرحبا بالعالم', 'שלום עולם', '\u202e evil \u202c', '\u200f', '中文字符', 'Ω≈ç√∫',
  'e\u0301', '\u200b', '\u200d', '\ufeff', '\u0000', '\u0001', '\u001f', '\u007f', '\t', '\n', '\r\n', ' ', '\u00a0',
  '\u2028', '\u2029', '\u3000', '"', '\\', '\\u0000', '</script>', "'; DROP TABLE messages; --", '${x}', '%s%n',
  '\ud800', '\udfff', '\udbff\udfff', '\ud83d', 'null', '{}', '[]', '\u{10ffff}', '\ufffd', 'A'.repeat(300),
] as const;
const BLANKS = ['', ' ', '\t\n', '\u00a0', '\u2028\u3000', '\ufeff', '   \r\n  '] as const;
const EXTRA_KEYS = [
  'extra', 'metadata', 'id', 'timestamp', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '',
  ' ', 'conténu', '🔑', 'session_id', 'is_final', 'seq', 'last_seq', 'user_id', 'TYPE', 'Content', 'call_id',
] as const;
const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'] as const;
const BAD_TYPES = ['USER_MESSAGE', 'user_message ', ' user_message', 'user-message', 'message', 'ping', 'status', 'session_info', 'assistant_message', 'error', 'cancelled', 'tool_call', 'agent_switched'] as const;
const BAD_AGENTS = ['Coder', 'root', 'admin', 'orchestrator ', 'coder\u0000', 'gpt', '*', 'debugger'] as const;
const INVALID_JSON = [
  '', ' ', '{', '}', '{"type":', '{"type":"user_message","content":"x",}', "{'type':'user_message','content':'x'}",
  'NaN', 'undefined', '{"type":"user_message","content":"x"}}', '\ufeff{"type":"user_message","content":"x"}',
  '{"type":"user_message","content":"\\x41"}', '{"type":"user_message","content":"\\ud800\\"}', '[1,2', 'tru', '"unterminated',
  '{"a" "b"}', '{"type":"user_message","content":01}', '\u0000', '{"type":"user_message","content":"line\nbreak"}',
] as const;
const NOT_OBJECTS = ['[]', '[{"type":"user_message","content":"hi"}]', '1', '-0', '1e308', '"user_message"', 'null', 'true', 'false', '[null]', '""'] as const;

function str(value: string): string {
  return JSON.stringify(value);
}

function serialize(entries: Entries): string {
  return `{${entries.map(([k, v]) => `${str(k)}:${v}`).join(',')}}`;
}

function shuffle<T>(rng: Prng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

function randomText(rng: Prng, maxPieces = 6): string {
  let text = '';
  const pieces = rng.int(1, maxPieces);
  for (let i = 0; i < pieces; i++) {
    if (rng.chance(0.15)) text += String.fromCharCode(rng.int(0, 0xffff));
    else text += rng.pick(PIECES);
    if (rng.chance(0.5)) text += ' ';
  }
  return text;
}

/** A user message the service must accept: non-blank, and not a `/tool` directive. */
function validContent(rng: Prng): string {
  const text = randomText(rng);
  const content = /\S/.test(text) ? text : `${text}x`;
  return TOOL_DIRECTIVE.test(content) ? `x ${content}` : content;
}

function randomJson(rng: Prng, depth = 3): Json {
  const roll = rng.int(0, depth > 0 ? 9 : 6);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1.5, 1e308, -1e-308, 2 ** 53 + 1, 123456789]);
    case 3:
    case 4:
      return randomText(rng, 3);
    case 5:
      return '';
    case 6:
      return rng.pick(AGENTS);
    case 7:
      return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth - 1));
    default: {
      const obj: { [key: string]: Json } = {};
      for (let i = rng.int(0, 4); i > 0; i--) obj[rng.pick(['a', 'path', 'x', 'nested', randomText(rng, 1)])] = randomJson(rng, depth - 1);
      return obj;
    }
  }
}

/** A JSON value that is not a string (for fields that must be strings). */
function notAString(rng: Prng): string {
  return rng.pick(['0', '1', '-1', '3.14', 'true', 'false', '[]', '["hello"]', '{}', '{"content":"hi"}', '[[[]]]', '1e400']);
}

function deepValue(rng: Prng): string {
  const n = DEEP + rng.int(0, 100);
  return rng.chance(0.5) ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n);
}

function extras(rng: Prng, taken: readonly string[]): Entries {
  const entries: Entries = [];
  for (let i = rng.int(0, 3); i > 0; i--) {
    const key = rng.pick(EXTRA_KEYS);
    if (taken.includes(key)) continue;
    entries.push([key, rng.chance(0.25) ? 'null' : JSON.stringify(randomJson(rng, 2))]);
  }
  return entries;
}

function callId(rng: Prng): string {
  return rng.pick([
    `call_${rng.int(0, 1e9).toString(16)}`,
    'echo_call',
    'call_0',
    randomText(rng, 2).slice(0, 60),
    ' ',
    `call_${'f'.repeat(24)}`,
  ]);
}

function userMessage(rng: Prng, content: string = validContent(rng)): Entries {
  const entries: Entries = [['type', str('user_message')], ['content', str(content)]];
  if (rng.chance(0.3)) entries.push(['role', rng.chance(0.8) ? str(rng.pick(ROLES)) : 'null']);
  if (rng.chance(0.3)) entries.push(['agent_type', rng.chance(0.8) ? str(rng.pick(AGENTS)) : 'null']);
  return shuffle(rng, [...entries, ...extras(rng, ['type', 'content', 'role', 'agent_type'])]);
}

function toolResult(rng: Prng): Entries {
  const entries: Entries = [['type', str('tool_result')], ['call_id', str(callId(rng))]];
  if (rng.chance(0.6)) entries.push(['result', JSON.stringify(randomJson(rng))]);
  if (rng.chance(0.3)) entries.push(['error', rng.chance(0.8) ? str(randomText(rng, 2)) : notAString(rng)]);
  if (rng.chance(0.3)) entries.push(['tool_name', rng.chance(0.8) ? str(rng.pick(['read_file', 'write_file', 'nope'])) : notAString(rng)]);
  return shuffle(rng, [...entries, ...extras(rng, ['type', 'call_id', 'result', 'error', 'tool_name'])]);
}

function hitlDecision(rng: Prng): Entries {
  const entries: Entries = [
    ['type', str('hitl_decision')],
    ['call_id', str(callId(rng))],
    ['decision', rng.chance(0.8) ? str(rng.pick(DECISIONS)) : rng.pick([str('APPROVE'), str('maybe'), '1', 'true', '[]'])],
  ];
  if (rng.chance(0.4)) entries.push(['modified_arguments', rng.pick(['{}', '{"path":"x.py","content":"print(1)"}', '[]', '"args"', '5', JSON.stringify(randomJson(rng))])]);
  if (rng.chance(0.3)) entries.push(['feedback', rng.chance(0.8) ? str(randomText(rng, 2)) : notAString(rng)]);
  return shuffle(rng, [...entries, ...extras(rng, ['type', 'call_id', 'decision', 'modified_arguments', 'feedback'])]);
}

function switchAgent(rng: Prng): Entries {
  const agent = rng.chance(0.7) ? str(rng.pick(AGENTS)) : rng.chance(0.5) ? str(rng.pick(BAD_AGENTS)) : notAString(rng);
  const entries: Entries = [['type', str('switch_agent')], ['agent_type', agent]];
  if (rng.chance(0.4)) {
    entries.push(['reason', rng.pick([str(randomText(rng, 3)), str('r'.repeat(rng.pick([999, 1000, 2500]))), notAString(rng), 'null'])]);
  }
  if (rng.chance(0.2)) entries.push(['content', JSON.stringify(randomJson(rng))]);
  return shuffle(rng, [...entries, ...extras(rng, ['type', 'agent_type', 'reason', 'content'])]);
}

function baseFrame(rng: Prng): Entries {
  return rng.pick([userMessage, userMessage, toolResult, hitlDecision, switchAgent])(rng);
}

/** Replaces, removes or nulls one field of a frame. */
function wrongField(rng: Prng): Entries {
  const entries = baseFrame(rng);
  const index = rng.int(0, entries.length - 1);
  const entry = entries[index] as [string, string];
  switch (rng.int(0, 4)) {
    case 0:
      entries.splice(index, 1);
      break;
    case 1:
      entry[1] = 'null';
      break;
    case 2:
      entry[1] = str(rng.pick(BLANKS));
      break;
    default:
      entry[1] = entry[0] === 'type' ? rng.pick(['0', '1', 'true', '[]', '["user_message"]', '{"name":"user_message"}', '-1.5']) : notAString(rng);
  }
  return entries;
}

function mutate(rng: Prng, text: string): string {
  let out = text;
  for (let n = rng.int(1, 4); n > 0; n--) {
    const at = rng.int(0, out.length);
    switch (rng.int(0, 5)) {
      case 0:
        out = out.slice(0, at);
        break;
      case 1:
        out = out.slice(0, at) + out.slice(at + 1);
        break;
      case 2:
        out = out.slice(0, at) + rng.pick(['"', '{', '}', '[', ']', ',', ':', '\\', '\u0000', 'null', '0', ' ', '\ud800', '😀', 'e', '-']) + out.slice(at);
        break;
      case 3:
        out = out.slice(0, at) + String.fromCharCode(rng.int(0, 0xffff)) + out.slice(at + 1);
        break;
      case 4: {
        const end = Math.min(out.length, at + rng.int(1, 20));
        out = out.slice(0, end) + out.slice(at, end) + out.slice(end);
        break;
      }
      default: {
        const other = rng.int(0, Math.max(0, out.length - 1));
        const a = out[at] ?? '';
        const b = out[other] ?? '';
        if (at < out.length && other < out.length) {
          const chars = out.split('');
          chars[at] = b;
          chars[other] = a;
          out = chars.join('');
        }
      }
    }
  }
  return out;
}

/** A frame whose UTF-8 size lies in [limit - 2,000, limit]: huge strings in every kind of place. */
function hugeFrame(rng: Prng): { text: string; note: string } {
  const target = rng.chance(0.2) ? FRAME_LIMIT : rng.logInt(64 * 1024, FRAME_LIMIT - rng.int(0, 2_000));
  const place = rng.pick(['content', 'content', 'type', 'call_id', 'reason', 'extra', 'garbage', 'feedback'] as const);
  const build = (fill: string): string => {
    switch (place) {
      case 'content':
        return serialize([['type', str('user_message')], ['content', str(`big ${fill} 😀 end`)]]);
      case 'type':
        return serialize([['type', str(fill)], ['content', str('x')]]);
      case 'call_id':
        return serialize([['type', str('tool_result')], ['call_id', str(fill)]]);
      case 'reason':
        return serialize([['type', str('switch_agent')], ['agent_type', str('coder')], ['reason', str(fill)]]);
      case 'extra':
        return serialize([['type', str('user_message')], ['content', str('with a big extra key')], ['blob', str(fill)]]);
      case 'feedback':
        return serialize([['type', str('hitl_decision')], ['call_id', str('c1')], ['decision', str('reject')], ['feedback', str(fill)]]);
      default:
        return `{"type":"user_message","content":"${fill}`;
    }
  };
  const overhead = Buffer.byteLength(build(''));
  // Long words with an occasional space: few token frames per answer, many bytes.
  const word = 'lorem'.repeat(200) + ' ';
  const fill = word.repeat(Math.ceil((target - overhead) / word.length)).slice(0, Math.max(0, target - overhead));
  return { text: build(fill), note: `huge-${place}` };
}

/** Right at the configured limits: nesting of MAX_JSON_DEPTH ± 1 levels, content of MAX_MESSAGE_CHARS ± 1 characters. */
function boundaryFrame(rng: Prng): { text: string; note: string } {
  const extra = rng.int(-1, 1);
  if (rng.chance(0.5)) {
    // The frame is level 1, so the extra value adds MAX_JSON_DEPTH - 1 (+ extra) levels.
    const levels = MAX_JSON_DEPTH - 1 + extra;
    const nested = rng.chance(0.5) ? '['.repeat(levels) + ']'.repeat(levels) : '{"k":'.repeat(levels) + '"v"' + '}'.repeat(levels);
    return { text: serialize([['type', str('user_message')], ['content', str('nested at the limit')], ['extra', nested]]), note: `depth${extra >= 0 ? '+' : ''}${extra}` };
  }
  // Long words: the echo model streams one token per word.
  const unit = `${'w'.repeat(999)} `;
  const content = unit.repeat(Math.ceil((MAX_MESSAGE_CHARS + 1) / unit.length)).slice(0, MAX_MESSAGE_CHARS + extra);
  return { text: serialize([['type', str('user_message')], ['content', str(content)]]), note: `length${extra >= 0 ? '+' : ''}${extra}` };
}

function generate(rng: Prng): Outgoing {
  const roll = rng.next();
  let text: string;
  let note: string;
  if (roll < 0.14) {
    [text, note] = [serialize(userMessage(rng)), 'valid-user'];
  } else if (roll < 0.3) {
    [text, note] = [serialize(wrongField(rng)), 'wrong-field'];
  } else if (roll < 0.45) {
    [text, note] = [mutate(rng, serialize(baseFrame(rng))), 'mutated'];
  } else if (roll < 0.5) {
    const full = serialize(baseFrame(rng));
    [text, note] = [full.slice(0, rng.int(0, full.length - 1)), 'truncated'];
  } else if (roll < 0.55) {
    [text, note] = [rng.pick(INVALID_JSON), 'invalid-json'];
  } else if (roll < 0.6) {
    [text, note] = [rng.pick(NOT_OBJECTS), 'not-an-object'];
  } else if (roll < 0.66) {
    [text, note] = [serialize(toolResult(rng)), 'tool-result'];
  } else if (roll < 0.72) {
    [text, note] = [serialize(hitlDecision(rng)), 'hitl-decision'];
  } else if (roll < 0.8) {
    [text, note] = [serialize(switchAgent(rng)), 'switch-agent'];
  } else if (roll < 0.84) {
    const type = rng.chance(0.5) ? rng.pick(BAD_TYPES) : rng.chance(0.5) ? rng.pick(PROTOTYPE_NAMES) : randomText(rng, 2);
    [text, note] = [serialize([['type', str(type)], ['content', str('hi')]]), 'unknown-type'];
  } else if (roll < 0.87) {
    const entries: Entries = rng.chance(0.5) ? [['content', str(validContent(rng))]] : [];
    if (rng.chance(0.5)) entries.push(['type', rng.pick(['null', '""'])]);
    [text, note] = [serialize(entries), 'missing-type'];
  } else if (roll < 0.89) {
    [text, note] = [serialize([['type', str('cancel')], ...extras(rng, ['type'])]), 'cancel'];
  } else if (roll < 0.91) {
    const dup = rng.pick([
      '{"type":"user_message","content":"first","content":"second"}',
      '{"type":"cancel","type":"user_message","content":"dup type"}',
      '{"type":"user_message","content":"x","content":5}',
      '{"type":"user_message","content":"x","type":"tool_result"}',
    ]);
    [text, note] = [dup, 'duplicate-keys'];
  } else if (roll < 0.92) {
    [text, note] = [rng.pick([
      serialize([['type', str(rng.pick(PROTOTYPE_NAMES))]]),
      '{"type":"user_message","content":"proto","__proto__":{"content":5}}',
      '{"type":"user_message","__proto__":{"content":"hi"}}',
      '{"type":"user_message","content":"ctor","constructor":{"prototype":{"content":1}}}',
    ]), 'prototype'];
  } else if (roll < 0.93) {
    const deep = deepValue(rng);
    const place = rng.int(0, 6);
    const frames = [
      deep,
      serialize([['type', str('user_message')], ['content', deep]]),
      serialize([['type', deep]]),
      serialize([['type', str('switch_agent')], ['agent_type', deep]]),
      serialize([['type', str('tool_result')], ['call_id', str('call_x')], ['result', deep]]),
      serialize([['type', str('hitl_decision')], ['call_id', str('c')], ['decision', str('edit')], ['modified_arguments', deep]]),
      serialize([['type', str('user_message')], ['content', str('deep extra')], ['extra', deep]]),
    ];
    [text, note] = [frames[place] as string, `deep-${place}`];
  } else if (roll < 0.935) {
    ({ text, note } = hugeFrame(rng));
  } else if (roll < 0.94) {
    ({ text, note } = boundaryFrame(rng));
  } else if (roll < 0.96) {
    [text, note] = [randomText(rng, 8), 'garbage'];
  } else {
    [text, note] = [serialize(userMessage(rng, rng.pick(BLANKS))), 'blank-content'];
  }
  return { text, binary: rng.chance(0.05), note };
}

// ---------------------------------------------------------------------------------------------
// One socket's run: send a frame, read its reply, check it, repeat.

interface SocketPlan {
  readonly label: string;
  readonly path: string;
  readonly protocol: 1 | 2;
  /** The session id in the URL, or undefined for a temporary `new_…` id. */
  readonly namedSession: string | undefined;
  readonly frames: number;
  readonly seed: number;
}

interface SocketOutcome {
  readonly plan: SocketPlan;
  sessionId: string | undefined;
  /** The stored form of every valid user message this socket sent, in order. */
  readonly userMessages: string[];
  readonly problems: string[];
  readonly notes: Map<string, number>;
  sent: number;
  stillOpen: boolean;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…(${text.length} chars)` : text);
}

function frameProblems(
  reply: readonly Frame[],
  expected: Expected,
  plan: SocketPlan,
  state: { bound: boolean; lastSeq: number },
): string[] {
  const problems: string[] = [];
  const final = reply[reply.length - 1] as Frame;
  let middle = reply.slice(0, -1);
  for (const frame of reply) {
    if (typeof frame['is_final'] !== 'boolean') problems.push(`frame without a boolean is_final: ${JSON.stringify(frame).slice(0, 200)}`);
    if (plan.protocol === 1 && frame['seq'] !== undefined) problems.push(`protocol 1 frame with seq: ${frame.type}`);
    if (plan.protocol === 2) {
      const seq = frame['seq'];
      if (typeof seq === 'number') {
        if (seq !== state.lastSeq + 1) problems.push(`seq ${seq} after ${state.lastSeq}`);
        state.lastSeq = seq;
      } else if (frame.type !== 'error') {
        problems.push(`protocol 2 ${frame.type} frame without seq`);
      }
    }
  }
  const createsSession = expected.kind === 'answer' || (expected.kind === 'switched' && final.type === 'agent_switched');
  if (plan.namedSession === undefined && !state.bound && createsSession) {
    const info = middle[0];
    if (info?.type !== 'session_info' || typeof info['session_id'] !== 'string' || !UUID.test(info['session_id'])) {
      problems.push(`the first session-creating reply on a temporary id does not start with session_info: ${JSON.stringify(info)}`);
    }
    middle = middle.slice(1);
  }
  if (middle.some((f) => f.type === 'session_info')) problems.push('an unexpected session_info');
  switch (expected.kind) {
    case 'answer': {
      const text = `You said: ${expected.content}`;
      if (final.type !== 'assistant_message' || final['content'] !== text) {
        problems.push(`expected the answer ${preview(text)}, got ${preview(JSON.stringify(final))}`);
      }
      const deltas = middle.filter((f) => f.type === 'assistant_message');
      if (plan.protocol === 1) {
        if (final['token'] !== final['content']) problems.push('protocol 1 final token differs from content');
        if (deltas.length > 0) problems.push('protocol 1 got token frames');
      } else {
        if (final['token'] !== '') problems.push('protocol 2 final token is not empty');
        const streamed = deltas.map((f) => (typeof f['token'] === 'string' ? f['token'] : '')).join('');
        if (streamed !== text) problems.push(`protocol 2 tokens add up to ${preview(streamed)}`);
      }
      const others = middle.filter((f) => f.type !== 'assistant_message' && f.type !== 'agent_switched');
      if (others.length > 0) problems.push(`unexpected frames in an answer: ${others.map((f) => f.type).join(',')}`);
      break;
    }
    case 'switched': {
      if (final.type === 'agent_switched') {
        if (final['to_agent'] !== expected.agent) problems.push(`switched to ${String(final['to_agent'])}, expected ${expected.agent}`);
      } else if (!(expected.orError && final.type === 'error')) {
        problems.push(`expected agent_switched to ${expected.agent}, got ${preview(JSON.stringify(final))}`);
      }
      if (middle.length > 0) problems.push(`unexpected frames before agent_switched: ${middle.map((f) => f.type).join(',')}`);
      break;
    }
    case 'error': {
      const content = final['content'];
      if (final.type !== 'error' || typeof content !== 'string' || final['error'] !== content) {
        problems.push(`expected an error, got ${preview(JSON.stringify(final))}`);
      } else if (expected.text !== undefined && content !== expected.text) {
        problems.push(`error ${preview(content)} instead of ${preview(expected.text)}`);
      } else if (expected.pattern && !expected.pattern.test(content)) {
        problems.push(`error ${preview(content)} does not match ${expected.pattern.source}`);
      }
      if (middle.length > 0) problems.push(`unexpected frames before an error: ${middle.map((f) => f.type).join(',')}`);
      break;
    }
  }
  return problems;
}

/** Runs one socket; whatever goes wrong ends up in the outcome's problems, so no socket outlives the test. */
async function runSocket(app: RunningApp, plan: SocketPlan): Promise<SocketOutcome> {
  const outcome: SocketOutcome = {
    plan,
    sessionId: plan.namedSession,
    userMessages: [],
    problems: [],
    notes: new Map(),
    sent: 0,
    stillOpen: false,
  };
  try {
    await drive(app, plan, outcome);
  } catch (error) {
    outcome.problems.push(`${plan.label}: ${preview((error as Error).message)}`);
  }
  return outcome;
}

async function drive(app: RunningApp, plan: SocketPlan, outcome: SocketOutcome): Promise<void> {
  const rng = new Prng(plan.seed);
  const socket = await TestSocket.open(`${app.wsUrl}${plan.path}`);
  const state = { bound: plan.namedSession !== undefined, lastSeq: 0 };
  let missing = 0;
  try {
    if (plan.protocol === 2) {
      const status = await socket.next(REPLY_TIMEOUT_MS);
      if (status.type !== 'status' || status['is_final'] !== false || typeof status['last_seq'] !== 'number') {
        outcome.problems.push(`${plan.label}: protocol 2 did not start with status: ${JSON.stringify(status)}`);
      } else {
        state.lastSeq = status['last_seq'];
      }
    }
    for (let i = 0; i < plan.frames && outcome.problems.length < MAX_PROBLEMS_PER_SOCKET; i++) {
      let out = generate(rng);
      let expected = expectedReply(wellFormed(out.text), plan.protocol);
      while (expected.kind === 'answer' && TOOL_DIRECTIVE.test(expected.content)) {
        out = generate(rng);
        expected = expectedReply(wellFormed(out.text), plan.protocol);
      }
      outcome.notes.set(out.note, (outcome.notes.get(out.note) ?? 0) + 1);
      if (out.binary) socket.ws.send(Buffer.from(out.text, 'utf8'), { binary: true });
      else socket.ws.send(out.text);
      outcome.sent += 1;
      let reply: Frame[];
      try {
        reply = await socket.reply(expected.kind === 'error' && out.text.length < 100_000 ? ERROR_TIMEOUT_MS : REPLY_TIMEOUT_MS);
      } catch (error) {
        outcome.problems.push(`${plan.label} frame ${i} (${out.note}) ${preview(out.text)}: no final reply: ${(error as Error).message}`);
        missing += 1;
        if (socket.closeCode !== undefined || missing >= MAX_MISSING_REPLIES) break;
        continue;
      }
      for (const problem of frameProblems(reply, expected, plan, state)) {
        outcome.problems.push(`${plan.label} frame ${i} (${out.note}${out.binary ? ', binary' : ''}) ${preview(out.text)}: ${problem}`);
      }
      const info = reply[0];
      if (!state.bound && info?.type === 'session_info' && typeof info['session_id'] === 'string') {
        outcome.sessionId = info['session_id'];
        state.bound = true;
      }
      if (expected.kind === 'answer') outcome.userMessages.push(expected.content);
    }
    // Nothing extra: a last frame's reply must be exactly one error, with nothing left over before it.
    const last = await socket.request('{', REPLY_TIMEOUT_MS).catch((error: Error) => [{ type: 'none', error: error.message }]);
    if (last.length !== 1 || last[0]?.type !== 'error') {
      outcome.problems.push(`${plan.label}: frames left over at the end: ${preview(JSON.stringify(last))}`);
    }
    // ...and nothing trails after it (no event to wait for here: a short quiet period).
    await new Promise((done) => setTimeout(done, 300));
    if (socket.buffered.length > 0) {
      outcome.problems.push(`${plan.label}: unrequested frames at the end: ${preview(JSON.stringify(socket.buffered))}`);
    }
    outcome.stillOpen = socket.closeCode === undefined && socket.ws.readyState === WebSocket.OPEN;
  } finally {
    await socket.close().catch(() => undefined);
  }
}

interface HistoryBody {
  readonly messages: { role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }[];
  readonly message_count: number;
}

describe('WebSocket fuzzing (e2e)', () => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    console.log(`fuzz seed=${SEED} frames=${TOTAL_FRAMES} (replay with FUZZ_SEED=${SEED})`);
    db = await createTestDatabase();
    app = await startApp(db.url, {
      LLM_PROVIDER: 'echo',
      WS_MAX_FRAME_BYTES: String(FRAME_LIMIT),
      MAX_JSON_DEPTH: String(MAX_JSON_DEPTH),
      MAX_MESSAGE_CHARS: String(MAX_MESSAGE_CHARS),
      // Fuzzing is a flood by design: rate limits and socket caps have their own tests.
      RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '1000000',
      RATE_LIMIT_REST_PER_MINUTE: '1000000',
      MAX_SOCKETS_PER_USER: '1000',
      // The echo model answers from the last message: a short context keeps big histories cheap.
      LLM_CONTEXT_MESSAGES: '2',
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  }, 60_000);

  it(
    `answers each of ${TOTAL_FRAMES} random frames exactly once and stores exactly the valid user messages`,
    async () => {
      const started = Date.now();
      const created = await http(app.baseUrl, 'POST', '/api/v1/sessions', { session_id: 'fuzz-existing' });
      expect(created.status).toBe(201);
      const layouts: Omit<SocketPlan, 'frames' | 'seed'>[] = [
        { label: 'p1-ws-named', path: '/ws/fuzz-a', protocol: 1, namedSession: 'fuzz-a' },
        { label: 'p1-api-named', path: '/api/v1/ws/fuzz-b', protocol: 1, namedSession: 'fuzz-b' },
        { label: 'p1-ws-existing', path: '/ws/fuzz-existing', protocol: 1, namedSession: 'fuzz-existing' },
        { label: 'p1-ws-temp', path: '/ws/new_fuzz1', protocol: 1, namedSession: undefined },
        { label: 'p1-api-temp', path: '/api/v1/ws/new_fuzz2', protocol: 1, namedSession: undefined },
        { label: 'p1-api-named2', path: '/api/v1/ws/fuzz.c:1-x', protocol: 1, namedSession: 'fuzz.c:1-x' },
        { label: 'p2-api-named', path: '/api/v1/ws/fuzz-p2a?protocol=2', protocol: 2, namedSession: 'fuzz-p2a' },
        { label: 'p2-ws-temp', path: '/ws/new_fuzzp2?protocol=2', protocol: 2, namedSession: undefined },
      ];
      const perSocket = Math.ceil(TOTAL_FRAMES / layouts.length);
      const plans: SocketPlan[] = layouts.map((layout, i) => ({ ...layout, frames: perSocket, seed: (SEED + i * 0x9e3779b1) >>> 0 }));

      const outcomes = await Promise.all(plans.map((plan) => runSocket(app, plan)));

      const sent = outcomes.reduce((sum, o) => sum + o.sent, 0);
      const notes = new Map<string, number>();
      for (const o of outcomes) for (const [note, n] of o.notes) notes.set(note, (notes.get(note) ?? 0) + n);
      console.log(
        `fuzz: ${sent} frames in ${Date.now() - started} ms; ` +
          [...notes.entries()].sort().map(([note, n]) => `${note}=${n}`).join(' '),
      );
      const problems = outcomes.flatMap((o) => o.problems);
      expect({ seed: SEED, problemCount: problems.length, problems: problems.slice(0, 30) }).toEqual({
        seed: SEED,
        problemCount: 0,
        problems: [],
      });
      expect(sent).toBeGreaterThanOrEqual(TOTAL_FRAMES);
      expect(outcomes.map((o) => [o.plan.label, o.stillOpen])).toEqual(plans.map((p) => [p.label, true]));
      expect((await http(app.baseUrl, 'GET', '/health')).status).toBe(200);

      // Each session holds exactly the valid user messages sent to it, in order, each with its answer.
      for (const o of outcomes) {
        if (o.sessionId === undefined) {
          expect({ socket: o.plan.label, userMessages: o.userMessages.length }).toEqual({ socket: o.plan.label, userMessages: 0 });
          continue;
        }
        const history = await http<HistoryBody>(app.baseUrl, 'GET', `/api/v1/sessions/${encodeURIComponent(o.sessionId)}/history`);
        expect({ socket: o.plan.label, status: history.status }).toEqual({ socket: o.plan.label, status: 200 });
        const expected = o.userMessages.flatMap((content) => [
          { role: 'user', content },
          { role: 'assistant', content: `You said: ${content}` },
        ]);
        const actual = history.body.messages;
        const same = (want: { role: string; content: string }, got: HistoryBody['messages'][number] | undefined): boolean =>
          got !== undefined && got.role === want.role && got.content === want.content && !got.tool_calls && !got.tool_call_id;
        const mismatch = expected.findIndex((m, i) => !same(m, actual[i]));
        const firstDifference = mismatch >= 0 ? mismatch : actual.length > expected.length ? expected.length : -1;
        expect({
          socket: o.plan.label,
          seed: SEED,
          count: actual.length,
          firstDifference: firstDifference < 0 ? null : { index: firstDifference, expected: expected[firstDifference], actual: actual[firstDifference] },
        }).toEqual({ socket: o.plan.label, seed: SEED, count: expected.length, firstDifference: null });
        expect(history.body.message_count).toBe(expected.length);
      }

      // Temporary ids never become sessions; every session is one of ours.
      const list = await http<{ sessions: { id: string }[]; total: number }>(app.baseUrl, 'GET', '/api/v1/sessions?limit=100');
      expect(list.status).toBe(200);
      const ours = new Set(['fuzz-existing', ...outcomes.flatMap((o) => (o.sessionId ? [o.sessionId] : []))]);
      expect(list.body.sessions.map((s) => s.id).filter((id) => !ours.has(id))).toEqual([]);
    },
    180_000,
  );

  it('closes a socket with 1009 on a frame over the limit and stores nothing of it', async () => {
    const socket = await TestSocket.open(`${app.wsUrl}/ws/fuzz-oversize`);
    const before = await socket.request({ type: 'user_message', content: 'before the big one' });
    expect(before[before.length - 1]).toMatchObject({ type: 'assistant_message', is_final: true });
    const overhead = Buffer.byteLength(JSON.stringify({ type: 'user_message', content: '' }));
    const oversized = JSON.stringify({ type: 'user_message', content: 'x'.repeat(FRAME_LIMIT + 1 - overhead) });
    expect(Buffer.byteLength(oversized)).toBe(FRAME_LIMIT + 1);
    socket.send(oversized);
    expect(await socket.waitClosed(REPLY_TIMEOUT_MS)).toBe(1009);
    expect(socket.buffered).toEqual([]);

    for (const frame of [Buffer.alloc(FRAME_LIMIT + 1, 0x7b), Buffer.alloc(FRAME_LIMIT * 2, 0x61)]) {
      const other = await TestSocket.open(`${app.wsUrl}/api/v1/ws/fuzz-oversize`);
      other.ws.send(frame, { binary: frame.length % 2 === 0 });
      expect(await other.waitClosed(REPLY_TIMEOUT_MS)).toBe(1009);
    }

    const after = await TestSocket.open(`${app.wsUrl}/ws/fuzz-oversize`);
    const reply = await after.request({ type: 'user_message', content: 'after' });
    expect(reply[reply.length - 1]).toMatchObject({ type: 'assistant_message', content: 'You said: after' });
    await after.close();
    const history = await http<HistoryBody>(app.baseUrl, 'GET', '/api/v1/sessions/fuzz-oversize/history');
    expect(history.body.messages).toEqual([
      { role: 'user', content: 'before the big one' },
      { role: 'assistant', content: 'You said: before the big one' },
      { role: 'user', content: 'after' },
      { role: 'assistant', content: 'You said: after' },
    ]);
  });
});
