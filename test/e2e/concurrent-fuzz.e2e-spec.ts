import { http } from '../utils/http';
import { Prng, seedFrom } from '../utils/prng';
import { sleep } from '../utils/service-process';
import { pollUntil } from '../utils/wait-until';
import { useTestApp } from '../utils/use-test-app';
import { Frame } from '../utils/ws-client';
import { Follower } from '../utils/ws-follower';

/**
 * Concurrent fuzz (issue 9): several protocol-2 sockets of one session send user messages (plain and
 * tool-calling), cancels, tool results and approval decisions at the same time, in random order, for
 * calls that are pending, answered, unknown or refused. Afterwards: every socket is still open, every
 * reply ended with exactly one final frame, the session's frames are gap-free and identical on every
 * socket, and the history is well formed: every tool call is answered exactly once, right after it,
 * and no two turns interleave. Replay a run with CONCURRENT_FUZZ_SEED=<printed seed>.
 */

const SEED = seedFrom('CONCURRENT_FUZZ_SEED');
const SESSIONS = 3;
const SOCKETS_PER_SESSION = 3;
const FRAMES_PER_SOCKET = 40;
const SETTLE_TIMEOUT_MS = 30_000;

interface HistoryMessage {
  role: string;
  content: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string }[];
}

interface Sent {
  total: number;
  cancels: number;
}

/** A random client frame; call ids come from the calls the session has seen (or are stale/unknown). */
function randomFrame(rng: Prng, calls: readonly string[], n: string): Record<string, unknown> {
  // Mostly the newest call (the one most likely pending), else an older (answered) one or an unknown id.
  const callId = (): string => {
    const newest = calls.at(-1);
    if (newest !== undefined && rng.chance(0.6)) return newest;
    return calls.length > 0 && rng.chance(0.7) ? rng.pick(calls) : `call_unknown_${n}`;
  };
  const roll = rng.next();
  if (roll < 0.3) {
    const content = rng.pick([
      `hello ${n}`,
      `/tool read_file {"path":"src/${n}.ts"}`,
      `/tool write_file {"path":"docs/${n}.md","content":"# ${n}"}`,
      `/tool write_file {"path":"${n}.sh","content":"echo"}`,
      `/tool execute_command {"command":"echo ${n}"}`,
    ]);
    return { type: 'user_message', content, agent_type: rng.pick(['coder', 'architect', 'ask']) };
  }
  if (roll < 0.4) return { type: 'cancel' };
  if (roll < 0.6) {
    return rng.chance(0.8)
      ? { type: 'tool_result', call_id: callId(), result: { ok: n } }
      : { type: 'tool_result', call_id: callId(), error: `User rejected: ${n}` };
  }
  const decision = rng.pick(['approve', 'edit', 'edit', 'reject'] as const);
  const frame: Record<string, unknown> = { type: 'hitl_decision', call_id: callId(), decision };
  if (decision === 'edit') {
    frame['modified_arguments'] = rng.pick([
      { path: `docs/${n}-edited.md`, content: 'edited' },
      { path: `${n}-evil.sh`, content: 'rm -rf /' },
      { path: 42 },
      { command: `echo edited ${n}` },
    ]);
  }
  if (decision === 'reject') frame['feedback'] = `no ${n}`;
  return frame;
}

/** PROTOCOL §4, written independently of the service: which tools each agent may call. */
const READS = ['read_file', 'list_files', 'search_in_code'];
const AGENT_TOOLS: Record<string, readonly string[]> = {
  orchestrator: [],
  coder: [...READS, 'write_file', 'create_directory', 'execute_command'],
  architect: [...READS, 'write_file'],
  debug: [...READS, 'execute_command'],
  ask: READS,
};

/**
 * Tool calls in the stream that should never have reached the IDE: a tool the current agent (followed
 * through `agent_switched`) may not use, an architect writing anything but `*.md`, or arguments that
 * break the tool's schema (as far as these tools go: `path`/`content`/`command` strings).
 */
function forbiddenCalls(stream: readonly Frame[]): string[] {
  let agent = 'orchestrator';
  const problems: string[] = [];
  for (const frame of stream) {
    if (frame.type === 'agent_switched') agent = String(frame['to_agent']);
    if (frame.type !== 'tool_call') continue;
    const tool = String(frame['tool_name']);
    const args = frame['arguments'] as Record<string, unknown>;
    const where = `seq ${String(frame['seq'])}: ${agent} ${tool} ${JSON.stringify(args)}`;
    if (!(AGENT_TOOLS[agent] ?? []).includes(tool)) problems.push(`${where}: tool not allowed`);
    const required = tool === 'write_file' ? ['path', 'content'] : tool === 'execute_command' ? ['command'] : ['path'];
    if (required.some((key) => typeof args[key] !== 'string')) problems.push(`${where}: arguments break the schema`);
    if (agent === 'architect' && tool === 'write_file' && !/\.md$/i.test(String(args['path']))) problems.push(`${where}: not Markdown`);
  }
  return problems;
}

