import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import jsonpointer from 'jsonpointer';
import { parse } from 'yaml';
import { AGENT_TYPES } from '../../src/protocol/agent-type';
import { CLIENT_FRAME_TYPES } from '../../src/protocol/client-frames';
import { isJsonObject, JsonObject, JsonValue } from '../../src/protocol/json';
import type { ServerFrame } from '../../src/protocol/server-frames';
import { RunningApp, startApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { Frame, TestSocket } from '../utils/ws-client';

const DOCUMENT_PATH = join(__dirname, '..', '..', 'docs', 'asyncapi.yaml');

/** Every service frame type (PROTOCOL §2.3, §2.5); the compiler checks the list is complete. */
const SERVER_FRAME_TYPES: readonly ServerFrame['type'][] = [
  'session_info',
  'assistant_message',
  'tool_call',
  'agent_switched',
  'error',
  'status',
  'cancelled',
];
type MissingServerType = Exclude<ServerFrame['type'], (typeof SERVER_FRAME_TYPES)[number]>;
const serverTypesComplete: MissingServerType extends never ? true : false = true;

function loadDocument(): JsonObject {
  const parsed: unknown = parse(readFileSync(DOCUMENT_PATH, 'utf8'));
  if (!isJsonObject(parsed)) throw new Error('docs/asyncapi.yaml is not a YAML mapping');
  return parsed;
}

const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** The value a local `$ref` (`#/a/b~1c`) points at, or undefined when it points at nothing. */
function resolvePointer(root: JsonValue, ref: string): JsonValue | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/') || !isJsonObject(root)) return undefined;
  const value: unknown = jsonpointer.get(root, decodeURIComponent(ref.slice(1)));
  return value as JsonValue | undefined;
}

/** Follows `$ref` chains (at most 20 hops). */
function deref(root: JsonValue, node: JsonValue | undefined): JsonValue | undefined {
  let current = node;
  for (let hops = 0; hops < 20 && isJsonObject(current) && typeof current['$ref'] === 'string'; hops++) {
    current = resolvePointer(root, current['$ref']);
  }
  return current;
}

/** Every `$ref` in the document that does not point at something inside it, with where it sits. */
function unresolvedRefs(root: JsonValue): { path: string; ref: string }[] {
  const refs = (node: JsonValue, path: string): { path: string; ref: string }[] => {
    if (Array.isArray(node)) return node.flatMap((item, i) => refs(item, `${path}/${i}`));
    if (!isJsonObject(node)) return [];
    return Object.entries(node).flatMap(([key, value]) => {
      const here = `${path}/${escapePointer(key)}`;
      if (key === '$ref') return [{ path: here, ref: typeof value === 'string' ? value : JSON.stringify(value) }];
      return refs(value, here);
    });
  };
  return refs(root, '#').filter(({ ref }) => resolvePointer(root, ref) === undefined);
}

/**
 * Payload validators: ajv (JSON Schema draft-07, which AsyncAPI 3.0 schemas extend) with the
 * document's components registered, so `$ref`s into `#/components/...` resolve. Not strict: AsyncAPI adds
 * keywords such as `x-protocol` that JSON Schema does not know.
 */
const validatorsByDocument = new WeakMap<JsonObject, { ajv: Ajv; byPointer: Map<string, ValidateFunction> }>();

function payloadValidator(doc: JsonObject, pointer: string): ValidateFunction {
  let entry = validatorsByDocument.get(doc);
  if (entry === undefined) {
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    // Only `components` (where payloads and their `$ref`s live), under a root of its own: the document's
    // root has AsyncAPI keys (`id`, `info`) that are not schema keywords.
    ajv.addSchema({ components: doc['components'] }, 'asyncapi');
    entry = { ajv, byPointer: new Map() };
    validatorsByDocument.set(doc, entry);
  }
  let validate = entry.byPointer.get(pointer);
  if (validate === undefined) {
    validate = entry.ajv.compile({ $ref: `asyncapi${pointer}` });
    entry.byPointer.set(pointer, validate);
  }
  return validate;
}

