import { DomainError, DomainErrorCode } from '../../common/domain.error';
import { isAgentType } from '../../protocol/agent-type';
import { isJsonObject, JsonObject } from '../../protocol/json';
import { AgentSwitchRecord } from '../conversation-state';
import { FRESH_CONTEXT, InitialAgentContext } from '../session-rows';
import { ImportedMessage, validateImportedMessages } from './message-sequence';

export const EXPORT_FORMAT = 'codelab-session';
export const EXPORT_VERSION = 1;
export const IMPORT_PATH = '/api/v1/imports';
/** Largest `POST /imports` body (other routes keep the 100 KiB default). */
export const IMPORT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;
const MAX_TITLE = 200;

export interface ImportedApproval {
  readonly callId: string;
  readonly toolName: string;
  readonly arguments: JsonObject;
  readonly status: 'approved' | 'rejected';
  readonly reason: string | null;
  readonly createdAt: Date;
  readonly decidedAt: Date | null;
}

/** A validated `POST /imports` body: what the new session will hold. */
export interface ImportDocument {
  /** The title to keep (`undefined`: take it from the first user message). */
  readonly title: string | null | undefined;
  readonly messages: readonly ImportedMessage[];
  readonly context: InitialAgentContext;
  readonly approvals: readonly ImportedApproval[];
}

const invalid = (message: string): DomainError => new DomainError(DomainErrorCode.InvalidRequest, message);

/**
 * Reads a `POST /imports` body: our own JSON export (`format: "codelab-session"`, version 1), or
 * `{title?, messages}` with OpenAI Chat Completions messages. Unknown keys are ignored.
 */
export function parseImportDocument(body: unknown): ImportDocument {
  if (!isJsonObject(body)) throw invalid('The body must be a JSON object: a codelab-session export or {"title"?, "messages": [...]}');
  if (body['format'] === undefined) {
    return { title: title(body['title'], 'title'), messages: validateImportedMessages(body['messages']), context: FRESH_CONTEXT, approvals: [] };
  }
  if (body['format'] !== EXPORT_FORMAT) throw invalid(`format must be "${EXPORT_FORMAT}"`);
  if (body['version'] !== EXPORT_VERSION) throw invalid(`version ${JSON.stringify(body['version']) ?? 'missing'} is not supported (this service reads version ${EXPORT_VERSION})`);
  const session = body['session'];
  if (!isJsonObject(session)) throw invalid('session must be an object');
  const messages = validateImportedMessages(body['messages']);
  return {
    title: title(session['title'], 'session.title') ?? null,
    messages,
    context: agentContext(body['agent_context']),
    approvals: approvals(body['approvals'], messages),
  };
}

function title(value: unknown, field: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > MAX_TITLE) throw invalid(`${field} must be a string of at most ${MAX_TITLE} characters`);
  return value;
}

function agentContext(value: unknown): InitialAgentContext {
  if (value === undefined) return FRESH_CONTEXT;
  if (!isJsonObject(value)) throw invalid('agent_context must be an object');
  const current = value['current_agent'];
  if (!isAgentType(current)) throw invalid('agent_context.current_agent must be an agent type');
  const history = value['agent_history'] ?? [];
  if (!Array.isArray(history)) throw invalid('agent_context.agent_history must be an array');
  const records = history.map((entry: unknown, i) => switchRecord(entry, `agent_context.agent_history[${i}]`));
  const count = value['switch_count'] ?? records.length;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw invalid('agent_context.switch_count must be an integer >= 0');
  const last = records.at(-1);
  return { currentAgent: current, agentHistory: records, switchCount: count, lastSwitchAt: last ? new Date(last.timestamp) : null };
}

function switchRecord(entry: unknown, at: string): AgentSwitchRecord {
  if (!isJsonObject(entry)) throw invalid(`${at} must be an object`);
  const from = entry['from'];
  const to = entry['to'];
  const reason = entry['reason'];
  if (from !== null && !isAgentType(from)) throw invalid(`${at}.from must be an agent type or null`);
  if (!isAgentType(to)) throw invalid(`${at}.to must be an agent type`);
  if (typeof reason !== 'string') throw invalid(`${at}.reason must be a string`);
  return { from: from, to, reason, confidence: 'high', timestamp: isoDate(entry['timestamp'], `${at}.timestamp`).toISOString() };
}

function approvals(value: unknown, messages: readonly ImportedMessage[]): ImportedApproval[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('approvals must be an array');
  const calls = new Set(messages.flatMap((m) => (m.tool_calls ?? []).map((c) => c.id)));
  const seen = new Set<string>();
  return value.map((raw: unknown, i) => {
    const at = `approvals[${i}]`;
    if (!isJsonObject(raw)) throw invalid(`${at} must be an object`);
    const callId = raw['call_id'];
    if (typeof callId !== 'string' || !calls.has(callId)) throw invalid(`${at}.call_id matches no tool call of the messages`);
    if (seen.has(callId)) throw invalid(`${at}.call_id ${callId} appears twice`);
    seen.add(callId);
    const toolName = raw['tool_name'];
    if (typeof toolName !== 'string' || toolName.length === 0 || toolName.length > 64) throw invalid(`${at}.tool_name must be a string of 1-64 characters`);
    const args = raw['arguments'];
    if (!isJsonObject(args)) throw invalid(`${at}.arguments must be an object`);
    const status = raw['status'];
    if (status !== 'approved' && status !== 'rejected') throw invalid(`${at}.status must be approved or rejected (every imported tool call is answered)`);
    const reason = raw['reason'] ?? null;
    if (reason !== null && (typeof reason !== 'string' || reason.length > 500)) throw invalid(`${at}.reason must be a string of at most 500 characters or null`);
    const decidedAt = raw['decided_at'] ?? null;
    return {
      callId,
      toolName,
      arguments: args,
      status,
      reason,
      createdAt: isoDate(raw['created_at'], `${at}.created_at`),
      decidedAt: decidedAt === null ? null : isoDate(decidedAt, `${at}.decided_at`),
    };
  });
}

function isoDate(value: unknown, at: string): Date {
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw invalid(`${at} must be an ISO-8601 date`);
  return date;
}
