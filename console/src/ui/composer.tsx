import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentInfo, AgentType, SessionState } from '../api/wire';
import { Problem } from './problem';

/**
 * The message box: Enter sends, Shift+Enter starts a new line, Escape cancels the running turn. The
 * agent choice sends `agent_type` with the message (the session switches first).
 */
export function Composer(props: {
  readonly agents: readonly AgentInfo[];
  readonly state: SessionState;
  readonly connected: boolean;
  readonly onSend: (text: string, agent: AgentType | undefined) => boolean;
  readonly onCancel: () => boolean;
}) {
  const [text, setText] = useState('');
  const [agent, setAgent] = useState<AgentType | ''>('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const running = props.state === 'running';
  const box = useRef<HTMLTextAreaElement>(null);
  // Opening a session puts the cursor in the message box.
  useEffect(() => box.current?.focus(), []);

  const send = (): void => {
    const content = text.trim();
    if (!content) return;
    if (props.onSend(content, agent || undefined)) {
      setText('');
      setProblem(undefined);
    } else {
      setProblem('Not connected: the message was not sent. It is still in the box.');
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label class="sr-only" for="message">
        Message
      </label>
      <textarea
        id="message"
        ref={box}
        data-testid="message-input"
        rows={3}
        placeholder="Write a message (Enter sends, Shift+Enter for a new line, Esc cancels a running turn)"
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          } else if (event.key === 'Escape' && running) {
            event.preventDefault();
            props.onCancel();
          }
        }}
      />
      <div class="composer-actions">
        <label>
          Agent{' '}
          <select data-testid="agent-select" value={agent} onChange={(event) => setAgent(event.currentTarget.value as AgentType | '')}>
            <option value="">keep current</option>
            {props.agents.map((a) => (
              <option key={a.type} value={a.type} title={a.description}>
                {a.type}
              </option>
            ))}
          </select>
        </label>
        {running && (
          <button type="button" class="danger" data-testid="cancel" onClick={() => props.onCancel()}>
            Cancel turn
          </button>
        )}
        <button type="submit" class="primary" data-testid="send" disabled={!props.connected || text.trim() === ''}>
          Send
        </button>
      </div>
      <Problem text={problem} />
    </form>
  );
}
