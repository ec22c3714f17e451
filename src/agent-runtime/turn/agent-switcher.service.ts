import { Injectable, Logger } from '@nestjs/common';
import { AgentType } from '../../protocol/agent-type';
import { agentSwitchedFrame } from '../../protocol/frame-builders';
import { AgentSwitchRecord, SwitchConfidence } from '../../session/conversation-state';
import { ConversationStore } from '../../session/conversation-store.service';
import { commitStep, TurnContext } from './turn-context';

/** Records an agent switch in the session's agent context and announces it with `agent_switched`. */
@Injectable()
export class AgentSwitcher {
  private readonly logger = new Logger(AgentSwitcher.name);

  constructor(private readonly store: ConversationStore) {}

  async switch(
    ctx: TurnContext,
    from: AgentType,
    to: AgentType,
    reason: string,
    confidence: SwitchConfidence,
    isFinal: boolean,
  ): Promise<void> {
    const record = switchRecord(from, to, reason, confidence);
    if (from !== to) await commitStep(this.store, ctx, { agentSwitch: record });
    this.announce(ctx, record, isFinal);
  }

  /** Sends `agent_switched` for a switch that is stored (or that changes nothing): only after its commit. */
  announce(ctx: TurnContext, record: AgentSwitchRecord, isFinal: boolean): void {
    if (record.from !== record.to) this.logger.debug(`session=${ctx.sessionId} switched ${record.from ?? '-'} -> ${record.to} (${record.reason})`);
    ctx.agent = record.to;
    ctx.emit(agentSwitchedFrame(record.from ?? record.to, record.to, record.reason, record.confidence, isFinal));
  }
}

/** A switch as the agent history records it. */
export function switchRecord(from: AgentType, to: AgentType, reason: string, confidence: SwitchConfidence): AgentSwitchRecord {
  return { from, to, reason, confidence, timestamp: new Date().toISOString() };
}
