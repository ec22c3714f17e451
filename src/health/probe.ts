import { setTimeout as sleep } from 'node:timers/promises';

/** What a readiness probe found: up, or down with a reason safe to show (never a host, user or password). */
export type ProbeResult = { readonly up: true } | { readonly up: false; readonly reason: string };

/**
 * Runs `call` against a deadline: up when it resolves within `timeoutMs`; otherwise down with
 * `no answer within … ms`, or `not answering (<code>)` where `codeOf` names the failure.
 */
export async function probe(call: () => Promise<unknown>, timeoutMs: number, codeOf: (error: unknown) => string): Promise<ProbeResult> {
  const timer = new AbortController();
  try {
    const answered = await Promise.race([call().then(() => true), sleep(timeoutMs, false, { signal: timer.signal })]);
    return answered ? { up: true } : { up: false, reason: `no answer within ${timeoutMs} ms` };
  } catch (error) {
    return { up: false, reason: `not answering (${codeOf(error)})` };
  } finally {
    timer.abort();
  }
}
