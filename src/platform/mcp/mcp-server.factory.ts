import { Injectable } from '@nestjs/common';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  CallToolResult,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  ReadResourceResult,
} from '@modelcontextprotocol/sdk/types.js';
import { DomainError } from '../../common/domain.error';
import { SERVICE_NAME, SERVICE_VERSION } from '../../health/service-info';
import { toHistoryResponse } from '../../session/dto/history-response.dto';
import type { OwnerScope } from '../../session/owner-scope';
import { SessionHistoryService } from '../../session/session-history.service';
import { AgentDirectoryService } from '../agent-directory.service';
import { AgentTaskService } from '../task/agent-task.service';
import { AGENT_TOOL_INPUT_SCHEMA, AGENT_TOOL_OUTPUT_SCHEMA, parseToolArguments } from './mcp-tool-arguments';

/** MCP's "resource not found" error code. */
const RESOURCE_NOT_FOUND = -32002;
const AGENT_URI = /^agent:\/\/([^/]+)$/;
const HISTORY_URI = /^session:\/\/([^/]+)\/history$/;

/**
 * Builds the MCP server for one request and one caller (stateless Streamable HTTP: nothing is kept
 * between requests, so any instance can answer). The handlers are set on the SDK's low-level server
 * because the tools' inputSchema must be exactly the JSON Schema of PROTOCOL §7.
 */
@Injectable()
export class McpServerFactory {
  constructor(
    private readonly tasks: AgentTaskService,
    private readonly directory: AgentDirectoryService,
    private readonly history: SessionHistoryService,
  ) {}

  create(owner: OwnerScope): McpServer {
    const mcp = new McpServer({ name: SERVICE_NAME, version: SERVICE_VERSION });
    const server = mcp.server;
    server.registerCapabilities({ tools: { listChanged: false }, resources: { listChanged: false } });

    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: (await this.directory.list()).map((agent) => ({
        name: agent.agent_id,
        title: agent.name,
        description: agent.description,
        inputSchema: AGENT_TOOL_INPUT_SCHEMA,
        outputSchema: AGENT_TOOL_OUTPUT_SCHEMA,
      })),
    }));

    server.setRequestHandler(CallToolRequestSchema, (request, extra) => this.callTool(request.params.name, request.params.arguments, owner, extra.signal));

    server.setRequestHandler(ListResourcesRequestSchema, async () => ({
      resources: (await this.directory.list()).map((agent) => ({
        uri: `agent://${agent.agent_id}`,
        name: agent.agent_id,
        title: agent.name,
        description: agent.description,
        mimeType: 'application/json',
      })),
    }));

    server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
      resourceTemplates: [
        { uriTemplate: 'agent://{id}', name: 'agent', description: 'An agent: its description and tools', mimeType: 'application/json' },
        {
          uriTemplate: 'session://{id}/history',
          name: 'session-history',
          description: 'The history of one of your sessions (as GET /api/v1/sessions/{id}/history)',
          mimeType: 'application/json',
        },
      ],
    }));

    server.setRequestHandler(ReadResourceRequestSchema, (request) => this.readResource(request.params.uri, owner));
    return mcp;
  }

  private async callTool(name: string, rawArguments: unknown, owner: OwnerScope, signal: AbortSignal): Promise<CallToolResult> {
    const args = parseToolArguments(rawArguments ?? {});
    const task = this.tasks.prepare({
      taskId: '',
      agentId: name,
      input: typeof args === 'string' ? '' : args.input,
      parameters: typeof args === 'string' ? {} : args.parameters,
      toolIds: [],
      sessionId: typeof args === 'string' ? '' : args.sessionId,
    });
    const outcome = typeof args === 'string' ? { success: false, error: args, output: '', agent: '' } : await this.tasks.execute(task, owner, signal);
    const structured = {
      output: outcome.output,
      agent: outcome.agent,
      ...(task.sessionId ? { session_id: task.sessionId } : {}),
      task_id: task.taskId,
    };
    if (!outcome.success) {
      return { isError: true, content: [{ type: 'text', text: outcome.error }], structuredContent: { ...structured, error: outcome.error } };
    }
    return { content: [{ type: 'text', text: outcome.output }], structuredContent: structured };
  }

  private async readResource(uri: string, owner: OwnerScope): Promise<ReadResourceResult> {
    const agentId = AGENT_URI.exec(uri)?.[1];
    if (agentId !== undefined) {
      const agent = (await this.directory.list()).find((a) => a.agent_id === decoded(agentId));
      if (!agent) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`);
      return json(uri, agent);
    }
    const sessionId = HISTORY_URI.exec(uri)?.[1];
    if (sessionId !== undefined) {
      try {
        return json(uri, toHistoryResponse(await this.history.history(decoded(sessionId), owner)));
      } catch (error) {
        if (error instanceof DomainError) throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`);
        throw error;
      }
    }
    throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri} (known: agent://{id}, session://{id}/history)`);
  }
}

const json = (uri: string, value: unknown): ReadResourceResult => ({
  contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
});

/** A percent-decoded URI part; a malformed one cannot name anything. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return '';
  }
}
