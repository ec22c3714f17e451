import { useState } from 'preact/hooks';
import type { JsonValue } from '../api/wire';
import type { TranscriptItem } from '../live/transcript';
import { prettyJson } from './format';
import { Problem } from './problem';

type OpenCall = Extract<TranscriptItem, { kind: 'tool_call' }>;
type Answer = (callId: string, toolName: string, answer: { result: JsonValue } | { error: string }) => boolean;

/**
 * Tool calls the IDE has to run. The console runs no tools; when no IDE is connected, the user can answer
 * in its place (a result as JSON or text, or a failure), so a paused turn never gets stuck.
 */
export function ToolAnswerPanel(props: { readonly calls: readonly OpenCall[]; readonly onAnswer: Answer }) {
  if (props.calls.length === 0) return null;
  return (
    <section class="panel" aria-label="Tool calls waiting for the IDE" data-testid="open-tool-calls">
      <h2>Waiting for the IDE to run a tool</h2>
      {props.calls.map((call) => (
        <OpenCallCard key={call.callId} call={call} onAnswer={props.onAnswer} />
      ))}
    </section>
  );
}

function OpenCallCard({ call, onAnswer }: { readonly call: OpenCall; readonly onAnswer: Answer }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const send = (answer: { result: JsonValue } | { error: string }): void => {
    if (!onAnswer(call.callId, call.toolName, answer)) setProblem('Not connected: nothing was sent.');
  };
  return (
    <article class="approval" data-testid="open-tool-call">
      <header>
        <span class="mono">{call.toolName}</span>
      </header>
      <pre>{prettyJson(call.args)}</pre>
      <textarea
        aria-label="Result to send in the IDE's place (JSON or text)"
        data-testid="tool-result-input"
        rows={2}
        placeholder="Result in the IDE's place (JSON or text)"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
      />
      <div class="row">
        <button data-testid="send-tool-result" onClick={() => send({ result: parseLoose(text) })}>
          Send result
        </button>
        <button class="danger" onClick={() => send({ error: text.trim() || 'Not run: answered from the web console' })}>
          Report failure
        </button>
      </div>
      <Problem text={problem} />
    </article>
  );
}

function parseLoose(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
