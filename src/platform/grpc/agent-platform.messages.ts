/** The messages of `proto/agent_platform.proto` as proto-loader hands them over (snake_case, defaults filled). */
export interface TaskRequestMessage {
  readonly task_id: string;
  readonly agent_id: string;
  readonly input: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly tool_ids: readonly string[];
  readonly session_id: string;
}

export interface TaskResponseMessage {
  readonly task_id: string;
  readonly output: string;
  readonly success: boolean;
  readonly error: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly session_id: string;
}

export interface TaskChunkMessage {
  readonly task_id: string;
  readonly content: string;
  readonly is_final: boolean;
  readonly session_id: string;
}

export interface StatusRequestMessage {
  readonly agent_id: string;
}

export interface StatusResponseMessage {
  readonly agent_id: string;
  readonly status: string;
  readonly active_tasks: number;
  readonly uptime_seconds: number;
}

export interface AgentInfoMessage {
  readonly agent_id: string;
  readonly name: string;
  readonly description: string;
  readonly capabilities: readonly string[];
  readonly endpoint: string;
  readonly detailed_description: string;
  readonly how_it_works: string;
  readonly return_format: string;
  readonly use_cases: readonly string[];
  readonly version: string;
}

export interface RegistrationResponseMessage {
  readonly success: boolean;
  readonly message: string;
  readonly service_id: string;
}

export interface ListAgentsRequestMessage {
  readonly filter: string;
}

export interface ListAgentsResponseMessage {
  readonly agents: readonly AgentInfoMessage[];
}
