import { AgentTask, TaskChunk, TaskOutcome, taskMetadata } from '../task/agent-task';
import { TaskChunkMessage, TaskRequestMessage, TaskResponseMessage } from './agent-platform.messages';

export const fromTaskRequest = (request: TaskRequestMessage): AgentTask => ({
  taskId: request.task_id,
  agentId: request.agent_id,
  input: request.input,
  parameters: { ...request.parameters },
  toolIds: [...request.tool_ids],
  sessionId: request.session_id,
});

/** What is forwarded to a remote agent: every field as received (the task id filled in). */
export const toTaskRequest = (task: AgentTask): TaskRequestMessage => ({
  task_id: task.taskId,
  agent_id: task.agentId,
  input: task.input,
  parameters: task.parameters,
  tool_ids: task.toolIds,
  session_id: task.sessionId,
});

export const toTaskResponse = (task: AgentTask, outcome: TaskOutcome, processedAt: Date): TaskResponseMessage => ({
  task_id: task.taskId,
  output: outcome.success ? outcome.output : '',
  success: outcome.success,
  error: outcome.success ? '' : outcome.error,
  metadata: taskMetadata(task, outcome, processedAt),
  session_id: task.sessionId,
});

export const toTaskChunk = (task: AgentTask, chunk: TaskChunk): TaskChunkMessage => ({
  task_id: task.taskId,
  content: chunk.content,
  is_final: chunk.isFinal,
  session_id: task.sessionId,
});
