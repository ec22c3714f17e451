import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { http } from '../utils/http';
import { Prng, seedFrom } from '../utils/prng';
import { freePort, ServiceProcess, sleep } from '../utils/service-process';
import { pollUntil } from '../utils/wait-until';
import { Frame, TestSocket } from '../utils/ws-client';

/**
 * Crash safety (issue 6): the real service runs as a child process on a SQLite file, 20 sockets drive
 * chat turns, and the process is killed with SIGKILL at a random moment, several times, on the same
 * file. After every kill the file (as left on disk) must pass `PRAGMA integrity_check`, and after every
 * restart every turn whose final frame reached a client must be in the history, with no half-written
 * turn showing as complete. Replay a run with CRASH_SEED=<printed seed>.
 */

const SEED = seedFrom('CRASH_SEED');
const KILLS = 4;
const SOCKETS = 20;
/** Of the sockets, this many connect on a temporary `new_…` id: a fresh session per cycle. */
const TEMPORARY_SOCKETS = 4;
/** The kill comes after at least this many answered turns in the cycle, then after a random delay. */
const MIN_TURNS_BEFORE_KILL = 20;
const KILL_DELAY_MS = { min: 0, max: 1500 } as const;
const MAX_TURNS_PER_SOCKET = 5_000;
const START_TIMEOUT_MS = 45_000;
/** The load is a flood by design: rate limits and socket caps have their own tests. */
const FLOOD_LIMITS = {
  RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '1000000',
  RATE_LIMIT_REST_PER_MINUTE: '1000000',
  MAX_SOCKETS_PER_USER: '1000',
};
const REPLY_TIMEOUT_MS = 20_000;

interface Turn {
  readonly user: string;
  readonly answer: string;
}

/** What the clients know about one session: every user message sent to it, and the turns that got their final frame. */
interface SessionRecord {
  readonly sent: string[];
  readonly answered: Turn[];
}

interface StoredMessage {
  readonly role: string;
  readonly content: string | null;
}

interface DiskSession {
  readonly messageCount: number;
  readonly seqs: number[];
  readonly messages: StoredMessage[];
}

interface DiskState {
  readonly integrity: string[];
  readonly foreignKeyProblems: number;
  readonly sessions: Map<string, DiskSession>;
}

interface HistoryBody {
  readonly session_id: string;
  readonly messages: { role: string; content: string | null }[];
  readonly message_count: number;
}

function query<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise<T[]>((done, fail) => db.all<T>(sql, (err, rows) => (err ? fail(err) : done(rows))));
}

/**
 * Reads the database as the kill left it on disk: the main file and its WAL are copied (the copy is
 * opened, so SQLite recovers the WAL there and the service still recovers the original by itself).
 */
