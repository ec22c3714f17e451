import Ajv, { ValidateFunction } from 'ajv';
import type { AgentType } from '../../protocol/agent-type';
import type { JsonObject } from '../../protocol/json';
import { IDE_TOOL_NAMES, isIdeToolName, TOOL_SPECS } from '../../protocol/tools';
import { refusalReason } from '../agents/agent-catalog';

/** Who wrote a call's arguments: the model, or the user through an approval edit. */
export type CallAuthor = 'model' | 'edit';

const ajv = new Ajv({ allErrors: true });
const validators = new Map<string, ValidateFunction>(
  IDE_TOOL_NAMES.map((name) => [name, ajv.compile(TOOL_SPECS[name].function.parameters)]),
);

/**
 * Why `agent` may not make this call, or null when it may: the agent's tool rules (which tools,
 * the architect's `*.md`-only writes), then the tool's argument schema (the one the model is offered).
 * A call the model made and a call the user edited are checked by this one function.
 */
export function toolCallRefusal(agent: AgentType, toolName: string, args: JsonObject, author: CallAuthor): string | null {
  const ruled = refusalReason(agent, toolName, args);
  if (ruled !== null) return ruled;
  const validate = isIdeToolName(toolName) ? validators.get(toolName) : undefined;
  if (!validate || validate(args)) return null;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath ? e.instancePath.slice(1) : 'arguments'} ${e.message ?? 'is invalid'}`);
  const who = author === 'model' ? 'The model sent' : 'The edit has';
  return `${who} invalid arguments for "${toolName}": ${problems.join('; ')}`;
}