function describeError(label: string, error: ErrorObject): string {
  const params = error.params as { allowedValue?: unknown; allowedValues?: unknown };
  const allowed =
    error.keyword === 'const'
      ? ` ${JSON.stringify(params.allowedValue)}`
      : error.keyword === 'enum'
        ? ` ${JSON.stringify(params.allowedValues)}`
        : '';
  return `${label}${error.instancePath}: ${error.message ?? error.keyword}${allowed}`;
}

/** ajv's errors for a value against the schema at `pointer` (`#/…`) in `doc`, one line each. */
function validate(doc: JsonObject, value: unknown, pointer: string, label: string): string[] {
  const check = payloadValidator(doc, pointer);
  return check(value) ? [] : (check.errors ?? []).map((error) => describeError(label, error));
}

function object(value: JsonValue | undefined, what: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${what} is not an object`);
  return value;
}

function refOf(value: JsonValue | undefined, what: string): string {
  const ref = isJsonObject(value) ? value['$ref'] : undefined;
  if (typeof ref !== 'string') throw new Error(`${what} is not a $ref`);
  return ref;
}

interface MessageInfo {
  readonly key: string;
  readonly frameType: string;
  readonly payload: JsonValue;
  /** Where the payload schema sits in the document (`#/components/messages/…/payload`). */
  readonly payloadPointer: string;
  readonly message: JsonObject;
}

/** The document's messages, each with the frame `type` its payload pins with `const`. */
function messagesOf(doc: JsonObject): MessageInfo[] {
  const messages = object(object(doc['components'], 'components')['messages'], 'components.messages');
  return Object.entries(messages).map(([key, node]) => {
    let messagePointer = `#/components/messages/${escapePointer(key)}`;
    let at: JsonValue | undefined = node;
    for (let hops = 0; hops < 20 && isJsonObject(at) && typeof at['$ref'] === 'string'; hops++) {
      messagePointer = at['$ref'];
      at = resolvePointer(doc, messagePointer);
    }
    const message = object(deref(doc, node), `message ${key}`);
    const payload = deref(doc, message['payload']);
    const properties = isJsonObject(payload) ? payload['properties'] : undefined;
    const typeSchema = isJsonObject(properties) ? deref(doc, properties['type']) : undefined;
    const frameType = isJsonObject(typeSchema) ? typeSchema['const'] : undefined;
    if (payload === undefined || typeof frameType !== 'string') {
      throw new Error(`message ${key} has no payload with a "type" const`);
    }
    return { key, frameType, payload, payloadPointer: `${messagePointer}/payload`, message };
  });
}

/** Problems of one example payload: schema errors, plus its `type` must be the message's frame type. */
function checkExample(doc: JsonObject, info: MessageInfo, example: JsonValue, label: string): string[] {
  const payload = isJsonObject(example) ? example['payload'] : undefined;
  if (payload === undefined) return [`${label}: example has no payload`];
  const errors = validate(doc, payload, info.payloadPointer, label);
  if (!isJsonObject(payload) || payload['type'] !== info.frameType) {
    errors.push(`${label}: example type is not "${info.frameType}"`);
  }
  return errors;
}

/** Problems of a frame the service really sent: it must match one of the messages of its type. */
function checkFrame(doc: JsonObject, frame: Frame): string[] {
  const candidates = messagesOf(doc).filter((m) => m.frameType === frame.type);
  if (candidates.length === 0) return [`no message describes frame type "${frame.type}"`];
  const results = candidates.map((m) => validate(doc, frame, m.payloadPointer, `${frame.type}(${m.key})`));
  return results.some((errors) => errors.length === 0) ? [] : results.flat();
}

