import type { AgentSwitchEntry, AgentType, ChatMessage, JsonValue, ServerFrame } from '../api/wire';

/**
 * What the session view draws, one entry per bubble or marker. Built from the stored history (REST) and
 * extended by live frames until the next history load replaces them. Pure data: the view renders
 * `text` as text or sanitized Markdown, never as raw HTML.
 */
export type TranscriptItem =
  | { readonly kind: 'user'; readonly key: string; readonly index?: number; readonly text: string }
  | {
      readonly kind: 'assistant';
      readonly key: string;
      readonly index?: number;
      readonly text: string;
      readonly streaming: boolean;
      readonly cancelled: boolean;
    }
  | {
      readonly kind: 'tool_call';
      readonly key: string;
      readonly index?: number;
      readonly callId: string;
      readonly toolName: string;
      readonly args: JsonValue | string;
      readonly requiresApproval: boolean;
      readonly result?: string;
    }
  | { readonly kind: 'agent_switch'; readonly key: string; readonly from: AgentType | null; readonly to: AgentType; readonly reason: string; readonly at?: string }
  | { readonly kind: 'error'; readonly key: string; readonly text: string };

export interface Transcript {
  /** From the last history load. */
  readonly stored: readonly TranscriptItem[];
  /** Since then: the user's own messages and live frames, each with the seq that made it. */
  readonly live: readonly (TranscriptItem & { readonly seq: number })[];
  /** History indexes of answers this page saw cancelled (the history itself does not say). */
  readonly cancelled: ReadonlySet<number>;
  /**
   * The arguments of calls this page saw re-sent after an approval, by call id: an edited call runs with
   * other arguments than the stored call, which keeps the model's (PROTOCOL: hitl_decision `edit`).
   */
  readonly approvedArgs: ReadonlyMap<string, JsonValue | string>;
}

export const EMPTY_TRANSCRIPT: Transcript = { stored: [], live: [], cancelled: new Set(), approvedArgs: new Map() };

export function visibleItems(t: Transcript): readonly TranscriptItem[] {
  return [...t.stored, ...t.live];
}

/** The stored history as items; tool answers are attached to the call they answer (shown collapsed). */
export function itemsFromHistory(messages: readonly ChatMessage[], switches: readonly AgentSwitchEntry[]): TranscriptItem[] {
  const items: TranscriptItem[] = switches.map((s, i) => ({
    kind: 'agent_switch' as const,
    key: `switch-${i}`,
    from: s.from,
    to: s.to,
    reason: s.reason,
    at: s.timestamp,
  }));
  const calls = new Map<string, number>();
  messages.forEach((message, index) => {
    const key = `m-${index}`;
    if (message.role === 'user') {
      items.push({ kind: 'user', key, index, text: message.content ?? '' });
    } else if (message.role === 'assistant') {
      if (message.content) items.push({ kind: 'assistant', key, index, text: message.content, streaming: false, cancelled: false });
      for (const call of message.tool_calls ?? []) {
        calls.set(call.id, items.length);
        items.push({
          kind: 'tool_call',
          key: `${key}-${call.id}`,
          index,
          callId: call.id,
          toolName: call.function.name,
          args: parseArguments(call.function.arguments),
          requiresApproval: false,
        });
      }
    } else if (message.role === 'tool') {
      const at = message.tool_call_id === undefined ? undefined : calls.get(message.tool_call_id);
      const call = at === undefined ? undefined : items[at];
      if (call?.kind === 'tool_call') items[at as number] = { ...call, result: message.content ?? '' };
      else items.push({ kind: 'error', key, text: `Tool answer without its call: ${message.content ?? ''}` });
    }
  });
  return items;
}

/** Adds the user's own message right away (there is no frame for it). */
export function withUserMessage(t: Transcript, text: string, seq: number): Transcript {
  // Half a step after the newest frame: a history load for that frame (already under way) keeps it.
  return { ...t, live: [...t.live, { kind: 'user', key: `live-user-${seq}-${t.live.length}`, text, seq: seq + 0.5 }] };
}

