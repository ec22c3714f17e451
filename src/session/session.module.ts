import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CONVERSATION_CACHE_MODE, ConversationCache, conversationCacheModeFor } from './conversation-cache';
import { ConversationStore } from './conversation-store.service';
import { SESSION_ENTITIES } from './entities';
import { SessionCleanupService } from './session-cleanup.service';
import { SessionDeletions } from './session-deletions';
import { SessionOwners } from './session-owners';
import { SessionEventStore } from './session-event-store.service';
import { SessionController } from './session.controller';
import { SessionHistoryService } from './session-history.service';
import { SessionService } from './session.service';
import { SessionTotals } from './session-totals';
import { MessageSearchService } from './search/message-search.service';
import { SearchController } from './search/search.controller';
import { SessionExportService } from './transfer/session-export.service';
import { SessionForkService } from './transfer/session-fork.service';
import { SessionImportService } from './transfer/session-import.service';
import { SessionTransferController } from './transfer/session-transfer.controller';

/** Owns the session store (sessions, messages, agent contexts, approvals) and the session REST API. */
@Module({
  imports: [TypeOrmModule.forFeature(SESSION_ENTITIES)],
  controllers: [SessionController, SearchController, SessionTransferController],
  providers: [
    SessionTotals,
    SessionDeletions,
    SessionService,
    SessionHistoryService,
    { provide: CONVERSATION_CACHE_MODE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => conversationCacheModeFor(config) },
    ConversationCache,
    SessionOwners,
    ConversationStore,
    SessionCleanupService,
    SessionEventStore,
    MessageSearchService,
    SessionExportService,
    SessionImportService,
    SessionForkService,
  ],
  exports: [SessionService, SessionHistoryService, ConversationStore, SessionEventStore, SessionDeletions],
})
export class SessionModule {}
