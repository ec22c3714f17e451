import { Observable, Subject } from 'rxjs';
import type { SequencedFrame } from '../../src/agent-runtime/events/session-event-log';
import type { SessionFanout } from '../../src/agent-runtime/events/session-fanout';

/** A fan-out that delivers later (as one shared between instances does), in order. */
export class DelayedFanout implements SessionFanout {
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
export class LateFanout implements SessionFanout {
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
