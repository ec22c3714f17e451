const POLL_MS = 20;

/** Polls `check` until it holds; true, or false once `timeoutMs` passed (for tests where a timeout is an outcome). */
export async function pollUntil(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}

/** Polls `check` until it holds; fails after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  if (!(await pollUntil(check, timeoutMs))) throw new Error('condition not met in time');
}
