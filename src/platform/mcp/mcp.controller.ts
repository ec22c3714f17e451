import { Controller, Delete, Get, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal, scopeOf } from '../../auth/principal';
import { McpServerFactory } from './mcp-server.factory';

/**
 * `/mcp` (PROTOCOL §7): MCP over Streamable HTTP in the SDK's stateless mode: every POST gets its
 * own server and transport, no MCP session id is issued, so any instance can answer any request.
 * Authentication is the REST guard's (401 before MCP sees the request).
 */
@ApiExcludeController()
@Controller('mcp')
export class McpController {
  private readonly logger = new Logger(McpController.name);

  constructor(private readonly factory: McpServerFactory) {}

  @Post()
  async handle(@Req() req: Request, @Res() res: Response, @CurrentPrincipal() who: Principal): Promise<void> {
    const server = this.factory.create(scopeOf(who));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (error) {
      this.logger.error(`MCP request failed for user ${who.userId}: ${(error as Error).message}`);
      if (!res.headersSent) res.status(500).json(jsonRpcError(-32603, 'Internal server error'));
    }
  }

  /** No server-initiated stream and no MCP sessions in stateless mode. */
  @Get()
  notAllowed(@Res() res: Response): void {
    res.status(405).setHeader('Allow', 'POST').json(jsonRpcError(-32000, 'Method not allowed: this MCP server is stateless; send POST'));
  }

  @Delete()
  deleteNotAllowed(@Res() res: Response): void {
    this.notAllowed(res);
  }
}

const jsonRpcError = (code: number, message: string) => ({ jsonrpc: '2.0', error: { code, message }, id: null });
