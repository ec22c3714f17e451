/**
 * Runs the jobs of one session one at a time, in submission order; different sessions run in parallel.
 * An entry lives only while its session has work queued, so idle sessions cost no memory.
 */
export class SessionQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly depth = new Map<string, number>();

  enqueue(sessionId: string, job: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(sessionId) ?? Promise.resolve();
    const run = previous.then(job);
    const tail = run.catch(() => undefined);
    this.tails.set(sessionId, tail);
    this.depth.set(sessionId, (this.depth.get(sessionId) ?? 0) + 1);
    void tail.then(() => {
      const left = (this.depth.get(sessionId) ?? 1) - 1;
      if (left === 0) {
        this.depth.delete(sessionId);
        this.tails.delete(sessionId);
      } else {
        this.depth.set(sessionId, left);
      }
    });
    return run;
  }

  /** Jobs queued or running for the session. */
  pending(sessionId: string): number {
    return this.depth.get(sessionId) ?? 0;
  }

  /** Resolves when every job queued so far has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}
