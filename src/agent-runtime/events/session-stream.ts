import { Inject, Injectable } from '@nestjs/common';
import { Observable, takeWhile } from 'rxjs';
import type { ServerFrame } from '../../protocol/server-frames';
import { FollowSources, followFrames, FrameFollower, FrameSink } from './follow-frames';
import { SESSION_EVENT_LOG, SequencedFrame, SessionEventLog } from './session-event-log';
import { SESSION_FANOUT, SessionFanout } from './session-fanout';

/**
 * The one authoritative stream of a session: its numbered frames, as the event log numbers and keeps
 * them and the fan-out delivers them. Every reply is a view of it: a protocol-2 socket follows the whole
 * stream from its `last_seq` ({@link follow}); the reply to one client frame (compat socket, SSE, gRPC,
 * MCP) is the slice of the stream that frame's turn produced ({@link turn}). Both views only read the
 * two interfaces, so a shared implementation of them (several instances) changes no view.
 */
@Injectable()
export class SessionStream {
  private readonly sources: FollowSources;

  constructor(
    @Inject(SESSION_EVENT_LOG) private readonly log: SessionEventLog,
    @Inject(SESSION_FANOUT) private readonly fanout: SessionFanout,
  ) {
    this.sources = { log, live: fanout };
  }

  /** Numbers a frame of the session and publishes it to everyone watching; returns it numbered. */
  publish(sessionId: string, frame: ServerFrame): SequencedFrame {
    const numbered = this.log.append(sessionId, frame);
    this.fanout.publish(sessionId, numbered);
    return numbered;
  }

  /**
   * Every frame of the session with `seq > afterSeq` (replayed from the event log), then live frames:
   * no gap, no repeat, in seq order. A live frame that skips seqs (a fan-out that lost frames or started
   * delivering late; with several instances, frames published elsewhere) waits until the log filled the
   * gap, retried while the log does not have them yet ({@link followFrames}). This is what a protocol-2
   * socket relays.
   */
  follow(sessionId: string, afterSeq: number): Observable<SequencedFrame> {
    return followFrames(this.fanout.watch(sessionId), (after) => this.log.readAfter(sessionId, after), afterSeq);
  }

  /**
   * {@link follow} for a holder that keeps it for its whole life (a protocol-2 socket): the same frames
   * go to `sink` until `stop()`, through one object instead of an Observable chain per holder.
   */
  followInto(sessionId: string, afterSeq: number, sink: FrameSink): { stop(): void } {
    const follower = new FrameFollower(sessionId, this.sources, sink, afterSeq);
    follower.start();
    return follower;
  }

  /**
   * The reply to one client frame: the session's frames from `firstSeq` (the first one its turn numbers)
   * up to and including the turn's final frame, then complete. Subscribe before the turn numbers its
   * first frame; the session's frames run one turn at a time, so everything in that range is the turn's.
   * Read like {@link follow} (replay, then live), so a fan-out that starts delivering late loses nothing.
   * Completes without a final frame when the session's stream ends (the session was deleted).
   */
  turn(sessionId: string, firstSeq: number): Observable<SequencedFrame> {
    return this.follow(sessionId, firstSeq - 1).pipe(takeWhile((frame) => !frame.is_final, true));
  }
}
