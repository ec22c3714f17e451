import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SessionModule } from '../session/session.module';
import { AgentRuntimeService } from './agent-runtime.service';
import { AgentActivityService } from './agents/agent-activity.service';
import { AgentsController } from './agents.controller';
import { RemoteAgentRegistryService } from './agents/remote/remote-agent-registry.service';
import { RemoteAgentEntity } from './agents/remote/remote-agent.entity';
import { BufferedSessionEventLog } from './events/buffered-session-event-log';
import { InProcessSessionFanout } from './events/in-process-session-fanout';
import { SESSION_EVENT_LOG } from './events/session-event-log';
import { SESSION_FANOUT } from './events/session-fanout';
import { SessionStream } from './events/session-stream';
import { chatModelProvider } from './model/chat-model.provider';
import { AgentRouter } from './routing/agent-router.service';
import { AgentSwitcher } from './turn/agent-switcher.service';
import { ConversationTurns } from './turn/conversation-turns.service';
import { ModelTurnService } from './turn/model-turn.service';
import { StatelessTurnService } from './turn/stateless-turn.service';

/** Agents (built-in and registered remote ones), routing, model providers and the turn loop. Reads and writes sessions only through SessionModule. */
@Module({
  imports: [SessionModule, TypeOrmModule.forFeature([RemoteAgentEntity])],
  controllers: [AgentsController],
  providers: [
    chatModelProvider,
    { provide: SESSION_EVENT_LOG, useClass: BufferedSessionEventLog },
    { provide: SESSION_FANOUT, useClass: InProcessSessionFanout },
    SessionStream,
    AgentActivityService,
    AgentRouter,
    AgentSwitcher,
    ModelTurnService,
    ConversationTurns,
    AgentRuntimeService,
    StatelessTurnService,
    RemoteAgentRegistryService,
  ],
  exports: [AgentRuntimeService, StatelessTurnService, AgentActivityService, RemoteAgentRegistryService],
})
export class AgentRuntimeModule {}
