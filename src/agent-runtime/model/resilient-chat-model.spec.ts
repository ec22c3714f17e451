import { ChatModel, ModelError, ModelEvent, ModelRequest } from './chat-model';
import { ResilientChatModel } from './resilient-chat-model';

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
// eslint-disable-next-line @typescript-eslint/require-await -- a model stream that fails at once, before any event
const failing: Script = async function* () {
  yield* [];
  throw new ModelError('Model request failed: 500 Internal Server Error', 500);
};
// eslint-disable-next-line @typescript-eslint/require-await -- a model stream that answers at once
const answering: Script = async function* () {
  yield { type: 'text', delta: 'fine' };
};

describe(ResilientChatModel.name, () => {
  it('aborts a stream that goes silent and reports it clearly', async () => {
    const inner = new ScriptedModel(async function* (req) {
      yield { type: 'text', delta: 'partial' };
      await new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 50, breakerThreshold: 5, breakerCooldownMs: 1000 });
    await expect(drain(sut.stream(request()))).rejects.toThrow('The model sent nothing for 50 ms');
    expect(inner.lastSignal?.aborted).toBe(true);
  });

  it('opens after the threshold, fails fast, lets one trial through after the cooldown, and closes on success', async () => {
    let now = 1_000;
    const inner = new ScriptedModel(failing);
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 1000, breakerThreshold: 3, breakerCooldownMs: 10_000 }, () => now);
    for (let i = 0; i < 3; i++) await expect(drain(sut.stream(request()))).rejects.toThrow('500');
    expect(sut.state).toBe('open');
    await expect(drain(sut.stream(request()))).rejects.toThrow(/unavailable after repeated failures; retrying in 10 s/);
    expect(inner.calls).toBe(3);
    now += 10_001;
    expect(sut.state).toBe('half-open');
    inner.script = answering;
    expect(await drain(sut.stream(request()))).toBe('fine');
    expect(sut.state).toBe('closed');
    expect(inner.calls).toBe(4);
  });

  it('a failed trial re-opens the circuit', async () => {
    let now = 0;
    const inner = new ScriptedModel(failing);
    const sut = new ResilientChatModel(inner, { idleTimeoutMs: 1000, breakerThreshold: 1, breakerCooldownMs: 500 }, () => now);
    await expect(drain(sut.stream(request()))).rejects.toThrow('500');
    now = 600;
    await expect(drain(sut.stream(request()))).rejects.toThrow('500');
    expect(sut.state).toBe('open');
  });

  it('does not count the caller’s own abort as a failure', async () => {
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
