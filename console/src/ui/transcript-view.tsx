import { useEffect, useRef } from 'preact/hooks';
import type { TranscriptItem } from '../live/transcript';
import { formatTime, prettyJson } from './format';
import { MarkdownView } from './markdown-view';

/**
 * The conversation: user text as text, model text as sanitized Markdown, tool calls and their results
 * collapsed, agent switches as markers. The streaming answer is a live region.
 */
export function TranscriptView(props: { readonly items: readonly TranscriptItem[]; readonly highlight?: number; readonly pending: ReadonlySet<string> }) {
  const end = useRef<HTMLDivElement>(null);
  const last = props.items[props.items.length - 1];
  const lastText = last && 'text' in last ? last.text : '';
  useEffect(() => {
    if (props.highlight === undefined) end.current?.scrollIntoView({ block: 'end' });
  }, [props.items.length, lastText, props.highlight]);
  useEffect(() => {
    if (props.highlight !== undefined) document.getElementById(`message-${props.highlight}`)?.scrollIntoView({ block: 'center' });
  }, [props.highlight, props.items.length]);

  if (props.items.length === 0) return <p class="empty">No messages yet. Write the first one below.</p>;
  return (
    <div class="transcript" data-testid="transcript">
      {props.items.map((item) => (
        <Item
          key={item.key}
          item={item}
          pending={item.kind === 'tool_call' && props.pending.has(item.callId)}
          highlighted={props.highlight !== undefined && 'index' in item && item.index === props.highlight}
        />
      ))}
      <div ref={end} />
    </div>
  );
}

function Item({ item, highlighted, pending }: { readonly item: TranscriptItem; readonly highlighted: boolean; readonly pending: boolean }) {
  const id = 'index' in item && item.index !== undefined ? `message-${item.index}` : undefined;
  const mark = highlighted ? ' highlighted' : '';
  switch (item.kind) {
    case 'user':
      return (
        <article id={id} class={`bubble user${mark}`} data-testid="message-user">
          <header>you</header>
          <div class="plain">{item.text}</div>
        </article>
      );
    case 'assistant':
      return (
        <article
          id={id}
          class={`bubble assistant${mark}${item.streaming ? ' streaming' : ''}`}
          data-testid={item.streaming ? 'message-streaming' : 'message-assistant'}
          aria-live={item.streaming ? 'polite' : undefined}
          aria-busy={item.streaming}
        >
          <header>
            assistant{item.streaming ? ' · writing…' : ''}
            {item.cancelled ? ' · cancelled' : ''}
          </header>
          <MarkdownView text={item.text} />
        </article>
      );
    case 'tool_call':
      return (
        <details id={id} class={`tool${mark}`} data-testid="tool-call">
          <summary>
            <span class="mono">{item.toolName}</span> tool call
            {item.result !== undefined ? ' · answered' : pending || item.requiresApproval ? ' · needs approval' : ' · waiting for a result'}
          </summary>
          <div class="tool-body">
            <h4>Arguments</h4>
            <pre>{prettyJson(item.args)}</pre>
            {item.result !== undefined && (
              <>
                <h4>Result</h4>
                <pre data-testid="tool-result">{item.result}</pre>
              </>
            )}
          </div>
        </details>
      );
    case 'agent_switch':
      return (
        <div class="marker" role="note" data-testid="agent-switch">
          <span>
            {item.from ?? 'start'} → <strong>{item.to}</strong>
          </span>
          <span class="muted">
            {item.reason}
            {item.at ? ` · ${formatTime(item.at)}` : ''}
          </span>
        </div>
      );
    case 'error':
      return (
        <div class="bubble error" role="alert" data-testid="message-error">
          {item.text}
        </div>
      );
  }
}
