import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module';
import { AgentsController } from './agents.controller';

/** Agents, routing, model providers and the turn loop. Reads and writes sessions only through SessionModule. */
@Module({
  imports: [SessionModule],
  controllers: [AgentsController],
})
export class AgentRuntimeModule {}