/** Applies one protocol-2 frame to the live part. */
export function applyFrame(t: Transcript, frame: ServerFrame): Transcript {
  const seq = frame.seq ?? Number.MAX_SAFE_INTEGER;
  const live = [...t.live];
  const last = live[live.length - 1];
  const streaming = last?.kind === 'assistant' && last.streaming ? last : undefined;
  const finishStreaming = (text?: string, cancelled = false): boolean => {
    if (!streaming) return false;
    live[live.length - 1] = { ...streaming, text: text ?? streaming.text, streaming: false, cancelled };
    return true;
  };
  switch (frame.type) {
    case 'assistant_message':
      if (!frame.is_final) {
        if (streaming) live[live.length - 1] = { ...streaming, text: streaming.text + frame.token };
        else live.push({ kind: 'assistant', key: `live-${seq}`, text: frame.token, streaming: true, cancelled: false, seq });
      } else if (!finishStreaming(frame.content ?? frame.token)) {
        live.push({ kind: 'assistant', key: `live-${seq}`, text: frame.content ?? frame.token, streaming: false, cancelled: false, seq });
      }
      break;
    case 'cancelled':
      if (!finishStreaming(frame.content, true)) {
        live.push({ kind: 'assistant', key: `live-${seq}`, text: frame.content, streaming: false, cancelled: true, seq });
      }
      break;
    case 'tool_call': {
      finishStreaming();
      const existing = live.findIndex((i) => i.kind === 'tool_call' && i.callId === frame.call_id);
      const item = {
        kind: 'tool_call' as const,
        key: `live-${seq}`,
        callId: frame.call_id,
        toolName: frame.tool_name,
        args: frame.arguments,
        requiresApproval: frame.requires_approval,
        seq,
      };
      // An approved call comes again without the approval flag: it replaces the first one.
      if (existing >= 0) live[existing] = { ...item, key: live[existing]?.key ?? item.key };
      else live.push(item);
      break;
    }
    case 'agent_switched':
      finishStreaming();
      live.push({ kind: 'agent_switch', key: `live-${seq}`, from: frame.from_agent, to: frame.to_agent, reason: frame.reason, seq });
      break;
    case 'error':
      finishStreaming();
      live.push({ kind: 'error', key: `live-${seq}`, text: frame.content, seq });
      break;
    case 'status':
    case 'session_info':
      return t;
  }
  return { ...t, live };
}

/** A history load that includes every frame up to `seq`: live entries from then are now stored. */
export function withHistory(t: Transcript, stored: readonly TranscriptItem[], seq: number): Transcript {
  const cancelled = new Set(t.cancelled);
  const approvedArgs = new Map(t.approvedArgs);
  for (const item of t.live) {
    if (item.seq > seq) continue;
    // The live call replaced by the stored one: what was sent to run (an edit's arguments) stays shown.
    if (item.kind === 'tool_call' && !item.requiresApproval) approvedArgs.set(item.callId, item.args);
    if (item.kind !== 'assistant' || !item.cancelled) continue;
    const match = [...stored].reverse().find((s) => s.kind === 'assistant' && s.text === item.text);
    if (match && 'index' in match && match.index !== undefined) cancelled.add(match.index);
  }
  return {
    stored: stored.map((i) => {
      if (i.kind === 'assistant' && i.index !== undefined && cancelled.has(i.index)) return { ...i, cancelled: true };
      if (i.kind === 'tool_call' && approvedArgs.has(i.callId)) return { ...i, args: approvedArgs.get(i.callId) as JsonValue | string };
      return i;
    }),
    live: t.live.filter((i) => i.seq > seq),
    cancelled,
    approvedArgs,
  };
}

function parseArguments(text: string): JsonValue | string {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
