import type { JsonObject } from '../../protocol/json';
import type { AgentType } from '../../protocol/agent-type';
import type { IdeToolName } from '../../protocol/tools';

export interface AgentDefinition {
  readonly type: AgentType;
  readonly name: string;
  readonly description: string;
  readonly systemPrompt: string;
  readonly allowedTools: readonly IdeToolName[];
  /** Extra per-call rule: returns why the call is refused, or null when allowed. */
  readonly refuse?: (tool: IdeToolName, args: JsonObject) => string | null;
}
