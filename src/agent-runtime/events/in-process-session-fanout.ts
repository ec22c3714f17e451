import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { SequencedFrame } from './session-event-log';
import type { SessionFanout } from './session-fanout';

/** Fan-out within this process: one Subject per watched session, dropped when the last watcher leaves. */
@Injectable()
export class InProcessSessionFanout implements SessionFanout {
  private readonly topics = new Map<string, { subject: Subject<SequencedFrame>; watchers: number }>();

  publish(sessionId: string, frame: SequencedFrame): void {
    this.topics.get(sessionId)?.subject.next(frame);
  }

  watch(sessionId: string): Observable<SequencedFrame> {
    return new Observable<SequencedFrame>((subscriber) => {
      let topic = this.topics.get(sessionId);
      if (!topic) {
        topic = { subject: new Subject<SequencedFrame>(), watchers: 0 };
        this.topics.set(sessionId, topic);
      }
      topic.watchers += 1;
      const subscription = topic.subject.subscribe(subscriber);
      const current = topic;
      return () => {
        subscription.unsubscribe();
        current.watchers -= 1;
        if (current.watchers === 0 && this.topics.get(sessionId) === current) this.topics.delete(sessionId);
      };
    });
  }

  end(sessionId: string): void {
    const topic = this.topics.get(sessionId);
    if (!topic) return;
    this.topics.delete(sessionId);
    topic.subject.complete();
  }
}
