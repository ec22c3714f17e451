/** Why a job was stopped: by the user (`cancel`), by shutdown, or because its session was deleted. */
export type StopReason = 'cancelled' | 'shutdown' | 'deleted';

/**
 * Runs the jobs of one session one at a time, in submission order; different sessions run in parallel.
 * Each job gets an abort signal from the moment it is queued, so that `stop` reaches the running job and
 * the ones waiting behind it alike. An entry lives only while its session has work queued, so idle
 * sessions cost no memory.
 */
export class SessionQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly jobs = new Map<string, Set<AbortController>>();

  enqueue(sessionId: string, job: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const controller = new AbortController();
    let jobs = this.jobs.get(sessionId);
    if (!jobs) {
      jobs = new Set();
      this.jobs.set(sessionId, jobs);
    }
    jobs.add(controller);
    const mine = jobs;
    const previous = this.tails.get(sessionId) ?? Promise.resolve();
    const run = previous.then(() => job(controller.signal));
    const tail = run.then(
      () => this.finished(sessionId, mine, controller),
      () => this.finished(sessionId, mine, controller),
    );
    this.tails.set(sessionId, tail);
    return run;
  }

  /** Jobs queued or running for the session. */
  pending(sessionId: string): number {
    return this.jobs.get(sessionId)?.size ?? 0;
  }

  /** Sessions with a job queued or running. */
  get busySessions(): number {
    return this.jobs.size;
  }

  /** Aborts every job queued or running for the session now; false when there is none. */
  stop(sessionId: string, reason: StopReason): boolean {
    const jobs = this.jobs.get(sessionId);
    if (!jobs || jobs.size === 0) return false;
    for (const controller of jobs) if (!controller.signal.aborted) controller.abort(reason);
    return true;
  }

  stopAll(reason: StopReason): void {
    for (const sessionId of this.jobs.keys()) this.stop(sessionId, reason);
  }

  /** Resolves when every job queued so far has finished. */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  private finished(sessionId: string, jobs: Set<AbortController>, controller: AbortController): void {
    jobs.delete(controller);
    if (jobs.size > 0) return;
    if (this.jobs.get(sessionId) === jobs) this.jobs.delete(sessionId);
    this.tails.delete(sessionId);
  }
}

export function stopReasonOf(signal: AbortSignal): StopReason {
  const reason: unknown = signal.reason;
  return reason === 'shutdown' || reason === 'deleted' ? reason : 'cancelled';
}
