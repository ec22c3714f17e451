import { Injectable, Logger } from '@nestjs/common';
import { AgentType } from '../../protocol/agent-type';
import { agentSwitchedFrame } from '../../protocol/frame-builders';
import { SwitchConfidence } from '../../session/conversation-state';
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
    if (from !== to) {
      await commitStep(this.store, ctx, {
        agentSwitch: { from, to, reason, confidence, timestamp: new Date().toISOString() },
      });
      this.logger.debug(`session=${ctx.sessionId} switched ${from} -> ${to} (${reason})`);
    }
    ctx.agent = to;
    ctx.emit(agentSwitchedFrame(from, to, reason, confidence, isFinal));
  }
}
