/**
 * `npm run bench [-- --quick]`: the benchmark of issue 5. Starts the built service and a bare `ws`
 * baseline as separate processes on 127.0.0.1, measures streaming, history growth, start-up, memory per
 * socket and REST at scale, prints a table, PASS/MISS per target and one final JSON line. Exits 0
 * whatever the figures are; non-zero only when the benchmark itself broke.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchOptions, BenchPlan, OptionsError, parseOptions, USAGE } from './options';
import {
  benchServiceEnv,
  ensureBuilt,
  freePort,
  HELPER_ENV,
  openFileLimit,
  ProcessSpec,
  ROOT,
  ServerProcess,
  stopAll,
  transpileHelper,
} from './processes';
import {
  BenchResults,
  evaluateTargets,
  HistoryComparison,
  MemoryComparison,
  renderTable,
  renderTargets,
  RestComparison,
  roundName,
  SERVER_LABELS,
  ServerName,
  ServerRound,
  SERVERS,
  StartupComparison,
  StreamingComparison,
  throughputOf,
} from './report';
import { getOnce, timeGets } from './rest';
import { measureRedisCost } from './redis-cost';
import { measureIndexCost, measureSearch, SearchFigures } from './search';
import { seedDatabase } from './seed';
import { median, percentiles, ratio, round, sleep } from './stats';
import { closeSockets, measureIdleSockets, openSocket, Protocol, runStreamRound, socketUrl, timeTurns } from './ws-load';

const SHORT_SESSION = 'bench-hist-short';
const LONG_SESSION = 'bench-hist-long';
const REST_SESSION = 'bench-rest-200';
/** Room left for the client's other descriptors when sizing the idle-socket test to `ulimit -n`. */
const FD_RESERVE = 256;

const benchStart = performance.now();

/** Progress lines carry the seconds since the start; the table and JSON are printed without. */
function log(line: string, elapsed = true): void {
  const stamp = elapsed ? `[${((performance.now() - benchStart) / 1000).toFixed(1).padStart(5)} s] ` : '';
  process.stdout.write(`${stamp}${line}\n`);
}

/** Starts processes of one run: the service on a given database file, or the bare baseline. */
class Launcher {
  private readonly hook: string;
  private readonly bare: string;
  private readonly withoutDb: string;
  private count = 0;

  constructor(
    private readonly dir: string,
    private readonly plan: BenchPlan,
    private readonly profileDir: string | undefined,
  ) {
    this.hook = transpileHelper('child-hook', dir);
    this.bare = transpileHelper('bare-ws-server', dir);
    this.withoutDb = transpileHelper('service-without-db', dir);
  }

  /** The built service; `storesInMemory` runs it with the turn path's stores in memory (no database). */
  async service(label: string, dbFile: string, storesInMemory = false): Promise<ServerProcess> {
    const n = ++this.count;
    const env: Record<string, string> = {
      ...(storesInMemory ? { ...HELPER_ENV, BENCH_DIST: join(ROOT, 'dist') } : {}),
      BENCH_MEMORY_FILE: join(this.dir, `memory-service-${n}.json`),
      DATABASE_URL: `sqlite:${dbFile}`,
      ...benchServiceEnv(this.plan.tokens),
    };
    if (this.profileDir) env.BENCH_CPU_PROFILE = join(this.profileDir, `${String(n).padStart(2, '0')}-${label}.cpuprofile`);
    return this.start({
      name: `service (${label})`,
      args: ['--expose-gc', '-r', this.hook, storesInMemory ? this.withoutDb : join('dist', 'main.js')],
      env,
      port: await freePort(),
      logFile: join(this.dir, `service-${n}-${label}.log`),
    });
  }

  /** The bare ws server; `durable` makes it store each turn's two messages in a sqlite3 file. */
  async baseline(label: string, durable = false): Promise<ServerProcess> {
    return this.start({
      name: `bare ws baseline (${label}${durable ? ', durable' : ''})`,
      args: ['--expose-gc', '-r', this.hook, this.bare],
      env: {
        ...HELPER_ENV,
        BARE_TOKENS: String(this.plan.tokens),
        BENCH_MEMORY_FILE: join(this.dir, `memory-baseline-${label}.json`),
        ...(durable ? { BARE_DB: join(this.dir, `bare-${label}.db`) } : {}),
      },
      port: await freePort(),
      logFile: join(this.dir, `baseline-${label}.log`),
    });
  }

