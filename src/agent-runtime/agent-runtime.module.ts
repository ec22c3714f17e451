import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module';
import { AgentRuntimeService } from './agent-runtime.service';
import { AgentsController } from './agents.controller';
import { BufferedSessionEventLog } from './events/buffered-session-event-log';
import { InProcessSessionFanout } from './events/in-process-session-fanout';
import { SESSION_EVENT_LOG } from './events/session-event-log';
import { SESSION_FANOUT } from './events/session-fanout';
import { chatModelProvider } from './model/chat-model.provider';
import { AgentRouter } from './routing/agent-router.service';
import { AgentSwitcher } from './turn/agent-switcher.service';
import { ConversationTurns } from './turn/conversation-turns.service';
import { ModelTurnService } from './turn/model-turn.service';

/** Agents, routing, model providers and the turn loop. Reads and writes sessions only through SessionModule. */
@Module({
  imports: [SessionModule],
  controllers: [AgentsController],
  providers: [
    chatModelProvider,
    { provide: SESSION_EVENT_LOG, useClass: BufferedSessionEventLog },
    { provide: SESSION_FANOUT, useClass: InProcessSessionFanout },
    AgentRouter,
    AgentSwitcher,
    ModelTurnService,
    ConversationTurns,
    AgentRuntimeService,
  ],
  exports: [AgentRuntimeService],
})
export class AgentRuntimeModule {}
