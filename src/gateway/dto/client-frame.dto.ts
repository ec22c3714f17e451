import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { AGENT_TYPES, AgentType } from '../../protocol/agent-type';
import type { HitlDecision } from '../../protocol/client-frames';
import type { JsonObject, JsonValue } from '../../protocol/json';

const ROLES = ['user', 'assistant', 'system', 'tool'] as const;
const NOT_BLANK = /\S/;

/** Validated shapes of client frames. Unknown keys are ignored; `null` counts as absent (the IDE sends nulls). */
export class UserMessageDto {
  @IsString()
  @Matches(NOT_BLANK, { message: 'content must not be empty' })
  readonly content!: string;

  @IsOptional()
  @IsIn(ROLES)
  readonly role?: (typeof ROLES)[number];

  @IsOptional()
  @IsIn(AGENT_TYPES)
  readonly agent_type?: AgentType;
}

export class ToolResultDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  readonly call_id!: string;

  @IsOptional()
  readonly result?: JsonValue;

  @IsOptional()
  @IsString()
  readonly error?: string;

  @IsOptional()
  @IsString()
  readonly tool_name?: string;
}

export class SwitchAgentDto {
  @IsIn(AGENT_TYPES)
  readonly agent_type!: AgentType;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  readonly reason?: string;
}

export class HitlDecisionDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  readonly call_id!: string;

  @IsIn(['approve', 'edit', 'reject'])
  readonly decision!: HitlDecision;

  @IsOptional()
  @IsObject()
  readonly modified_arguments?: JsonObject;

  @IsOptional()
  @IsString()
  readonly feedback?: string;
}

export class CancelDto {}