  private async start(spec: ProcessSpec): Promise<ServerProcess> {
    const child = new ServerProcess(spec);
    await child.waitHealthy();
    return child;
  }
}

async function run(options: BenchOptions): Promise<void> {
  const plan = options.plan;
  const built = ensureBuilt();
  const buildSeconds = round((performance.now() - benchStart) / 1000, 1);
  const started = performance.now();
  const commit = gitCommit();
  const dir = mkdtempSync(join(tmpdir(), 'codelab-bench-'));
  const profileDir = options.profileDir ? resolve(options.profileDir) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const fdLimit = openFileLimit();
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    kernel: release(),
    openFileLimit: fdLimit,
    /** 1-minute load average before and after: other work on the machine skews every figure. */
    loadAverage: { start: round(loadavg()[0] ?? 0, 2), end: 0 },
  };
  log(`CodeLab Agent Service benchmark (${plan.mode}) — ${machine.cpus} CPUs (${machine.cpuModel}), ` +
    `${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${machine.node}, ulimit -n ${fdLimit}, load ${machine.loadAverage.start}`);
  log(`commit ${commit}; temporary directory ${dir}${options.keep ? ' (kept)' : ''}${built ? `; built dist/ first (${buildSeconds} s)` : ''}`);
  const launcher = new Launcher(dir, plan, profileDir);
  try {
    // Migrated empty database: start the service once on a new file, which runs the migrations.
    const emptyDb = join(dir, 'empty.db');
    await (await launcher.service('migrate', emptyDb)).stop();

    const startup = await measureStartup(launcher, plan, dir, emptyDb);
    const { history, rest, search } = await measureOnLargeDatabase(plan, startup.large, startup.figures);
    const memory = await measureMemory(launcher, plan, dir, emptyDb, fdLimit);
    const streaming = await measureStreaming(launcher, plan, dir, emptyDb, fdLimit);
    log(`search index cost on the turn path: ${plan.indexCostRounds} x ${plan.indexCostTurns} turns with and without the triggers…`);
    const indexCost = await measureIndexCost((label, db) => launcher.service(label, db), dir, emptyDb, plan.indexCostRounds, plan.indexCostTurns);
    log(`  CPU per turn ${indexCost.indexedCpuMsPerTurn} vs ${indexCost.unindexedCpuMsPerTurn} ms (ratio ${indexCost.ratio})`);

    const results: BenchResults = { streaming, history, startup: startup.figures, memory, rest, search, indexCost };
    const targets = evaluateTargets(results);
    const seconds = round((performance.now() - started) / 1000, 1);
    machine.loadAverage.end = round(loadavg()[0] ?? 0, 2);
    log('', false);
    log(renderTable(results, targets), false);
    log('', false);
    log(renderTargets(targets), false);
    log('', false);
    log(`${targets.filter((t) => t.pass).length}/${targets.length} targets met; benchmark took ${seconds} s` +
      `${built ? ` (+ ${buildSeconds} s build)` : ''}; ` +
      `load average ${machine.loadAverage.start} -> ${machine.loadAverage.end} on ${machine.cpus} CPUs` +
      (profileDir ? `; CPU profiles in ${profileDir}` : ''));
    log(JSON.stringify({ bench: 'codelab-agent-service', mode: plan.mode, date: new Date().toISOString(), commit, machine, seconds, ...results, targets }), false);
  } finally {
    await stopAll();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** `--redis`: only the cost of REDIS_URL on one instance (see redis-cost.ts). */
async function runRedisCost(options: BenchOptions): Promise<void> {
  const built = ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'codelab-bench-redis-'));
  const load = round(loadavg()[0] ?? 0, 2);
  const plan = { rounds: options.plan.mode === 'quick' ? 4 : 8, sockets: 100, turnsPerSocket: 3, tokens: options.plan.tokens };
  log(`REDIS_URL cost on one instance — commit ${gitCommit()}${built ? ' (built dist/ first)' : ''}, ${cpus().length} CPUs, load ${load}`);
  log(`${plan.rounds} rounds x ${plan.sockets} protocol-2 sockets x ${plan.turnsPerSocket} turns x ${plan.tokens} tokens on each service…`);
  try {
    const figures = await measureRedisCost(plan, dir, log);
    const end = round(loadavg()[0] ?? 0, 2);
    log('', false);
    log(`| PostgreSQL, ${figures.turns} turns each | CPU ms / turn | turns/s |`, false);
    log('|---|---|---|', false);
    log(`| without REDIS_URL | ${figures.withoutRedisCpuMsPerTurn} | ${figures.withoutRedisTurnsPerSec} |`, false);
    log(`| with REDIS_URL | ${figures.withRedisCpuMsPerTurn} | ${figures.withRedisTurnsPerSec} |`, false);
    log('', false);
    log(`CPU per turn with / without REDIS_URL: ${figures.ratio} (target <= 1.5: ${figures.ratio <= 1.5 ? 'PASS' : 'MISS'}); load ${load} -> ${end}`, false);
    log(JSON.stringify({ bench: 'codelab-agent-service-redis-cost', date: new Date().toISOString(), commit: gitCommit(), load: { start: load, end }, plan, ...figures }), false);
  } finally {
    await stopAll();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** The commit under test, with `+dirty` when src/ has uncommitted changes. */
function gitCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? '+dirty' : ''}`;
}

/** Start-up to healthy: the migrated empty database vs a seeded large one, alternating. The last large one keeps running. */
async function measureStartup(
  launcher: Launcher,
  plan: BenchPlan,
  dir: string,
  emptyDb: string,
): Promise<{ figures: StartupComparison; large: ServerProcess }> {
  const largeDb = join(dir, 'large.db');
  copyFileSync(emptyDb, largeDb);
  const messages = plan.bulkSessions * plan.messagesPerBulkSession;
  log(`seeding ${plan.bulkSessions.toLocaleString('en-US')} sessions / ${messages.toLocaleString('en-US')} messages…`);
  const seed = await seedDatabase(largeDb, {
    bulkSessions: plan.bulkSessions,
    messagesPerBulkSession: plan.messagesPerBulkSession,
    extra: [
      { id: SHORT_SESSION, messages: plan.historyShort },
      { id: LONG_SESSION, messages: plan.historyLong },
      { id: REST_SESSION, messages: plan.restHistoryMessages },
    ],
  });
  log(`  seeded in ${seed.seconds.toFixed(1)} s`);
  log('start-up: empty vs large database…');
  const emptyRuns: number[] = [];
  const largeRuns: number[] = [];
  let large: ServerProcess | undefined;
  for (let i = 0; i < plan.startupRepeats; i++) {
    const empty = await launcher.service('startup-empty', emptyDb);
    emptyRuns.push(await empty.waitHealthy()); // already healthy: returns the time measured at launch
    await empty.stop();
    await large?.stop();
    large = await launcher.service('startup-large', largeDb);
    largeRuns.push(await large.waitHealthy());
  }
  if (!large) throw new Error('no start-up run');
  const emptyMedianMs = round(median(emptyRuns), 1);
  const largeMedianMs = round(median(largeRuns), 1);
  log(`  empty ${emptyMedianMs} ms, large ${largeMedianMs} ms (medians)`);
  return {
    large,
    figures: {
      sessions: seed.sessions,
      messages: seed.messages,
      seed: { ...seed, seconds: round(seed.seconds, 2) },
      emptyRunsMs: emptyRuns.map((v) => round(v, 1)),
      largeRunsMs: largeRuns.map((v) => round(v, 1)),
      emptyMedianMs,
      largeMedianMs,
      ratio: ratio(largeMedianMs, emptyMedianMs),
    },
  };
}

/** REST latency and turn latency vs history length, on the running service with the large database. */
async function measureOnLargeDatabase(
  plan: BenchPlan,
  service: ServerProcess,
  startup: StartupComparison,
): Promise<{ history: HistoryComparison; rest: RestComparison; search: SearchFigures }> {
  const port = service.spec.port;
  log('REST on the large database…');
  const check = JSON.parse(await getOnce(false, port, `/api/v1/sessions/${REST_SESSION}/history`)) as { message_count?: number };
  if (check.message_count !== plan.restHistoryMessages) {
    throw new Error(`seeded session has ${String(check.message_count)} messages, expected ${plan.restHistoryMessages}`);
  }
  const cpu = (): number => service.cpuSeconds();
  const list = await timeGets(port, '/api/v1/sessions?limit=100', plan.restRequests, cpu);
  const historyGets = await timeGets(port, `/api/v1/sessions/${REST_SESSION}/history`, plan.restRequests, cpu);
  log(`  list p99 ${list.latencyMs.p99} ms, history p99 ${historyGets.latencyMs.p99} ms`);
  log(`search: ${plan.searchRequests} queries on ${startup.messages.toLocaleString('en-US')} messages…`);
  const search = await measureSearch(service, plan.bulkSessions, startup.messages, plan.searchRequests);
  log(`  p50 ${search.latencyMs.p50} ms, p99 ${search.latencyMs.p99} ms`);

  log(`turn latency at ${plan.historyShort} vs ${plan.historyLong.toLocaleString('en-US')} messages…`);
  const short = await openSocket(socketUrl(port, SHORT_SESSION));
  const long = await openSocket(socketUrl(port, LONG_SESSION));
  const shortTimes: number[] = [];
  const longTimes: number[] = [];
  try {
    await timeTurns(short, plan.historyWarmup, 'warm-up short');
    await timeTurns(long, plan.historyWarmup, 'warm-up long');
    // Alternate so that drift (JIT, page cache, write-behind flushes) hits both alike.
    for (let i = 0; i < plan.historyTurns; i++) {
      shortTimes.push(...(await timeTurns(short, 1, 'short history')));
      longTimes.push(...(await timeTurns(long, 1, 'long history')));
    }
  } finally {
    await closeSockets([short, long]);
    await service.stop();
  }
  const shortTurnMs = percentiles(shortTimes);
  const longTurnMs = percentiles(longTimes);
  log(`  p50 ${shortTurnMs.p50} ms vs ${longTurnMs.p50} ms`);
  return {
    history: {
      shortMessages: plan.historyShort,
      longMessages: plan.historyLong,
      shortTurnMs,
      longTurnMs,
      ratio: ratio(longTurnMs.p50, shortTurnMs.p50),
    },
    rest: { databaseSessions: startup.sessions, list, history: historyGets },
    search,
  };
}

/** RSS growth per idle protocol-2 socket, ours vs the baseline, each in a fresh process. */
async function measureMemory(
  launcher: Launcher,
  plan: BenchPlan,
  dir: string,
  emptyDb: string,
  fdLimit: number,
): Promise<MemoryComparison> {
  const count = Math.max(100, Math.min(plan.idleSockets, fdLimit - FD_RESERVE));
  if (count < plan.idleSockets) {
    log(`ulimit -n is ${fdLimit}: the idle-socket test opens ${count} sockets instead of ${plan.idleSockets} (raise it with ulimit -n)`);
  }
  log(`memory: ${count.toLocaleString('en-US')} idle sockets…`);
  const settleMs = plan.memorySettleMs;
  const bare = await launcher.baseline('memory');
  const baseline = await measureIdleSockets(bare, bare.spec.port, count, 'bench-idle', settleMs);
  await bare.stop();
  const db = join(dir, 'memory.db');
  copyFileSync(emptyDb, db);
  const service = await launcher.service('memory', db);
  const ours = await measureIdleSockets(service, service.spec.port, count, 'bench-idle', settleMs);
  await service.stop();
  log(`  ${ours.bytesPerSocket} vs ${baseline.bytesPerSocket} bytes per socket (V8 heap: ${String(ours.heapBytesPerSocket)} vs ${String(baseline.heapBytesPerSocket)})`);
  return { ours, baseline, ratio: ratio(ours.bytesPerSocket, baseline.bytesPerSocket), requestedSockets: plan.idleSockets, openFileLimit: fdLimit };
}

/**
 * Streaming rounds on four fresh processes: the bare baseline without and with durable storage, our
 * service with its stores in memory, and our service. Protocol-2 rounds stream every token; compat
 * rounds answer with the final frame only.
 */
async function measureStreaming(
  launcher: Launcher,
  plan: BenchPlan,
  dir: string,
  emptyDb: string,
  fdLimit: number,
): Promise<StreamingComparison[]> {
  const db = join(dir, 'stream.db');
  const noDb = join(dir, 'stream-no-db.db');
  copyFileSync(emptyDb, db);
  copyFileSync(emptyDb, noDb);
  const servers: Record<ServerName, ServerProcess> = {
    bare: await launcher.baseline('stream'),
    bareDurable: await launcher.baseline('stream-durable', true),
    oursNoDb: await launcher.service('stream-no-db', noDb, true),
    ours: await launcher.service('stream', db),
  };
  const rounds: { protocol: Protocol; sockets: number }[] = [
    ...plan.compatSockets.map((sockets) => ({ protocol: 1 as const, sockets })),
    ...plan.streamSockets.map((sockets) => ({ protocol: 2 as const, sockets })),
  ];
  const results: StreamingComparison[] = [];
  try {
    // Not measured: lets every process JIT-compile its hot paths before the first round.
    for (const who of SERVERS) {
      for (const protocol of [1, 2] as const) {
        await runStreamRound({ port: servers[who].spec.port, protocol, sockets: 50, turns: 2, tokens: plan.tokens, sessionPrefix: `bench-warmup-${protocol}`, timeoutMs: 60_000 });
      }
    }
    for (const planned of rounds) {
      const sockets = Math.max(10, Math.min(planned.sockets, fdLimit - FD_RESERVE));
      if (sockets < planned.sockets) {
        log(`ulimit -n is ${fdLimit}: this round opens ${sockets} sockets instead of ${planned.sockets} (raise it with ulimit -n)`);
      }
      const name = roundName({ protocol: planned.protocol, sockets });
      log(`${name} x ${plan.turnsPerSocket} turns${planned.protocol === 2 ? ` x ${plan.tokens} tokens` : ''}…`);
      const measure = async (who: ServerName): Promise<ServerRound> => {
        const server = servers[who];
        const cpuBefore = server.cpuSeconds();
        const figures = await runStreamRound({
          port: server.spec.port,
          protocol: planned.protocol,
          sockets,
          turns: plan.turnsPerSocket,
          tokens: plan.tokens,
          sessionPrefix: `bench-p${planned.protocol}-${sockets}-${who}`,
          timeoutMs: 180_000,
        });
        // Includes the connect and close handshakes of the round's sockets, in every process alike.
        const cpuMsPerTurn = round(((server.cpuSeconds() - cpuBefore) * 1000) / (sockets * plan.turnsPerSocket));
        await sleep(500);
        return { figures, cpuMsPerTurn };
      };
      const measured = {} as Record<ServerName, ServerRound>;
      for (const who of SERVERS) measured[who] = await measure(who);
      const s = { protocol: planned.protocol, sockets };
      const vs = (base: ServerRound) => ({
        throughputRatio: ratio(throughputOf(s, measured.ours.figures), throughputOf(s, base.figures)),
        firstFrameP99Ratio: ratio(measured.ours.figures.firstFrameMs.p99, base.figures.firstFrameMs.p99),
        cpuRatio: ratio(measured.ours.cpuMsPerTurn, base.cpuMsPerTurn),
      });
      const comparison: StreamingComparison = {
        ...s,
        requestedSockets: planned.sockets,
        servers: measured,
        ...vs(measured.bareDurable),
        vsBare: vs(measured.bare),
      };
      for (const who of SERVERS) {
        const x = measured[who];
        log(`  ${SERVER_LABELS[who].padEnd(28)} ${String(throughputOf(s, x.figures)).padStart(7)} ${planned.protocol === 2 ? 'frames/s' : 'turns/s'}; ` +
          `first frame p99 ${x.figures.firstFrameMs.p99} ms; CPU per turn ${x.cpuMsPerTurn} ms`);
      }
      results.push(comparison);
    }
  } finally {
    await Promise.all(SERVERS.map((who) => servers[who].stop()));
  }
  return results;
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    log(USAGE, false);
    return;
  }
  const interrupt = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\n${signal}: stopping the child processes\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await (options.redis ? runRedisCost(options) : run(options));
  } catch (error) {
    process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await stopAll();
    process.exit(1);
  }
}

void main();
