import { Injectable } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { SequencedFrame } from './session-event-log';
import type { FrameListener, SessionFanout } from './session-fanout';

/**
 * Fan-out within this process: the listeners of each watched session, dropped when the last one leaves.
 * A session's list is replaced, never changed in place, so a frame goes to the listeners of the moment
 * it was published even when one of them stops listening (or another starts) while it is delivered.
 */
@Injectable()
export class InProcessSessionFanout implements SessionFanout {
  private readonly topics = new Map<string, readonly FrameListener[]>();

  publish(sessionId: string, frame: SequencedFrame): void {
    const listeners = this.topics.get(sessionId);
    if (listeners) for (const listener of listeners) listener.next(frame);
  }

  listen(sessionId: string, listener: FrameListener): void {
    const listeners = this.topics.get(sessionId);
    this.topics.set(sessionId, listeners ? [...listeners, listener] : [listener]);
  }

  unlisten(sessionId: string, listener: FrameListener): boolean {
    const listeners = this.topics.get(sessionId);
    if (!listeners?.includes(listener)) return false;
    const rest = listeners.filter((l) => l !== listener);
    if (rest.length > 0) this.topics.set(sessionId, rest);
    else this.topics.delete(sessionId);
    return true;
  }

  watch(sessionId: string): Observable<SequencedFrame> {
    return new Observable<SequencedFrame>((subscriber) => {
      this.listen(sessionId, subscriber);
      return () => this.unlisten(sessionId, subscriber);
    });
  }

  end(sessionId: string): void {
    const listeners = this.topics.get(sessionId);
    if (!listeners) return;
    this.topics.delete(sessionId);
    for (const listener of listeners) listener.complete();
  }
}
