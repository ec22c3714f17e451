import { Provider } from '@nestjs/common';
import { TestingModule } from '@nestjs/testing';
import { lastValueFrom, Observable, toArray } from 'rxjs';
import { AgentRuntimeService } from '../../src/agent-runtime/agent-runtime.service';
import { InProcessSessionFanout } from '../../src/agent-runtime/events/in-process-session-fanout';
import { SESSION_EVENT_LOG } from '../../src/agent-runtime/events/session-event-log';
import { SESSION_FANOUT } from '../../src/agent-runtime/events/session-fanout';
import { SessionStream } from '../../src/agent-runtime/events/session-stream';
import { CHAT_MODEL } from '../../src/agent-runtime/model/chat-model';
import { AgentActivityService } from '../../src/agent-runtime/agents/agent-activity.service';
import { AgentRouter } from '../../src/agent-runtime/routing/agent-router.service';
import { AgentSwitcher } from '../../src/agent-runtime/turn/agent-switcher.service';
import { ConversationTurns } from '../../src/agent-runtime/turn/conversation-turns.service';
import { ModelTurnService } from '../../src/agent-runtime/turn/model-turn.service';
import { ConversationStore } from '../../src/session/conversation-store.service';
import { SessionService } from '../../src/session/session.service';
import { MemoryEventLog } from './memory-event-log';
import { ScriptedChatModel } from './scripted-chat-model';
import { createSessionStoreModule } from './session-store-testing';

export interface RuntimeTesting {
  readonly moduleRef: TestingModule;
  readonly model: ScriptedChatModel;
  readonly log: MemoryEventLog;
}

/**
 * The agent runtime's services for unit specs: the real turn logic and session store (in-memory
 * SQLite, see createSessionStoreModule) with a scripted model and an in-memory event log. Routing is
 * by keywords (the default `echo` provider setting), so it never asks the model.
 */
export async function createRuntimeModule(providers: Provider[] = [], env: Record<string, string> = {}): Promise<RuntimeTesting> {
  const model = new ScriptedChatModel();
  const log = new MemoryEventLog();
  const moduleRef = await createSessionStoreModule(
    [
      ConversationStore,
      SessionService,
      AgentRouter,
      AgentSwitcher,
      AgentActivityService,
      ModelTurnService,
      ConversationTurns,
      AgentRuntimeService,
      { provide: CHAT_MODEL, useValue: model },
      { provide: SESSION_EVENT_LOG, useValue: log },
      { provide: SESSION_FANOUT, useClass: InProcessSessionFanout },
      SessionStream,
      ...providers,
    ],
    env,
  );
  await moduleRef.init();
  return { moduleRef, model, log };
}

/** Every value of a finite Observable. */
export function collect<T>(stream: Observable<T>): Promise<T[]> {
  return lastValueFrom(stream.pipe(toArray()));
}
