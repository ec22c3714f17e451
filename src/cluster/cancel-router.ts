/**
 * Routes `cancel` to wherever the session's frames run or wait (PROTOCOL §2.5, §8): a cancel received
 * by one instance stops the turn another instance runs.
 */
export interface CancelRouter {
  /** What stops a session's running and queued frames in this process (the runtime's queue); set once. */
  serve(stopLocal: (sessionId: string) => boolean): void;
  /** Stops the session's running turn and queued frames on every instance; false when nothing ran or waited anywhere. */
  cancel(sessionId: string): Promise<boolean>;
}

export const CANCEL_ROUTER = Symbol('CANCEL_ROUTER');

/** One instance: a cancel stops what this process runs. */
export class InProcessCancelRouter implements CancelRouter {
  private stopLocal: (sessionId: string) => boolean = () => false;

  serve(stopLocal: (sessionId: string) => boolean): void {
    this.stopLocal = stopLocal;
  }

  cancel(sessionId: string): Promise<boolean> {
    return Promise.resolve(this.stopLocal(sessionId));
  }
}
