/**
 * The shapes of the public API the console reads (PROTOCOL §2, §3, §5). WebSocket frames and chat
 * messages come from the service's own `src/protocol/` (plain types, shared with clients); the REST
 * response bodies are written out here, as any client would.
 */
export type { AgentType } from '../../../src/protocol/agent-type';
export type { ChatMessage, ToolCallSpec } from '../../../src/protocol/chat-message';
export type { ClientFrame, HitlDecision } from '../../../src/protocol/client-frames';
export type { JsonObject, JsonValue } from '../../../src/protocol/json';
export type { ServerFrame, SessionState, StatusFrame } from '../../../src/protocol/server-frames';
import type { AgentType } from '../../../src/protocol/agent-type';
import type { ChatMessage } from '../../../src/protocol/chat-message';
import type { JsonObject } from '../../../src/protocol/json';

export interface SessionObject {
  readonly id: string;
  readonly session_id: string;
  readonly title: string | null;
  readonly message_count: number;
  readonly created_at: string;
  readonly last_activity: string;
  readonly is_active: boolean;
  readonly current_agent: AgentType;
}

export interface SessionPage {
  readonly sessions: readonly SessionObject[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export interface AgentSwitchEntry {
  readonly from: AgentType | null;
  readonly to: AgentType;
  readonly reason: string;
  readonly timestamp: string;
}

export interface SessionHistory {
  readonly session_id: string;
  readonly messages: readonly ChatMessage[];
  readonly message_count: number;
  readonly last_activity: string;
  readonly current_agent: AgentType;
  readonly agent_history: readonly AgentSwitchEntry[];
}

export interface PendingApproval {
  readonly call_id: string;
  readonly tool_name: string;
  readonly arguments: JsonObject;
  readonly reason: string | null;
  readonly created_at: string;
}

export interface AgentInfo {
  readonly type: AgentType;
  readonly name: string;
  readonly description: string;
  readonly allowed_tools: readonly string[];
}

/** `GET /search` (PROTOCOL §5). */
export interface SearchResult {
  readonly session_id: string;
  readonly title: string | null;
  /** The message's 0-based index in the history. */
  readonly seq: number;
  readonly role: string;
  /** A short excerpt; the matched words are wrapped in `**`. */
  readonly snippet: string;
  readonly created_at: string;
}

export interface SearchPage {
  readonly results: readonly SearchResult[];
  readonly limit: number;
  readonly offset: number;
  readonly query: string;
}

export type ExportFormat = 'json' | 'markdown';
