import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AgentRuntimeService } from '../../agent-runtime/agent-runtime.service';
import { ModelError } from '../../agent-runtime/model/chat-model';
import { StatelessTurnService } from '../../agent-runtime/turn/stateless-turn.service';
import { AgentType } from '../../protocol/agent-type';
import { ServerFrame } from '../../protocol/server-frames';
import type { OwnerScope } from '../../session/owner-scope';
import { AgentTask } from './agent-task';

/** What a built-in agent's task produces: who answers, the pieces, then exactly one end. */
export type BuiltInTaskEvent =
  | { readonly type: 'agent'; readonly agent: string }
  | { readonly type: 'text'; readonly delta: string }
  | { readonly type: 'done'; readonly output: string }
  | { readonly type: 'failed'; readonly error: string };

/**
 * Runs a task with one of our agents: with a `session_id` as a turn of that session through the
 * runtime (queued with IDE turns, stored, seen on its sockets, no tools offered); without one as a
 * stateless turn that stores nothing. Aborting `signal` stops the turn like a protocol-2 `cancel`.
 */
@Injectable()
export class BuiltInTaskRunner {
  constructor(
    private readonly runtime: AgentRuntimeService,
    private readonly stateless: StatelessTurnService,
  ) {}

  /** Whether the caller may use the session id (unknown ids are created; another user's are refused). */
  async mayUse(sessionId: string, owner: OwnerScope): Promise<boolean> {
    return (await this.runtime.access(sessionId, owner)) !== 'foreign';
  }

  run(task: AgentTask, agent: AgentType, owner: OwnerScope, signal: AbortSignal): Observable<BuiltInTaskEvent> {
    return task.sessionId === '' ? this.runStateless(task, agent, signal) : this.runInSession(task, agent, owner, signal);
  }

  private runInSession(task: AgentTask, agent: AgentType, owner: OwnerScope, signal: AbortSignal): Observable<BuiltInTaskEvent> {
    return new Observable<BuiltInTaskEvent>((subscriber) => {
      if (agent !== 'orchestrator') subscriber.next({ type: 'agent', agent });
      let ended = false;
      const end = (event: BuiltInTaskEvent): void => {
        if (ended) return;
        ended = true;
        subscriber.next(event);
        subscriber.complete();
      };
      const subscription = this.runtime
        .handle({
          sessionId: task.sessionId,
          owner,
          frame: { type: 'user_message', content: task.input, agent_type: agent },
          signal,
          offerTools: false,
        })
        .subscribe({
          next: (frame) => {
            const event = fromFrame(frame);
            if (event === null) return;
            if (event.type === 'done' || event.type === 'failed') end(event);
            else subscriber.next(event);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => end({ type: 'failed', error: signal.aborted ? 'The task was cancelled' : 'The turn ended without an answer' }),
        });
      return () => subscription.unsubscribe();
    });
  }

  private runStateless(task: AgentTask, agent: AgentType, signal: AbortSignal): Observable<BuiltInTaskEvent> {
    return new Observable<BuiltInTaskEvent>((subscriber) => {
      const run = async (): Promise<void> => {
        let output = '';
        try {
          for await (const event of this.stateless.run(agent, task.input, signal, task.taskId)) {
            if (event.type === 'agent') {
              subscriber.next(event);
            } else {
              output += event.delta;
              subscriber.next(event);
            }
          }
          subscriber.next({ type: 'done', output });
        } catch (error) {
          const text = signal.aborted ? 'The task was cancelled' : error instanceof ModelError ? error.message : 'Model request failed';
          subscriber.next({ type: 'failed', error: text });
        }
        subscriber.complete();
      };
      void run();
    });
  }
}

/** The runtime's frames as task events; frames that say nothing about the answer are skipped. */
function fromFrame(frame: ServerFrame): BuiltInTaskEvent | null {
  switch (frame.type) {
    case 'agent_switched':
      return frame.to_agent === 'orchestrator' ? null : { type: 'agent', agent: frame.to_agent };
    case 'assistant_message':
      return frame.is_final ? { type: 'done', output: frame.content ?? '' } : { type: 'text', delta: frame.token };
    case 'error':
      return { type: 'failed', error: frame.error };
    case 'cancelled':
      return { type: 'failed', error: 'The task was cancelled' };
    case 'tool_call':
      return { type: 'failed', error: `The agent asked for the IDE tool ${frame.tool_name}, which a task cannot run` };
    default:
      return null;
  }
}