async function readDisk(dbPath: string, scratchDir: string): Promise<DiskState> {
  rmSync(scratchDir, { recursive: true, force: true });
  mkdirSync(scratchDir, { recursive: true });
  const copy = join(scratchDir, 'copy.db');
  copyFileSync(dbPath, copy);
  if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${copy}-wal`);
  const db = await new Promise<sqlite3.Database>((done, fail) => {
    const opened: sqlite3.Database = new sqlite3.Database(copy, sqlite3.OPEN_READWRITE, (err) => (err ? fail(err) : done(opened)));
  });
  try {
    const integrity = await query<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
    const foreignKeys = await query<Record<string, unknown>>(db, 'PRAGMA foreign_key_check');
    const sessionRows = await query<{ id: string; message_count: number }>(db, 'SELECT id, message_count FROM sessions');
    const messageRows = await query<{ session_id: string; seq: number; role: string; content: string | null }>(
      db,
      'SELECT session_id, seq, role, content FROM messages ORDER BY session_id, seq',
    );
    const sessions = new Map<string, DiskSession>();
    for (const row of sessionRows) sessions.set(row.id, { messageCount: row.message_count, seqs: [], messages: [] });
    for (const row of messageRows) {
      const session = sessions.get(row.session_id);
      if (!session) continue; // reported by foreign_key_check
      session.seqs.push(row.seq);
      session.messages.push({ role: row.role, content: row.content });
    }
    return { integrity: integrity.map((r) => r.integrity_check), foreignKeyProblems: foreignKeys.length, sessions };
  } finally {
    await new Promise<void>((done) => db.close(() => done()));
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

/**
 * Problems in one session's messages: only complete turns may show as complete. Every assistant
 * message directly follows the user message it answers and is the whole answer (the echo model
 * answers `You said: <text>`), every user message was really sent (in order), and every turn whose
 * final frame a client received is there, with the answer the client got, in order.
 */
function conversationProblems(
  sessionId: string,
  messages: readonly StoredMessage[],
  record: SessionRecord | undefined,
  everythingSent: ReadonlySet<string>,
): string[] {
  const problems: string[] = [];
  const where = (i: number): string => `${sessionId} message ${i}`;
  messages.forEach((m, i) => {
    const previous = messages[i - 1];
    if (m.role === 'user') {
      if (m.content === null || !(record ? record.sent.includes(m.content) : everythingSent.has(m.content))) {
        problems.push(`${where(i)}: a user message nobody sent: ${JSON.stringify(m.content)}`);
      }
    } else if (m.role === 'assistant') {
      if (previous?.role !== 'user') {
        problems.push(`${where(i)}: an assistant message that does not directly follow a user message`);
      } else if (m.content !== `You said: ${previous.content ?? ''}`) {
        problems.push(`${where(i)}: an incomplete or foreign answer ${JSON.stringify(m.content)} to ${JSON.stringify(previous.content)}`);
      }
    } else {
      problems.push(`${where(i)}: unexpected role ${m.role}`);
    }
  });
  if (!record) return problems;

  const users = messages.flatMap((m) => (m.role === 'user' && m.content !== null ? [m.content] : []));
  let cursor = 0;
  for (const content of users) {
    const at = record.sent.indexOf(content, cursor);
    if (at < 0) {
      problems.push(`${sessionId}: user message ${JSON.stringify(content)} is out of the order it was sent in`);
      break;
    }
    cursor = at + 1;
  }
  let lastIndex = -1;
  for (const turn of record.answered) {
    const index = messages.findIndex((m) => m.role === 'user' && m.content === turn.user);
    if (index < 0) {
      problems.push(`${sessionId}: the answered turn ${JSON.stringify(turn.user)} is missing`);
      continue;
    }
    const answer = messages[index + 1];
    if (answer?.role !== 'assistant' || answer.content !== turn.answer) {
      problems.push(`${sessionId}: the answered turn ${JSON.stringify(turn.user)} lost its answer ${JSON.stringify(turn.answer)}`);
    }
    if (index < lastIndex) problems.push(`${sessionId}: the answered turn ${JSON.stringify(turn.user)} is out of order`);
    lastIndex = index;
  }
  return problems;
}

/** A socket slot: the same named sessions in every cycle, temporary ids get a new session each cycle. */
interface Slot {
  readonly path: '/ws' | '/api/v1/ws';
  readonly id: string;
  readonly temporary: boolean;
}

interface CycleLoad {
  answered: number;
  inFlight: number;
  readonly unexpected: string[];
}

describe('Crash safety (e2e, SIGKILL under load)', () => {
  // Separate streams: the kill delays replay exactly; message texts depend on timing anyway.
  const killRng = new Prng(SEED);
  const textRng = new Prng(SEED ^ 0x9e3779b9);
  const workDir = mkdtempSync(join(tmpdir(), 'codelab-crash-'));
  const dbPath = join(workDir, 'crash.db');
  const records = new Map<string, SessionRecord>();
  const everythingSent = new Set<string>();
  const services: ServiceProcess[] = [];
  const sockets: TestSocket[] = [];

  beforeAll(() => {
    console.log(`crash-safety seed=${SEED} (replay with CRASH_SEED=${SEED})`);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await Promise.all(services.map((s) => s.kill()));
    rmSync(workDir, { recursive: true, force: true });
  });

  function recordFor(sessionId: string): SessionRecord {
    let record = records.get(sessionId);
    if (!record) {
      record = { sent: [], answered: [] };
      records.set(sessionId, record);
    }
    return record;
  }

  async function startService(): Promise<ServiceProcess> {
    const service = ServiceProcess.start(dbPath, await freePort(), FLOOD_LIMITS);
    services.push(service);
    await service.waitHealthy(START_TIMEOUT_MS);
    return service;
  }

  /** One socket sending chat turns one after the other until the service dies. */
  async function drive(service: ServiceProcess, socket: TestSocket, slot: Slot, cycle: number, load: CycleLoad): Promise<void> {
    let sessionId = slot.temporary ? undefined : slot.id;
    const unbound: string[] = [];
    for (let n = 0; n < MAX_TURNS_PER_SOCKET && service.running; n++) {
      const content = `${slot.id} cycle ${cycle} turn ${n}: ${textRng.pick(['please fix', 'explain', 'design', 'hello'])} ${'word '.repeat(textRng.int(0, 12))}end`;
      everythingSent.add(content);
      if (sessionId) recordFor(sessionId).sent.push(content);
      else unbound.push(content);
      let reply: Frame[];
      load.inFlight += 1;
      try {
        reply = await socket.request({ type: 'user_message', content }, REPLY_TIMEOUT_MS);
      } catch (error) {
        if (socket.closeCode === undefined && service.running) load.unexpected.push(`${slot.id}: ${(error as Error).message}`);
        return;
      } finally {
        load.inFlight -= 1;
      }
      const first = reply[0];
      if (!sessionId && first?.type === 'session_info' && typeof first['session_id'] === 'string') {
        sessionId = first['session_id'];
        recordFor(sessionId).sent.push(...unbound.splice(0));
      }
      const final = reply[reply.length - 1];
      if (sessionId && final?.type === 'assistant_message' && typeof final['content'] === 'string') {
        recordFor(sessionId).answered.push({ user: content, answer: final['content'] });
        load.answered += 1;
      } else {
        load.unexpected.push(`${slot.id}: reply ${JSON.stringify(reply)}`);
      }
    }
  }

  function checkDisk(disk: DiskState, label: string): void {
    expect({ label, integrity: disk.integrity, foreignKeyProblems: disk.foreignKeyProblems }).toEqual({
      label,
      integrity: ['ok'],
      foreignKeyProblems: 0,
    });
    const problems: string[] = [];
    for (const [id, session] of disk.sessions) {
      const contiguous = session.seqs.every((seq, i) => seq === i);
      if (!contiguous || session.messageCount !== session.seqs.length) {
        problems.push(`${id}: message_count ${session.messageCount}, seqs ${JSON.stringify(session.seqs)}`);
      }
      problems.push(...conversationProblems(id, session.messages, records.get(id), everythingSent));
    }
    for (const [id, record] of records) {
      if (record.answered.length > 0 && !disk.sessions.has(id)) problems.push(`${id}: answered turns, but no session on disk`);
    }
    expect({ label, problems }).toEqual({ label, problems: [] });
  }

  /** What the restarted service serves is exactly what was on disk, and it is consistent. */
  async function checkService(service: ServiceProcess, disk: DiskState, label: string): Promise<void> {
    const problems: string[] = [];
    const ids = new Set([...disk.sessions.keys(), ...records.keys()]);
    for (const id of ids) {
      const history = await http<HistoryBody>(service.baseUrl, 'GET', `/api/v1/sessions/${encodeURIComponent(id)}/history`);
      const onDisk = disk.sessions.get(id);
      if (!onDisk) {
        if (history.status !== 404) problems.push(`${id}: history answered ${history.status}, but the session is not on disk`);
        continue;
      }
      if (history.status !== 200) {
        problems.push(`${id}: history answered ${history.status}`);
        continue;
      }
      const messages = history.body.messages.map((m) => ({ role: m.role, content: m.content }));
      if (JSON.stringify(messages) !== JSON.stringify(onDisk.messages)) {
        problems.push(`${id}: the service shows ${messages.length} messages, the disk had ${onDisk.messages.length}`);
      }
      if (history.body.message_count !== messages.length) {
        problems.push(`${id}: history message_count ${history.body.message_count} != ${messages.length} messages`);
      }
      const session = await http<{ message_count: number }>(service.baseUrl, 'GET', `/api/v1/sessions/${encodeURIComponent(id)}`);
      if (session.status !== 200 || session.body.message_count !== messages.length) {
        problems.push(`${id}: GET session answered ${session.status} with message_count ${session.body.message_count}, history has ${messages.length}`);
      }
      problems.push(...conversationProblems(id, messages, records.get(id), everythingSent));
    }
    expect({ label, problems }).toEqual({ label, problems: [] });
  }

  it(
    'keeps every answered turn and an intact database across repeated kill -9 under load',
    async () => {
      const slots: Slot[] = Array.from({ length: SOCKETS }, (_, i) => ({
        path: i % 2 === 0 ? '/ws' : '/api/v1/ws',
        id: i < TEMPORARY_SOCKETS ? `new_crash${i}` : `crash-${i}`,
        temporary: i < TEMPORARY_SOCKETS,
      }));
      let disk: DiskState | undefined;

      for (let cycle = 1; cycle <= KILLS; cycle++) {
        const startedAt = Date.now();
        const service = await startService();
        const startMs = Date.now() - startedAt;
        if (disk) await checkService(service, disk, `after restart ${cycle - 1}`);

        // Every socket is open before the load starts, so the kill finds them all busy.
        const cycleSlots = slots.map((slot) => ({ ...slot, id: slot.temporary ? `${slot.id}_${cycle}` : slot.id }));
        const opened = await Promise.all(cycleSlots.map((slot) => TestSocket.open(`${service.wsUrl}${slot.path}/${slot.id}`)));
        sockets.push(...opened);
        const load: CycleLoad = { answered: 0, inFlight: 0, unexpected: [] };
        const workers = cycleSlots.map((slot, i) => drive(service, opened[i] as TestSocket, slot, cycle, load));
        const loaded = await pollUntil(() => load.answered >= MIN_TURNS_BEFORE_KILL || !service.running, 30_000);
        const delay = killRng.int(KILL_DELAY_MS.min, KILL_DELAY_MS.max);
        await sleep(delay);
        const inFlightAtKill = load.inFlight;
        await service.kill();
        await Promise.all(workers);
        sockets.splice(0);
        console.log(
          `cycle ${cycle}: started in ${startMs} ms, killed after ${load.answered} answered turns ` +
            `(+${delay} ms), ${inFlightAtKill} requests in flight`,
        );

        const healthy = loaded && load.unexpected.length === 0;
        expect({
          cycle,
          loaded,
          unexpected: load.unexpected.slice(0, 5),
          serviceLog: healthy ? '' : service.log.slice(-4_000),
        }).toEqual({ cycle, loaded: true, unexpected: [], serviceLog: '' });
        expect(inFlightAtKill).toBeGreaterThan(0);

        disk = await readDisk(dbPath, join(workDir, 'scratch'));
        checkDisk(disk, `after kill ${cycle}`);
      }

      const service = await startService();
      if (!disk) throw new Error('no cycle ran');
      await checkService(service, disk, `after restart ${KILLS}`);
      const answered = [...records.values()].reduce((sum, r) => sum + r.answered.length, 0);
      expect(answered).toBeGreaterThanOrEqual(KILLS * MIN_TURNS_BEFORE_KILL);
      await service.kill();
    },
    240_000,
  );
});
