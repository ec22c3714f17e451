import { SessionDeletions } from '../../src/session/session-deletions';
import { SessionTotals } from '../../src/session/session-totals';
import { Provider } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigModule } from '../../src/config/config.module';
import { loadConfig } from '../../src/config/load-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { PreparedStatements } from '../../src/database/prepared-statements';
import { TransactionRunner } from '../../src/database/transaction-runner';
import { Metrics } from '../../src/metrics/metrics.service';
import { CONVERSATION_CACHE_MODE, ConversationCache } from '../../src/session/conversation-cache';
import { SESSION_ENTITIES } from '../../src/session/entities';
import { SessionOwners } from '../../src/session/session-owners';

/**
 * A Nest testing module with the session store on a real, private in-memory SQLite database
 * (schema from the migrations, exactly as at start-up) plus the given providers.
 * `env` is passed through `loadConfig`, so it is validated like the real environment.
 */
export async function createSessionStoreModule(
  providers: Provider[],
  env: Record<string, string> = {},
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(loadConfig({ DATABASE_URL: 'sqlite::memory:', ...env })),
      TypeOrmModule.forRoot({
        ...buildDataSourceOptions({ type: 'sqlite', path: ':memory:' }),
        logging: process.env.TEST_LOGS ? ['error', 'warn'] : false,
        autoLoadEntities: true,
        migrationsRun: true,
      }),
      TypeOrmModule.forFeature(SESSION_ENTITIES),
    ],
    providers: [
      TransactionRunner,
      Metrics,
      PreparedStatements,
      SessionTotals,
      SessionDeletions,
      { provide: CONVERSATION_CACHE_MODE, useValue: 'trusted' },
      ConversationCache,
      SessionOwners,
      ...providers,
    ],
  }).compile();
  moduleRef.useLogger(process.env.TEST_LOGS ? ['log', 'warn', 'error'] : false);
  return moduleRef;
}
