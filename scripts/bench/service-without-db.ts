/**
 * The benchmark's "gateway without a database" point: the built service (dist/) with the same gateway,
 * runtime, event log and fan-out, but the three stores the turn path uses (conversation store, session
 * service, event rows) replaced by maps in memory. The difference to the real service is what the
 * database costs; the difference to the bare baseline is what the framework costs. Bench only: it
 * answers turns, not the REST API. Run as its own process with BENCH_DIST=<dist directory>.
 */
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type * as Testing from '@nestjs/testing';
import type * as Bootstrap from '../../src/bootstrap';
import type * as AppModuleFile from '../../src/app.module';
import type * as LoadConfig from '../../src/config/load-config';
import type * as StoreFile from '../../src/session/conversation-store.service';
import type * as SessionFile from '../../src/session/session.service';
import type * as EventStoreFile from '../../src/session/session-event-store.service';
import type { ChatMessage } from '../../src/protocol/chat-message';
import type { AgentType } from '../../src/protocol/agent-type';
import type { AwaitingToolCall, ConversationChanges, ConversationState } from '../../src/session/conversation-state';
import type { StoredEvent } from '../../src/session/session-event-store.service';

const dist = process.env.BENCH_DIST;
if (!dist) throw new Error('BENCH_DIST is not set');
const load = <T>(file: string): T => require(join(dist, file)) as T; // eslint-disable-line @typescript-eslint/no-require-imports

interface MemorySession {
  agent: AgentType;
  awaiting: readonly AwaitingToolCall[];
  readonly messages: ChatMessage[];
}

const sessions = new Map<string, MemorySession>();
const events = new Map<string, StoredEvent[]>();

const conversationStore: Pick<StoreFile.ConversationStore, 'load' | 'recentMessages' | 'commit'> = {
  load(sessionId: string): Promise<ConversationState | null> {
    const s = sessions.get(sessionId);
    return Promise.resolve(s ? { sessionId, currentAgent: s.agent, awaitingToolCalls: s.awaiting } : null);
  },
  recentMessages(sessionId: string, limit: number): Promise<ChatMessage[]> {
    return Promise.resolve((sessions.get(sessionId)?.messages ?? []).slice(-limit));
  },
  commit(sessionId: string, changes: ConversationChanges): Promise<void> {
    const s = sessions.get(sessionId);
    if (!s) return Promise.reject(new Error(`Session ${sessionId} not found`));
    for (const m of changes.messages ?? []) {
      s.messages.push({
        role: m.role,
        content: m.content,
        ...(m.toolCallId ? { tool_call_id: m.toolCallId } : {}),
        ...(m.toolCalls ? { tool_calls: m.toolCalls } : {}),
      });
    }
    if (changes.agentSwitch) s.agent = changes.agentSwitch.to;
    if (changes.awaitingToolCalls) s.awaiting = changes.awaitingToolCalls;
    return Promise.resolve();
  },
};

const sessionService: Pick<SessionFile.SessionService, 'ensure' | 'isVisible' | 'capabilityOwner'> = {
  ensure(id: string): Promise<boolean> {
    if (sessions.has(id)) return Promise.resolve(false);
    sessions.set(id, { agent: 'orchestrator', awaiting: [], messages: [] });
    return Promise.resolve(true);
  },
  isVisible(id: string): Promise<boolean> {
    return Promise.resolve(sessions.has(id));
  },
  capabilityOwner(): Promise<string | null> {
    return Promise.resolve(null);
  },
};

/** One stream per session id here: the bench never deletes a session. */
const eventRows: Pick<
  EventStoreFile.SessionEventStore,
  'streamOf' | 'openStreamAt' | 'streamExists' | 'insert' | 'readAfter' | 'maxSeq' | 'prune'
> = {
  streamOf(sessionId: string): Promise<string | null> {
    return Promise.resolve(events.has(sessionId) ? sessionId : null);
  },
  openStreamAt(sessionId: string): Promise<{ incarnation: string; lastSeq: number }> {
    if (!sessions.has(sessionId)) return Promise.reject(new Error(`Session ${sessionId} not found`));
    const list = events.get(sessionId) ?? [];
    events.set(sessionId, list);
    return Promise.resolve({ incarnation: sessionId, lastSeq: list.at(-1)?.seq ?? 0 });
  },
  streamExists(incarnation: string): Promise<boolean> {
    return Promise.resolve(events.has(incarnation));
  },
  insert(rows: readonly StoredEvent[]): Promise<void> {
    for (const row of rows) {
      const list = events.get(row.incarnation) ?? [];
      list.push(row);
      events.set(row.incarnation, list);
    }
    return Promise.resolve();
  },
  readAfter(incarnation: string, afterSeq: number): Promise<StoredEvent[]> {
    return Promise.resolve((events.get(incarnation) ?? []).filter((r) => r.seq > afterSeq));
  },
  maxSeq(incarnation: string): Promise<number> {
    return Promise.resolve(events.get(incarnation)?.at(-1)?.seq ?? 0);
  },
  prune(): Promise<number> {
    return Promise.resolve(0);
  },
};

async function main(): Promise<void> {
  require('reflect-metadata'); // eslint-disable-line @typescript-eslint/no-require-imports
  const { Test } = require('@nestjs/testing') as typeof Testing; // eslint-disable-line @typescript-eslint/no-require-imports
  const { configureApp } = load<typeof Bootstrap>('bootstrap.js');
  const { AppModule } = load<typeof AppModuleFile>('app.module.js');
  const { loadConfig } = load<typeof LoadConfig>('config/load-config.js');
  const { ConversationStore } = load<typeof StoreFile>('session/conversation-store.service.js');
  const { SessionService } = load<typeof SessionFile>('session/session.service.js');
  const { SessionEventStore } = load<typeof EventStoreFile>('session/session-event-store.service.js');
  const config = loadConfig(process.env);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(ConversationStore)
    .useValue(conversationStore)
    .overrideProvider(SessionService)
    .useValue(sessionService)
    .overrideProvider(SessionEventStore)
    .useValue(eventRows)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: ['warn', 'error', 'fatal'], bodyParser: false });
  await configureApp(app, config);
  await app.listen(config.port, config.host);
}

void main();
