import { Metrics } from '../../metrics/metrics.service';
import type { ChatModel, ModelEvent, ModelRequest } from './chat-model';
import { ModelError } from './chat-model';
import { MeteredChatModel } from './metered-chat-model';

/** A model whose stream yields `pieces`, then fails with `failure` when given. */
function model(pieces: readonly string[], failure?: Error): ChatModel {
  return {
    name: 'fake',
    async *stream(): AsyncIterable<ModelEvent> {
      for (const delta of pieces) {
        await Promise.resolve();
        yield { type: 'text', delta };
      }
      if (failure) throw failure;
    },
    complete: () => Promise.resolve(''),
  };
}

const request = (signal = new AbortController().signal): ModelRequest => ({ messages: [], tools: [], signal });

async function outcomes(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.modelCallDuration.get();
  const counts: Record<string, number> = {};
  for (const v of values) {
    if (v.metricName === 'codelab_model_call_duration_seconds_count' && v.value > 0) counts[String(v.labels.outcome)] = v.value;
  }
  return counts;
}

describe(MeteredChatModel.name, () => {
  it('passes every piece through and records a finished stream as ok, once', async () => {
    const metrics = new Metrics();
    const seen: string[] = [];
    for await (const event of new MeteredChatModel(model(['a', 'b', 'c']), metrics).stream(request())) {
      if (event.type === 'text') seen.push(event.delta);
    }
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(await outcomes(metrics)).toEqual({ ok: 1 });
  });

  it('records a failure as error with its kind, and rethrows it', async () => {
    const metrics = new Metrics();
    const failure = new ModelError('Model request failed: 503', 503);
    const read = async (): Promise<void> => {
      for await (const event of new MeteredChatModel(model(['a'], failure), metrics).stream(request())) void event;
    };
    await expect(read()).rejects.toBe(failure);
    expect(await outcomes(metrics)).toEqual({ error: 1 });
    const { values } = await metrics.modelErrors.get();
    expect(values.map((v) => [v.labels.kind, v.value])).toEqual([['http_5xx', 1]]);
  });

  it('records a consumer that stops early, and a failure after the signal fired, as aborted', async () => {
    const metrics = new Metrics();
    for await (const event of new MeteredChatModel(model(['a', 'b']), metrics).stream(request())) {
      void event;
      break;
    }
    const controller = new AbortController();
    controller.abort();
    const read = async (): Promise<void> => {
      for await (const event of new MeteredChatModel(model([], new Error('aborted')), metrics).stream(request(controller.signal))) void event;
    };
    await expect(read()).rejects.toThrow('aborted');
    expect(await outcomes(metrics)).toEqual({ aborted: 2 });
    expect((await metrics.modelErrors.get()).values).toEqual([]);
  });
});
