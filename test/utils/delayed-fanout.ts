import { Observable, Subject, Subscription } from 'rxjs';
import type { SequencedFrame } from '../../src/agent-runtime/events/session-event-log';
import type { FrameListener, SessionFanout } from '../../src/agent-runtime/events/session-fanout';

/** listen/unlisten of a test fan-out, through its `watch`. */
abstract class WatchedFanout implements SessionFanout {
  private readonly listening = new Map<FrameListener, Subscription>();
  abstract publish(sessionId: string, frame: SequencedFrame): void;
  abstract watch(sessionId: string): Observable<SequencedFrame>;
  abstract end(sessionId: string): void;
  listen(sessionId: string, listener: FrameListener): void {
    this.listening.set(listener, this.watch(sessionId).subscribe({ next: (f) => listener.next(f), complete: () => listener.complete() }));
  }
  unlisten(_sessionId: string, listener: FrameListener): boolean {
    const subscription = this.listening.get(listener);
    this.listening.delete(listener);
    subscription?.unsubscribe();
    return subscription !== undefined;
  }
}

/** A fan-out that delivers later (as one shared between instances does), in order. */
export class DelayedFanout extends WatchedFanout {
  private readonly subject = new Subject<{ sessionId: string; frame: SequencedFrame }>();
  publish(sessionId: string, frame: SequencedFrame): void {
    setTimeout(() => this.subject.next({ sessionId, frame }), 5);
  }
  watch(sessionId: string): Observable<SequencedFrame> {
    return new Observable<SequencedFrame>((subscriber) => {
      const sub = this.subject.subscribe(({ sessionId: id, frame }) => id === sessionId && subscriber.next(frame));
      return () => sub.unsubscribe();
    });
  }
  end(): void {
    this.subject.complete();
  }
}

/** A fan-out whose watchers start receiving only some time after they subscribed (frames before are lost to them). */
export class LateFanout extends WatchedFanout {
  private readonly subject = new Subject<{ sessionId: string; frame: SequencedFrame }>();
  publish(sessionId: string, frame: SequencedFrame): void {
    this.subject.next({ sessionId, frame });
  }
  watch(sessionId: string): Observable<SequencedFrame> {
    return new Observable<SequencedFrame>((subscriber) => {
      let live = false;
      const timer = setTimeout(() => (live = true), 20);
      const sub = this.subject.subscribe(({ sessionId: id, frame }) => live && id === sessionId && subscriber.next(frame));
      return () => {
        clearTimeout(timer);
        sub.unsubscribe();
      };
    });
  }
  end(): void {
    this.subject.complete();
  }
}
