import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng, seedFrom } from '../utils/prng';
import { freePort, ServiceProcess, sleep } from '../utils/service-process';
import { pollUntil } from '../utils/wait-until';
import { Frame, TestSocket } from '../utils/ws-client';
import { Follower } from '../utils/ws-follower';

/**
 * Resume after a crash (issue 9): protocol-2 clients stream turns, the service is killed with SIGKILL
 * (the last ~50 ms of frames may not have reached the event log), restarted on the same SQLite file, and
 * every client reconnects with the `last_seq` it had seen, which may be ahead of the service. Each must
 * get `status` with the service's real `last_seq`, exactly the stored frames after its own point, and
 * then every frame of the next turn, gap-free and identical on every socket of the session.
 * Replay a run with CRASH_RESUME_SEED=<printed seed>.
 */

const SEED = seedFrom('CRASH_RESUME_SEED');
const SESSIONS = 4;
const SOCKETS_PER_SESSION = 2;
const MIN_TURNS_BEFORE_KILL = 12;
const START_TIMEOUT_MS = 45_000;
const REPLY_TIMEOUT_MS = 20_000;
const ENV = { ECHO_TOKENS: '24', RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '1000000', MAX_SOCKETS_PER_USER: '1000' };

describe('Resume after SIGKILL under protocol-2 load (e2e)', () => {
  const rng = new Prng(SEED);
  const workDir = mkdtempSync(join(tmpdir(), 'codelab-crash-resume-'));
  const dbPath = join(workDir, 'resume.db');
  const services: ServiceProcess[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(() => {
    console.log(`crash-resume seed=${SEED} (replay with CRASH_RESUME_SEED=${SEED})`);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await Promise.all(services.map((s) => s.kill()));
    rmSync(workDir, { recursive: true, force: true });
  });

  async function start(): Promise<ServiceProcess> {
    const service = ServiceProcess.start(dbPath, await freePort(), ENV);
    services.push(service);
    await service.waitHealthy(START_TIMEOUT_MS);
    return service;
  }

  async function follow(service: ServiceProcess, id: string, lastSeq?: number): Promise<{ follower: Follower; status: Frame }> {
    const query = lastSeq === undefined ? '' : `&last_seq=${lastSeq}`;
    const socket = await TestSocket.open(`${service.wsUrl}/api/v1/ws/${id}?protocol=2${query}`);
    sockets.push(socket);
    const status = await socket.next(REPLY_TIMEOUT_MS);
    expect(status).toMatchObject({ type: 'status' });
    return { follower: new Follower(socket), status };
  }

  /** Sends user messages on the first socket of a session, one after the other, until the service dies. */
  async function drive(service: ServiceProcess, followers: Follower[], id: string, load: { answered: number }): Promise<void> {
    const [driver] = followers;
    if (!driver) return;
    for (let n = 0; service.running; n++) {
      const before = driver.finals;
      driver.socket.send({ type: 'user_message', content: `${id} turn ${n} ${'word '.repeat(rng.int(0, 6))}`, agent_type: 'ask' });
      const answered = await pollUntil(() => driver.finals > before || !service.running, REPLY_TIMEOUT_MS);
      if (!answered || !service.running) return;
      load.answered += 1;
    }
  }

  it(
    'clients resume with their own last_seq: status tells the real one, nothing is missing after it',
    async () => {
      const ids = Array.from({ length: SESSIONS }, (_, i) => `resume-${i}`);
      const first = await start();
      const before = new Map<string, Follower[]>();
      for (const id of ids) {
        const followers: Follower[] = [];
        for (let i = 0; i < SOCKETS_PER_SESSION; i++) followers.push((await follow(first, id)).follower);
        before.set(id, followers);
      }
      const load = { answered: 0 };
      const drivers = ids.map((id) => drive(first, before.get(id) ?? [], id, load));
      expect(await pollUntil(() => load.answered >= MIN_TURNS_BEFORE_KILL, 60_000)).toBe(true);
      await sleep(rng.int(0, 300));
      await first.kill();
      await Promise.all(drivers);
      await Promise.all([...before.values()].flat().map((f) => f.done));

      const second = await start();
      let ahead = 0;
      for (const id of ids) {
        const old = before.get(id) ?? [];
        const resumed: { follower: Follower; from: number }[] = [];
        let serviceLast: number | undefined;
        for (const previous of [...old, undefined]) {
          // Each old socket comes back with what it had seen; one more claims to be far ahead.
          const own = previous ? previous.lastSeq : (old[0]?.lastSeq ?? 0) + 1_000;
          const { follower, status } = await follow(second, id, own);
          const real = status['last_seq'] as number;
          serviceLast ??= real;
          expect({ id, last_seq: real }).toEqual({ id, last_seq: serviceLast });
          if (own > real) ahead += 1;
          resumed.push({ follower, from: Math.min(own, real) });
        }
        const last = serviceLast ?? 0;
        // A fresh reader replays the whole stored log: every frame a client saw below the service's
        // last_seq is exactly what was stored.
        const { follower: reader } = await follow(second, id, 0);
        expect(await pollUntil(() => reader.lastSeq >= last, REPLY_TIMEOUT_MS)).toBe(true);
        const stored = new Map(reader.sequenced().map((f) => [f['seq'] as number, f]));
        expect([...stored.keys()]).toEqual(Array.from({ length: last }, (_, i) => i + 1));
        for (const previous of old) {
          for (const frame of previous.sequenced()) {
            if ((frame['seq'] as number) <= last) expect(frame).toEqual(stored.get(frame['seq'] as number));
          }
        }

        const driver = resumed[0]?.follower;
        if (!driver) throw new Error('no socket resumed');
        driver.socket.send({ type: 'user_message', content: `${id} after the crash`, agent_type: 'ask' });
        for (const { follower, from } of resumed) {
          expect(await pollUntil(() => follower.finals > 0 && follower.sequenced().at(-1)?.['is_final'] === true && follower.lastSeq > last, REPLY_TIMEOUT_MS)).toBe(true);
          const seqs = follower.sequenced().map((f) => f['seq'] as number);
          expect({ id, seqs }).toEqual({ id, seqs: Array.from({ length: seqs.length }, (_, i) => from + 1 + i) });
        }
        const tails = resumed.map(({ follower }) => follower.sequenced().filter((f) => (f['seq'] as number) > last));
        for (const tail of tails) expect(tail).toEqual(tails[0]);
        expect(tails[0]?.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
        expect(String(tails[0]?.at(-1)?.['content'])).toContain('after the crash');
      }
      console.log(`crash-resume: killed after ${load.answered} turns; ${ahead} of ${ids.length * (SOCKETS_PER_SESSION + 1)} sockets resumed ahead of the service`);
      expect(ahead).toBeGreaterThanOrEqual(ids.length);
      await second.kill();
    },
    180_000,
  );
});
