import { http } from '../utils/http';
import type { Frame } from '../utils/ws-client';
import { Follower } from '../utils/ws-follower';
import { waitUntil } from '../utils/wait-until';

export interface HistoryMessage {
  readonly role: string;
  readonly content: string | null;
}

/** The stored history of a session, read over REST from `baseUrl`. */
export async function historyOf(baseUrl: string, sessionId: string): Promise<HistoryMessage[]> {
  const res = await http<{ messages: HistoryMessage[] }>(baseUrl, 'GET', `/api/v1/sessions/${sessionId}/history`);
  if (res.status !== 200) throw new Error(`history of ${sessionId}: HTTP ${res.status}`);
  return res.body.messages;
}

/** The seqs of a follower's numbered frames, checked to run 1, 2, 3… with no gap or repeat. */
export function gapFreeSeqs(frames: readonly Frame[], from = 1): number[] {
  const seqs = frames.map((f) => f['seq'] as number);
  const expected = Array.from({ length: seqs.length }, (_, i) => from + i);
  if (JSON.stringify(seqs) !== JSON.stringify(expected)) throw new Error(`seqs not gap-free from ${from}: ${JSON.stringify(seqs)}`);
  return seqs;
}

/** Waits until the follower has received `finals` final numbered frames. */
export async function untilFinals(follower: Follower, finals: number, timeoutMs = 30_000): Promise<void> {
  await waitUntil(() => follower.sequenced().filter((f) => f['is_final'] === true).length >= finals, timeoutMs);
}
