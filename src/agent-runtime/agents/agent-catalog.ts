import type { JsonObject } from '../../protocol/json';
import { AgentType } from '../../protocol/agent-type';
import { IdeToolName } from '../../protocol/tools';
import { AgentDefinition } from './agent-definition';

const READ_TOOLS: readonly IdeToolName[] = ['read_file', 'list_files', 'search_in_code'];

const COMMON_RULES =
  'You work inside the user\'s IDE. Use the tools to look at the workspace instead of guessing; ' +
  'the IDE runs them and returns the result. Answer concisely in Markdown.';

/** The five agents: who they are, what they may do. */
export const AGENT_CATALOG: Readonly<Record<AgentType, AgentDefinition>> = {
  orchestrator: {
    type: 'orchestrator',
    name: 'Orchestrator Agent',
    description: 'Routes each request to the specialist best suited for it; never calls tools.',
    systemPrompt: 'You route requests to the right specialist agent. You never call tools.',
    allowedTools: [],
  },
  coder: {
    type: 'coder',
    name: 'Coder Agent',
    description: 'Writes, changes and refactors code; may use every IDE tool.',
    systemPrompt: `You are the coder agent: you write, fix and refactor code. ${COMMON_RULES}`,
    allowedTools: ['read_file', 'write_file', 'list_files', 'create_directory', 'execute_command', 'search_in_code'],
  },
  architect: {
    type: 'architect',
    name: 'Architect Agent',
    description: 'Designs systems and writes specs and plans; may only write Markdown (*.md) files.',
    systemPrompt: `You are the architect agent: you design, plan and write specifications. You may only write Markdown (.md) files. ${COMMON_RULES}`,
    allowedTools: [...READ_TOOLS, 'write_file'],
    refuse: (tool, args) =>
      tool === 'write_file' && !(typeof args['path'] === 'string' && /\.md$/i.test(args['path']))
        ? 'The architect agent can only create or edit Markdown (.md) files'
        : null,
  },
  debug: {
    type: 'debug',
    name: 'Debug Agent',
    description: 'Investigates errors: reads code and runs commands, never writes files.',
    systemPrompt: `You are the debug agent: you investigate bugs and errors, read code and run commands, but never change files. ${COMMON_RULES}`,
    allowedTools: [...READ_TOOLS, 'execute_command'],
  },
  ask: {
    type: 'ask',
    name: 'Ask Agent',
    description: 'Answers questions and explains code; read-only.',
    systemPrompt: `You are the ask agent: you explain code and answer questions. You are read-only. ${COMMON_RULES}`,
    allowedTools: [...READ_TOOLS],
  },
};

/** Why `agent` may not call `tool` with `args`, or null when it may. */
export function refusalReason(agent: AgentType, tool: string, args: JsonObject): string | null {
  const definition = AGENT_CATALOG[agent];
  const allowed = (definition.allowedTools as readonly string[]).includes(tool);
  if (!allowed) {
    return `The ${agent} agent may not use the tool "${tool}" (allowed: ${definition.allowedTools.join(', ') || 'none'})`;
  }
  return definition.refuse?.(tool as IdeToolName, args) ?? null;
}
