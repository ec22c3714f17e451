import { isTemporarySessionId, isValidSessionId } from '../../protocol/session-id';

/**
 * One task of the agent platform (gRPC `TaskRequest`, an MCP tool call). proto3 strings have no
 * "absent": an empty `sessionId` means stateless.
 */
export interface AgentTask {
  /** Never empty: an empty one is replaced by a fresh UUID before the task runs. */
  readonly taskId: string;
  readonly agentId: string;
  readonly input: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly toolIds: readonly string[];
  readonly sessionId: string;
}

/** How a task ended. Errors are answers: `success:false` with a clear `error` and an empty `output`. */
export interface TaskOutcome {
  readonly success: boolean;
  readonly output: string;
  readonly error: string;
  /** The agent that answered (after orchestrator routing); empty when none did. */
  readonly agent: string;
  /** Extra metadata from a remote agent, passed through. */
  readonly remoteMetadata?: Readonly<Record<string, string>>;
}

/** One piece of a streamed task (gRPC `TaskChunk` without the ids). */
export interface TaskChunk {
  readonly content: string;
  readonly isFinal: boolean;
}

export const failure = (error: string, agent = ''): TaskOutcome => ({ success: false, output: '', error, agent });

/** What is wrong with the task before any agent sees it (unknown agents are checked by the caller). */
export function taskProblem(task: AgentTask, maxChars: number): string | null {
  if (task.agentId.trim() === '') return 'agent_id is required';
  if (task.input.trim() === '') return 'input must not be empty';
  if (task.input.length > maxChars) return `input is longer than ${maxChars} characters`;
  const parameterChars = Object.entries(task.parameters).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (parameterChars > maxChars) return `parameters are longer than ${maxChars} characters in total`;
  if (task.sessionId !== '') {
    if (!isValidSessionId(task.sessionId)) {
      return 'session_id must be 1-128 characters: letters, digits, ".", "_", ":" or "-", starting with a letter or digit';
    }
    if (isTemporarySessionId(task.sessionId)) return 'session_id may not be a temporary "new_" id: leave it empty or name a session';
  }
  return null;
}

/** The `metadata` of a `TaskResponse` (PROTOCOL §6). */
export function taskMetadata(task: AgentTask, outcome: TaskOutcome, processedAt: Date): Record<string, string> {
  return {
    ...outcome.remoteMetadata,
    agent_id: task.agentId,
    task_id: task.taskId,
    processed_at: String(Math.floor(processedAt.getTime() / 1000)),
    ...(outcome.agent ? { agent: outcome.agent } : {}),
    ...(task.sessionId ? { session_id: task.sessionId } : {}),
  };
}
