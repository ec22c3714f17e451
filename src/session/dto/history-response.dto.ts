import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { AGENT_TYPES, AgentType } from '../../protocol/agent-type';
import { ChatRole } from '../../protocol/chat-message';
import { AgentSwitchRecord } from '../conversation-state';
import { SessionHistory } from '../session-history.service';

class ToolCallFunctionDto {
  @ApiProperty({ example: 'write_file' })
  readonly name!: string;

  @ApiProperty({ example: '{"path":"hello.py","content":"print(1)"}', description: 'JSON string' })
  readonly arguments!: string;
}

class ToolCallDto {
  @ApiProperty({ example: 'call_abc' })
  readonly id!: string;

  @ApiProperty({ example: 'function', enum: ['function'] })
  readonly type!: 'function';

  @ApiProperty({ type: ToolCallFunctionDto })
  readonly function!: ToolCallFunctionDto;
}

export class ChatMessageDto {
  @ApiProperty({ enum: ['user', 'assistant', 'tool', 'system'], example: 'user' })
  readonly role!: ChatRole;

  @ApiProperty({ example: 'Create hello.py', nullable: true, type: String })
  readonly content!: string | null;

  @ApiPropertyOptional({ example: 'call_abc' })
  readonly tool_call_id?: string;

  @ApiPropertyOptional({ type: [ToolCallDto] })
  readonly tool_calls?: ToolCallDto[];
}

export class AgentHistoryEntryDto {
  @ApiProperty({ enum: AGENT_TYPES, nullable: true, example: 'orchestrator' })
  readonly from!: AgentType | null;

  @ApiProperty({ enum: AGENT_TYPES, example: 'coder' })
  readonly to!: AgentType;

  @ApiProperty({ example: 'Keyword match: create' })
  readonly reason!: string;

  @ApiProperty({ example: '2026-01-05T10:00:01.000Z' })
  readonly timestamp!: string;
}

/** A session's agent context: who answers now and how it got there. */
export class AgentContextDto {
  @ApiProperty({ enum: AGENT_TYPES, example: 'coder' })
  readonly current_agent!: AgentType;

  @ApiProperty({ type: [AgentHistoryEntryDto] })
  readonly agent_history!: AgentHistoryEntryDto[];

  @ApiProperty({ example: 1 })
  readonly switch_count!: number;
}

export class HistoryResponseDto {
  @ApiProperty({ example: '3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f' })
  readonly session_id!: string;

  @ApiProperty({ type: [ChatMessageDto] })
  readonly messages!: ChatMessageDto[];

  @ApiProperty({ example: 2 })
  readonly message_count!: number;

  @ApiProperty({ example: '2026-01-05T10:02:13.000Z' })
  readonly last_activity!: string;

  @ApiProperty({ enum: AGENT_TYPES, example: 'coder' })
  readonly current_agent!: AgentType;

  @ApiProperty({ type: [AgentHistoryEntryDto] })
  readonly agent_history!: AgentHistoryEntryDto[];
}

export function toAgentHistory(records: readonly AgentSwitchRecord[]): AgentHistoryEntryDto[] {
  return records.map((r) => ({ from: r.from, to: r.to, reason: r.reason, timestamp: r.timestamp }));
}

export function toHistoryResponse(history: SessionHistory): HistoryResponseDto {
  return {
    session_id: history.sessionId,
    messages: history.messages.map((m) => ({ ...m, tool_calls: m.tool_calls ? [...m.tool_calls] : undefined })),
    message_count: history.messages.length,
    last_activity: history.lastActivity.toISOString(),
    current_agent: history.currentAgent,
    agent_history: toAgentHistory(history.agentHistory),
  };
}