/** Problems in a history: each tool call answered exactly once, right after the call; no stray answers. */
function historyProblems(messages: readonly HistoryMessage[], pendingAllowed: boolean): string[] {
  const problems: string[] = [];
  const answered = new Map<string, number>();
  let open: string[] = [];
  messages.forEach((m, i) => {
    if (m.role === 'tool') {
      const id = m.tool_call_id ?? '';
      if (!open.includes(id)) problems.push(`message ${i}: a tool answer to ${id}, which is not the call just made`);
      open = open.filter((c) => c !== id);
      answered.set(id, (answered.get(id) ?? 0) + 1);
      return;
    }
    if (open.length > 0) problems.push(`message ${i} (${m.role}) comes before the answers to ${open.join(', ')}`);
    open = m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => c.id) : [];
  });
  if (open.length > 0 && !pendingAllowed) problems.push(`calls ${open.join(', ')} never answered`);
  for (const [id, count] of answered) if (count !== 1) problems.push(`call ${id} answered ${count} times`);
  return problems;
}

describe('Concurrent fuzz: many sockets of one session (e2e)', () => {
  const app = useTestApp(() => ({ RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '1000000', MAX_SOCKETS_PER_USER: '1000' }));

  beforeAll(() => {
    console.log(`concurrent-fuzz seed=${SEED} (replay with CONCURRENT_FUZZ_SEED=${SEED})`);
  });

  it('keeps every socket open, every reply final once, the stream identical and the history well formed', async () => {
    for (let s = 0; s < SESSIONS; s++) {
      const id = `cfuzz-${SEED}-${s}`;
      const followers: Follower[] = [];
      for (let k = 0; k < SOCKETS_PER_SESSION; k++) {
        const socket = await app.open(`/api/v1/ws/${id}?protocol=2`);
        const follower = new Follower(socket);
        await pollUntil(() => follower.frames.length > 0, 5_000);
        expect(follower.frames[0]).toMatchObject({ type: 'status', last_seq: 0 });
        followers.push(follower);
      }
      const calls = new Set<string>();
      const sent: Sent = { total: 0, cancels: 0 };
      await Promise.all(
        followers.map(async (follower, k) => {
          const local = new Prng((SEED ^ ((s + 1) * 7919 + k * 104_729)) >>> 0);
          for (let i = 0; i < FRAMES_PER_SOCKET; i++) {
            for (const f of follower.sequenced()) if (f.type === 'tool_call') calls.add(String(f['call_id']));
            const frame = randomFrame(local, [...calls], `${s}-${k}-${i}`);
            const finalsBefore = follower.finals;
            follower.socket.send(frame);
            sent.total += 1;
            if (frame['type'] === 'cancel') sent.cancels += 1;
            // Sometimes fire the next frame at once (queueing, racing), sometimes react to what came back.
            if (local.chance(0.6)) await pollUntil(() => follower.finals > finalsBefore, 1_000);
            else await sleep(local.int(0, 10));
          }
        }),
      );

      // Every frame sent gets one final, except a cancel that stopped something (its effect is the
      // `cancelled` final of the replies it stopped); a cancel that found nothing gets its own error.
      const accounted = (): boolean => {
        const stream = followers[0]?.sequenced() ?? [];
        const streamFinals = stream.filter((f) => f['is_final'] === true).length;
        const own = followers.flatMap((f) => f.unsequenced().filter((x) => x['is_final'] === true));
        const idleCancels = own.filter((x) => x['content'] === 'Nothing is running to cancel').length;
        return streamFinals + own.length - idleCancels === sent.total - sent.cancels;
      };
      const settled = await pollUntil(() => {
        const last = followers.map((f) => f.lastSeq);
        return accounted() && last.every((seq) => seq === last[0]) && followers[0]?.sequenced().at(-1)?.['is_final'] === true;
      }, SETTLE_TIMEOUT_MS);
      await sleep(200);
      const streams = followers.map((f) => f.sequenced());
      const summary = {
        session: id,
        settled,
        accounted: accounted(),
        closed: followers.map((f) => f.socket.closeCode ?? null),
      };
      expect(summary).toEqual({ session: id, settled: true, accounted: true, closed: followers.map(() => null) });

      const first = streams[0] ?? [];
      expect(first.map((f) => f['seq'])).toEqual(first.map((_, i) => i + 1));
      for (const stream of streams) expect(stream).toEqual(first);
      // A reply's frames end with its final one: nothing non-final is left dangling at the end.
      expect(first.at(-1)?.['is_final']).toBe(true);
      for (const follower of followers) {
        const own = follower.unsequenced().slice(1);
        expect(own.every((f: Frame) => f.type === 'error' && f['is_final'] === true)).toBe(true);
      }

      expect({ session: id, forbidden: forbiddenCalls(first) }).toEqual({ session: id, forbidden: [] });

      const status = await app.open(`/api/v1/ws/${id}?protocol=2`);
      const state = await status.next();
      expect(state).toMatchObject({ type: 'status', last_seq: first.length });
      expect(['idle', 'awaiting_tool', 'awaiting_approval']).toContain(state['state']);
      const history = await http<{ messages: HistoryMessage[] }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`);
      expect(history.status).toBe(200);
      expect({ session: id, problems: historyProblems(history.body.messages, state['state'] !== 'idle') }).toEqual({ session: id, problems: [] });
      const callsAtEnd = history.body.messages.at(-1)?.tool_calls?.length ?? 0;
      expect(state['state'] === 'idle').toBe(callsAtEnd === 0);
    }
  });
});