describe('docs/asyncapi.yaml (AsyncAPI 3.0.0 description of the WebSocket protocol)', () => {
  const doc = loadDocument();

  it('is an AsyncAPI 3.0.0 document with a ws server on localhost:8000', () => {
    expect(serverTypesComplete).toBe(true);
    expect(doc['asyncapi']).toBe('3.0.0');
    const info = object(doc['info'], 'info');
    expect(typeof info['title']).toBe('string');
    expect(typeof info['version']).toBe('string');
    const servers = Object.values(object(doc['servers'], 'servers')).map((s) => object(s, 'server'));
    expect(servers).toContainEqual(expect.objectContaining({ host: 'localhost:8000', protocol: 'ws' }));
  });

  it('describes both socket paths with the session_id parameter and the protocol/last_seq query', () => {
    const channels = Object.values(object(doc['channels'], 'channels')).map((c) => object(c, 'channel'));
    const addresses = channels.map((c) => c['address']);
    expect(addresses).toEqual(expect.arrayContaining(['/api/v1/ws/{session_id}', '/ws/{session_id}']));
    for (const channel of channels) {
      const parameters = object(channel['parameters'], 'parameters');
      expect(Object.keys(parameters)).toEqual(['session_id']);
      const bindings = object(deref(doc, channel['bindings']), 'bindings');
      const ws = object(deref(doc, bindings['ws']), 'ws binding');
      expect(ws['method']).toBe('GET');
      const query = object(ws['query'], 'ws query');
      expect(query['type']).toBe('object');
      const properties = object(query['properties'], 'query properties');
      expect(object(properties['protocol'], 'protocol')['enum']).toEqual(['1', '2']);
      expect(properties['last_seq']).toBeDefined();
    }
  });

  it('has a message for every client frame type and every service frame type', () => {
    const types = new Set(messagesOf(doc).map((m) => m.frameType));
    for (const type of [...CLIENT_FRAME_TYPES, ...SERVER_FRAME_TYPES]) expect([type, types.has(type)]).toEqual([type, true]);
  });

  it('sends every client frame and receives every service frame through operations on the main channel', () => {
    const byAction: Record<'send' | 'receive', Set<string>> = { send: new Set(), receive: new Set() };
    const messageTypes = new Map(messagesOf(doc).map((m) => [`#/components/messages/${m.key}`, m.frameType]));
    for (const [name, node] of Object.entries(object(doc['operations'], 'operations'))) {
      const operation = object(node, `operation ${name}`);
      const action = operation['action'];
      if (action !== 'send' && action !== 'receive') throw new Error(`operation ${name} has action ${JSON.stringify(action)}`);
      if (refOf(operation['channel'], `${name}.channel`) !== '#/channels/session') continue;
      for (const ref of (operation['messages'] as JsonValue[] | undefined) ?? []) {
        const target = refOf(resolvePointer(doc, refOf(ref, `${name}.messages[]`)), `${name} message`);
        byAction[action].add(messageTypes.get(target) ?? `unknown ${target}`);
      }
    }
    expect([...byAction.send].sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
    expect([...byAction.receive].sort()).toEqual([...SERVER_FRAME_TYPES].sort());
  });

  it('resolves every $ref inside the document', () => {
    expect(unresolvedRefs(doc)).toEqual([]);
  });

  it('points every operation at a channel and only at messages (and replies) of that channel', () => {
    const problems: string[] = [];
    for (const [name, node] of Object.entries(object(doc['operations'], 'operations'))) {
      const operation = object(node, `operation ${name}`);
      const parts: [string, JsonValue | undefined][] = [['', operation]];
      if (operation['reply'] !== undefined) parts.push(['.reply', operation['reply']]);
      for (const [suffix, part] of parts) {
        const section = object(part, `${name}${suffix}`);
        const channelRef = refOf(section['channel'], `${name}${suffix}.channel`);
        if (!/^#\/channels\/[^/]+$/.test(channelRef) || !isJsonObject(resolvePointer(doc, channelRef))) {
          problems.push(`${name}${suffix}: channel ${channelRef} is not a channel of this document`);
        }
        const messages = section['messages'];
        if (!Array.isArray(messages) || messages.length === 0) problems.push(`${name}${suffix}: no messages`);
        for (const message of Array.isArray(messages) ? messages : []) {
          const ref = refOf(message, `${name}${suffix}.messages[]`);
          if (!ref.startsWith(`${channelRef}/messages/`)) problems.push(`${name}${suffix}: ${ref} is not a message of ${channelRef}`);
          if (!isJsonObject(deref(doc, resolvePointer(doc, ref)))) {
            problems.push(`${name}${suffix}: ${ref} does not resolve to a message`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('pins the enums to the implementation: agent types, decisions, session states', () => {
    const schemas = object(object(doc['components'], 'components')['schemas'], 'schemas');
    expect(object(schemas['AgentType'], 'AgentType')['enum']).toEqual([...AGENT_TYPES]);
    const decision = object(object(object(schemas['HitlDecision'], 'HitlDecision')['properties'], 'p')['decision'], 'd');
    expect(decision['enum']).toEqual(['approve', 'edit', 'reject']);
    const state = object(object(object(schemas['Status'], 'Status')['properties'], 'p')['state'], 's');
    expect(state['enum']).toEqual(['idle', 'running', 'awaiting_tool', 'awaiting_approval']);
  });

  it('marks the protocol-2-only messages, and pins is_final where the protocol does', () => {
    const marks = Object.fromEntries(messagesOf(doc).map((m) => [m.key, m.message['x-protocol']]));
    expect(marks).toEqual({
      userMessage: 'both',
      toolResult: 'both',
      switchAgent: 'both',
      hitlDecision: 'both',
      cancel: '2',
      sessionInfo: 'both',
      assistantMessage: 'both',
      assistantMessageDelta: '2',
      toolCall: 'both',
      agentSwitched: 'both',
      error: 'both',
      status: '2',
      cancelled: '2',
    });
    const isFinal = Object.fromEntries(
      messagesOf(doc)
        .filter((m) => SERVER_FRAME_TYPES.includes(m.frameType as ServerFrame['type']))
        .map((m) => {
          const properties = object(object(m.payload, 'payload')['properties'], 'properties');
          return [m.key, object(deref(doc, properties['is_final']), 'is_final')['const'] ?? 'either'];
        }),
    );
    expect(isFinal).toEqual({
      sessionInfo: false,
      assistantMessage: true,
      assistantMessageDelta: false,
      toolCall: true,
      agentSwitched: 'either',
      error: true,
      status: false,
      cancelled: true,
    });
  });

  it('gives every message at least one example that validates against its payload schema', () => {
    const problems: string[] = [];
    for (const info of messagesOf(doc)) {
      const examples = info.message['examples'];
      if (!Array.isArray(examples) || examples.length === 0) {
        problems.push(`${info.key}: no examples`);
        continue;
      }
      examples.forEach((example, i) => problems.push(...checkExample(doc, info, example, `${info.key}.examples[${i}]`)));
    }
    expect(problems).toEqual([]);
  });

  describe('the checks themselves can fail', () => {
    const mutated = (): JsonObject => loadDocument();

    it('reports a broken $ref', () => {
      const copy = mutated();
      const operations = object(copy['operations'], 'operations');
      object(operations['sendUserMessage'], 'op')['channel'] = { $ref: '#/channels/nowhere' };
      expect(unresolvedRefs(copy)).toEqual([{ path: '#/operations/sendUserMessage/channel/$ref', ref: '#/channels/nowhere' }]);
    });

    it('reports an example without a required key, with a wrong const, or outside an enum', () => {
      const info = messagesOf(doc).find((m) => m.key === 'toolCall');
      if (!info) throw new Error('toolCall message missing');
      const good = {
        payload: { type: 'tool_call', call_id: 'c', tool_name: 'read_file', arguments: {}, requires_approval: false, is_final: true },
      };
      expect(checkExample(doc, info, good, 'good')).toEqual([]);
      const { call_id: _dropped, ...withoutCallId } = good.payload;
      expect(checkExample(doc, info, { payload: withoutCallId }, 'x')).toEqual([`x: must have required property 'call_id'`]);
      expect(checkExample(doc, info, { payload: { ...good.payload, is_final: false } }, 'x')).toEqual([
        'x/is_final: must be equal to constant true',
      ]);
      expect(checkExample(doc, info, { payload: { ...good.payload, type: 'tool_result' } }, 'x')).toEqual([
        'x/type: must be equal to constant "tool_call"',
        'x: example type is not "tool_call"',
      ]);
      const decision = messagesOf(doc).find((m) => m.key === 'hitlDecision');
      if (!decision) throw new Error('hitlDecision message missing');
      expect(checkExample(doc, decision, { payload: { type: 'hitl_decision', call_id: 'c', decision: 'edit' } }, 'x')).toEqual([
        `x: must have required property 'modified_arguments'`,
        'x: must match "then" schema',
      ]);
      const switched = messagesOf(doc).find((m) => m.key === 'agentSwitched');
      if (!switched) throw new Error('agentSwitched message missing');
      const example = (object(switched.message, 'm')['examples'] as JsonValue[])[0] ?? null;
      const payload = object(object(example, 'example')['payload'], 'payload');
      expect(checkExample(doc, switched, { payload: { ...payload, to_agent: 'wizard' } }, 'x')).toEqual([
        'x/to_agent: must be equal to one of the allowed values ["orchestrator","coder","architect","debug","ask"]',
      ]);
    });
  });
});

describe('frames the running service sends match docs/asyncapi.yaml', () => {
  const doc = loadDocument();
  let db: TestDatabase;
  let running: RunningApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    running = await startApp(db.url);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await running.close();
    await db.drop();
  });

  const open = async (path: string): Promise<TestSocket> => {
    const socket = await TestSocket.open(`${running.wsUrl}${path}`);
    sockets.push(socket);
    return socket;
  };

  it.each([
    ['compat', ''],
    ['protocol 2', '?protocol=2'],
  ])('%s: a conversation with routing, a tool, an approval, a switch and errors', async (_name, query) => {
    const socket = await open(`/api/v1/ws/new_${Date.now()}${query}`);
    const frames: Frame[] = [];
    const send = async (frame: unknown): Promise<Frame[]> => {
      socket.send(frame);
      const reply = await socket.reply();
      frames.push(...reply);
      return reply;
    };
    const lastCallId = (reply: Frame[]): string => {
      const call = reply.at(-1);
      if (call?.type !== 'tool_call' || typeof call['call_id'] !== 'string') {
        throw new Error(`expected a tool_call: ${JSON.stringify(reply)}`);
      }
      return call['call_id'];
    };

    await send({ type: 'user_message', content: 'Hello there', role: 'user' });
    const readCall = lastCallId(await send({ type: 'user_message', content: '/tool read_file {"path":"README.md"}' }));
    const readResult = { success: true, content: '# x', lines_read: 1 };
    await send({ type: 'tool_result', call_id: readCall, tool_name: 'read_file', result: readResult });
    const writeCall = lastCallId(await send({ type: 'user_message', content: '/tool write_file {"path":"a.md","content":"x"}' }));
    const approved = lastCallId(await send({ type: 'hitl_decision', call_id: writeCall, decision: 'approve' }));
    await send({ type: 'tool_result', call_id: approved, tool_name: 'write_file', error: 'User rejected: no' });
    await send({ type: 'switch_agent', agent_type: 'ask' });
    await send('not json');
    await send({ type: 'bogus' });
    if (query) await send({ type: 'cancel' });

    const types = new Set(frames.map((f) => f.type));
    const expected = ['agent_switched', 'assistant_message', 'error', 'session_info', 'tool_call'];
    expect([...types].sort()).toEqual(expect.arrayContaining(query ? [...expected, 'status'] : expected));
    if (!query) expect(types.has('status')).toBe(false);
    expect(frames.flatMap((frame) => checkFrame(doc, frame))).toEqual([]);
  });
});
