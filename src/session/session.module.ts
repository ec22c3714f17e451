import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConversationStore } from './conversation-store.service';
import { SESSION_ENTITIES } from './entities';
import { SessionCleanupService } from './session-cleanup.service';
import { SessionDeletions } from './session-deletions';
import { SessionEventStore } from './session-event-store.service';
import { SessionController } from './session.controller';
import { SessionHistoryService } from './session-history.service';
import { SessionService } from './session.service';
import { SessionTotals } from './session-totals';

/** Owns the session store (sessions, messages, agent contexts, approvals) and the session REST API. */
@Module({
  imports: [TypeOrmModule.forFeature(SESSION_ENTITIES)],
  controllers: [SessionController],
  providers: [SessionTotals, SessionDeletions, SessionService, SessionHistoryService, ConversationStore, SessionCleanupService, SessionEventStore],
  exports: [SessionService, SessionHistoryService, ConversationStore, SessionEventStore, SessionDeletions],
})
export class SessionModule {}
