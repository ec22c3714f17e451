import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/domain.error';
import type { AgentType } from '../../protocol/agent-type';
import type { CancelledFrame } from '../../protocol/server-frames';
import { ConversationStore } from '../../session/conversation-store.service';
import { SESSION_EVENT_LOG, SequencedFrame, SessionEventLog } from '../events/session-event-log';
import { SessionStream } from '../events/session-stream';

/** How far back a takeover looks for the start of the reply the dead instance left open. */
const SCAN_FRAMES = 5_000;

/**
 * Closes the turn an instance left when it died holding the session's run lease (PROTOCOL §8): its
 * unwritten frames are stored, the answer it had streamed since the last final frame is kept as the
 * assistant's message, and the open reply ends with `cancelled`. Runs under the lease, before the next
 * frame of the session.
 */
@Injectable()
export class OrphanedTurns {
  private readonly logger = new Logger(OrphanedTurns.name);

  constructor(
    private readonly store: ConversationStore,
    @Inject(SESSION_EVENT_LOG) private readonly log: SessionEventLog,
    private readonly stream: SessionStream,
  ) {}

  async close(sessionId: string): Promise<void> {
    try {
      await this.log.adoptUnwritten?.(sessionId);
      await this.log.prepare(sessionId);
    } catch (error) {
      // A session deleted meanwhile has nothing left to close.
      if (error instanceof DomainError) return;
      throw error;
    }
    try {
      const last = await this.log.lastSeq(sessionId);
      const frames = await this.log.readAfter(sessionId, Math.max(0, last - SCAN_FRAMES));
      const open = openReply(frames);
      if (open.length === 0) return;
      const partial = open.map((f) => (f.type === 'assistant_message' && !f.is_final ? f.token : '')).join('');
      if (partial.length > 0) {
        const agent = lastAgent(open) ?? (await this.store.load(sessionId))?.currentAgent ?? 'orchestrator';
        await this.store.commit(sessionId, { messages: [{ role: 'assistant', content: partial, agent }] });
      }
      const cancelled: CancelledFrame = { type: 'cancelled', content: partial, is_final: true };
      this.stream.publish(sessionId, cancelled);
      this.logger.warn(`session=${sessionId} closed the turn of an instance that died (${partial.length} chars kept)`);
    } finally {
      this.log.release(sessionId);
    }
  }
}

/** The frames after the last final one: a reply that never ended. */
function openReply(frames: readonly SequencedFrame[]): SequencedFrame[] {
  let start = frames.length;
  while (start > 0 && !frames[start - 1]?.is_final) start -= 1;
  return frames.slice(start);
}

function lastAgent(frames: readonly SequencedFrame[]): AgentType | undefined {
  const switched = frames.filter((f) => f.type === 'agent_switched').at(-1);
  return switched?.type === 'agent_switched' ? switched.to_agent : undefined;
}
