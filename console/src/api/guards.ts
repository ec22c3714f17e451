import { isAgentType } from '../../../src/protocol/agent-type';
import type { AgentInfo, PendingApproval, SearchPage, ServerFrame, SessionHistory, SessionObject, SessionPage } from './wire';

/**
 * Checks of what the service answers, before the console trusts it: a body that is not what the API
 * promises becomes a clear error instead of a broken screen. Shallow on purpose: the fields the console
 * reads are checked, extra keys are ignored (the API may grow).
 */
export class UnexpectedResponseError extends Error {
  constructor(what: string) {
    super(`Unexpected answer from the service: ${what}`);
    this.name = 'UnexpectedResponseError';
  }
}

type Check<T> = (value: unknown) => value is T;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const arrayOf =
  <T>(check: Check<T>): Check<readonly T[]> =>
  (value: unknown): value is readonly T[] =>
    Array.isArray(value) && value.every(check);

export const isSessionObject: Check<SessionObject> = (v): v is SessionObject =>
  isRecord(v) && isString(v['id']) && (v['title'] === null || isString(v['title'])) && isNumber(v['message_count']) &&
  isString(v['last_activity']) && isString(v['created_at']) && isAgentType(v['current_agent']);

export const isSessionPage: Check<SessionPage> = (v): v is SessionPage =>
  isRecord(v) && arrayOf(isSessionObject)(v['sessions']) && isNumber(v['total']) && isNumber(v['limit']) && isNumber(v['offset']);

const isChatMessage = (v: unknown): boolean =>
  isRecord(v) && ['system', 'user', 'assistant', 'tool'].includes(v['role'] as string) && (v['content'] === null || isString(v['content']));

export const isSessionHistory: Check<SessionHistory> = (v): v is SessionHistory =>
  isRecord(v) && isString(v['session_id']) && Array.isArray(v['messages']) && v['messages'].every(isChatMessage) &&
  isAgentType(v['current_agent']) && Array.isArray(v['agent_history']);

const isPendingApproval = (v: unknown): v is PendingApproval =>
  isRecord(v) && isString(v['call_id']) && isString(v['tool_name']) && isRecord(v['arguments']);

export const isPendingApprovals: Check<{ pending_approvals: readonly PendingApproval[] }> = (
  v,
): v is { pending_approvals: readonly PendingApproval[] } => isRecord(v) && arrayOf(isPendingApproval)(v['pending_approvals']);

export const isAgentList: Check<{ agents: readonly AgentInfo[] }> = (v): v is { agents: readonly AgentInfo[] } =>
  isRecord(v) && arrayOf((a: unknown): a is AgentInfo => isRecord(a) && isAgentType(a['type']) && isString(a['name']))(v['agents']);

const isSearchResult = (v: unknown): boolean =>
  isRecord(v) && isString(v['session_id']) && isNumber(v['seq']) && isString(v['snippet']) && (v['title'] === null || v['title'] === undefined || isString(v['title']));

export const isSearchPage: Check<SearchPage> = (v): v is SearchPage =>
  isRecord(v) && Array.isArray(v['results']) && v['results'].every(isSearchResult) && isNumber(v['limit']) && isNumber(v['offset']);

const FRAME_TYPES = new Set(['session_info', 'assistant_message', 'tool_call', 'agent_switched', 'error', 'status', 'cancelled']);

/** One WebSocket frame, or undefined for text that is not a frame the console knows (ignored, as the protocol allows). */
export function parseFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !isString(value['type']) || !FRAME_TYPES.has(value['type'])) return undefined;
  if (value['seq'] !== undefined && !isNumber(value['seq'])) return undefined;
  return value as unknown as ServerFrame;
}

export function checked<T>(value: unknown, check: Check<T>, what: string): T {
  if (!check(value)) throw new UnexpectedResponseError(what);
  return value;
}
