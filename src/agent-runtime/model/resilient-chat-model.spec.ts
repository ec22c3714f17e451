import { ChatModel, ModelError, ModelEvent, ModelRequest } from './chat-model';
import { isOutage, ResilientChatModel } from './resilient-chat-model';

type Script = (request: ModelRequest) => AsyncIterable<ModelEvent>;

class ScriptedModel implements ChatModel {
  readonly name = 'scripted';
  calls = 0;
  lastSignal: AbortSignal | undefined;
  constructor(public script: Script) {}
  stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    this.calls += 1;
    this.lastSignal = request.signal;
    return this.script(request);
  }
  complete(): Promise<string> {
    this.calls += 1;
    return Promise.resolve('ok');
  }
}

const request = (signal = new AbortController().signal): ModelRequest => ({ messages: [], tools: [], signal });
const drain = async (iterable: AsyncIterable<ModelEvent>): Promise<string> => {
  let text = '';
  for await (const event of iterable) if (event.type === 'text') text += event.delta;
  return text;
};
const failingWith = (status: number | undefined): Script =>
  // eslint-disable-next-line @typescript-eslint/require-await -- a model stream that fails at once, before any event
  async function* () {
    yield* [];
    throw new ModelError(`Model request failed: ${status ?? 'network'}`, status);
  };
const failing = failingWith(500);
// eslint-disable-next-line @typescript-eslint/require-await -- a model stream that answers at once
const answering: Script = async function* () {
  yield { type: 'text', delta: 'fine' };
};

describe(ResilientChatModel.name, () => {
  let now = 1_000_000;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  it('aborts a stream that goes silent and reports it clearly', async () => {
    jest.restoreAllMocks();
    const inner = new ScriptedModel(async function* (req) {
      yield { type: 'text', delta: 'partial' };
      await new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 50, breakerThreshold: 5, breakerCooldownMs: 1000 });
    await expect(drain(sut.stream(request()))).rejects.toThrow('The model sent nothing for 50 ms');
    expect(inner.lastSignal?.aborted).toBe(true);
  });

  it('opens after the threshold, fails fast, lets one trial through after the cooldown, and closes on success', async () => {
    const inner = new ScriptedModel(failing);
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 1000, breakerThreshold: 3, breakerCooldownMs: 10_000 });
    for (let i = 0; i < 3; i++) await expect(drain(sut.stream(request()))).rejects.toThrow('500');
    expect(sut.state).toBe('open');
    await expect(drain(sut.stream(request()))).rejects.toThrow(/unavailable after repeated failures; retrying in 10 s/);
    expect(inner.calls).toBe(3);
    now += 10_001;
    inner.script = answering;
    expect(await drain(sut.stream(request()))).toBe('fine');
    expect(sut.state).toBe('closed');
    expect(inner.calls).toBe(4);
  });

  it('runs at most one trial call at a time; the others wait for its outcome', async () => {
    const inner = new ScriptedModel(failing);
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 5000, breakerThreshold: 1, breakerCooldownMs: 500 });
    await expect(drain(sut.stream(request()))).rejects.toThrow('500');
    now += 600;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    inner.script = async function* () {
      await gate;
      yield* [];
      throw new ModelError('Model request failed: 503', 503);
    };
    const trial = drain(sut.stream(request()));
    const others = [drain(sut.stream(request())), drain(sut.stream(request()))];
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sut.state).toBe('half-open');
    expect(inner.calls).toBe(2);
    release();
    await expect(trial).rejects.toThrow('503');
    for (const other of others) await expect(other).rejects.toThrow(/unavailable after repeated failures/);
    expect(inner.calls).toBe(2);
    expect(sut.state).toBe('open');
  });

  it('a call that started before the circuit opened and ends during the trial lets no second trial in', async () => {
    const sut = (inner: ScriptedModel) => new ResilientChatModel(inner, { idleTimeoutMs: 5000, breakerThreshold: 1, breakerCooldownMs: 500 });
    const hanging: Script = async function* (req) {
      yield { type: 'text', delta: 'x' };
      await new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(new DOMException('stop', 'AbortError'))));
    };
    const inner = new ScriptedModel(hanging);
    const model = sut(inner);
    const early = new AbortController();
    const first = drain(model.stream(request(early.signal)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    inner.script = failing;
    await expect(drain(model.stream(request()))).rejects.toThrow('500');
    now += 600;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    inner.script = async function* () {
      await gate;
      yield { type: 'text', delta: 'recovered' };
    };
    const trial = drain(model.stream(request()));
    await new Promise((resolve) => setTimeout(resolve, 10));
    early.abort('cancelled');
    await expect(first).rejects.toThrow('stop');
    const callsDuringTrial = inner.calls;
    const waiting = drain(model.stream(request()));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(inner.calls).toBe(callsDuringTrial);
    release();
    expect(await trial).toBe('recovered');
    expect(await waiting).toBe('recovered');
    expect(model.state).toBe('closed');
  });

  it('4xx answers about one request (e.g. a context too long) never open the circuit', async () => {
    const inner = new ScriptedModel(failingWith(400));
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 1000, breakerThreshold: 2, breakerCooldownMs: 10_000 });
    for (let i = 0; i < 5; i++) await expect(drain(sut.stream(request()))).rejects.toThrow('400');
    expect(sut.state).toBe('closed');
    inner.script = failingWith(429);
    for (let i = 0; i < 2; i++) await expect(drain(sut.stream(request()))).rejects.toThrow('429');
    expect(sut.state).toBe('open');
  });

  it.each([
    [500, true],
    [503, true],
    [408, true],
    [429, true],
    [undefined, true],
    [400, false],
    [401, false],
    [404, false],
    [413, false],
    [422, false],
  ])('status %s counts as an outage: %s', (status, expected) => {
    expect(isOutage(new ModelError('x', status))).toBe(expected);
  });

  it('a failed trial re-opens the circuit', async () => {
    const inner = new ScriptedModel(failing);
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 1000, breakerThreshold: 1, breakerCooldownMs: 500 });
    await expect(drain(sut.stream(request()))).rejects.toThrow('500');
    now += 600;
    await expect(drain(sut.stream(request()))).rejects.toThrow('500');
    expect(sut.state).toBe('open');
    await expect(sut.complete({ messages: [], signal: new AbortController().signal })).rejects.toThrow(/unavailable/);
  });

  it('does not count the caller’s own abort as a failure', async () => {
    jest.restoreAllMocks();
    const inner = new ScriptedModel(async function* (req) {
      yield { type: 'text', delta: 'x' };
      await new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(new DOMException('stop', 'AbortError'))));
    });
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 5000, breakerThreshold: 1, breakerCooldownMs: 10_000 });
    const controller = new AbortController();
    const run = drain(sut.stream(request(controller.signal)));
    setTimeout(() => controller.abort('cancelled'), 10);
    await expect(run).rejects.toThrow('stop');
    expect(sut.state).toBe('closed');
  });
});
