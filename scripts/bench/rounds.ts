/**
 * `npm run bench:rounds -- [options]`: the streaming rounds of the benchmark alone, repeated, for working
 * on the turn path. Starts the chosen servers once, warms each up, then runs `--reps` rounds per protocol
 * and server and prints the median CPU per turn (with every round's figure: the spread is the noise),
 * throughput and first-frame p99. Several seconds per configuration instead of the whole benchmark's
 * minutes; `--profile DIR` writes each service's CPU profile (scripts/bench/profile-summary.ts reads it).
 * Figures for BENCHMARKS.md still come from `npm run bench`.
 *
 *   npm run bench:rounds -- --servers ours,durable --protocols 1,2 --turns 6 --reps 7
 *   npm run bench:rounds -- --servers ours --turns 1   # vs --turns 6: what a socket's lifecycle costs
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchServiceEnv, ensureBuilt, freePort, HELPER_ENV, ROOT, ServerProcess, stopAll, transpileHelper } from './processes';
import { median, round, sleep } from './stats';
import { Protocol, runStreamRound } from './ws-load';

const SERVERS = ['ours', 'in-memory', 'durable', 'bare'] as const;
type Server = (typeof SERVERS)[number];

interface RoundsOptions {
  readonly servers: readonly Server[];
  readonly protocols: readonly Protocol[];
  readonly sockets: number;
  readonly turns: number;
  readonly tokens: number;
  readonly reps: number;
  readonly profileDir: string | undefined;
}

function parse(argv: readonly string[]): RoundsOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      servers: { type: 'string', default: 'ours,durable' },
      protocols: { type: 'string', default: '1,2' },
      sockets: { type: 'string', default: '100' },
      turns: { type: 'string', default: '3' },
      tokens: { type: 'string', default: '50' },
      reps: { type: 'string', default: '5' },
      profile: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const count = (name: string, text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${text}"`);
    return n;
  };
  const servers = values.servers.split(',').map((s) => {
    if (!(SERVERS as readonly string[]).includes(s)) throw new Error(`--servers: unknown server "${s}" (${SERVERS.join(', ')})`);
    return s as Server;
  });
  const protocols = values.protocols.split(',').map((p) => {
    if (p !== '1' && p !== '2') throw new Error(`--protocols: 1 (compat) or 2, got "${p}"`);
    return Number(p) as Protocol;
  });
  return {
    servers,
    protocols,
    sockets: count('sockets', values.sockets),
    turns: count('turns', values.turns),
    tokens: count('tokens', values.tokens),
    reps: count('reps', values.reps),
    profileDir: values.profile ? resolve(values.profile) : undefined,
  };
}

async function start(server: Server, options: RoundsOptions, dir: string): Promise<ServerProcess> {
  const hook = transpileHelper('child-hook', dir);
  const profile: Record<string, string> = options.profileDir ? { BENCH_CPU_PROFILE: join(options.profileDir, `${server}.cpuprofile`) } : {};
  let args: string[];
  let env: Record<string, string>;
  if (server === 'durable' || server === 'bare') {
    args = ['--expose-gc', '-r', hook, transpileHelper('bare-ws-server', dir)];
    env = { ...HELPER_ENV, BARE_TOKENS: String(options.tokens), ...(server === 'durable' ? { BARE_DB: join(dir, 'bare.db') } : {}) };
  } else {
    const inMemory = server === 'in-memory';
    args = ['--expose-gc', '-r', hook, inMemory ? transpileHelper('service-without-db', dir) : join('dist', 'main.js')];
    env = {
      ...(inMemory ? { ...HELPER_ENV, BENCH_DIST: join(ROOT, 'dist') } : {}),
      ...profile,
      DATABASE_URL: `sqlite:${join(dir, `${server}.db`)}`,
      ...benchServiceEnv(options.tokens),
    };
  }
  const child = new ServerProcess({ name: server, args, env, port: await freePort(), logFile: join(dir, `${server}.log`) });
  await child.waitHealthy();
  return child;
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  ensureBuilt();
  if (options.profileDir) mkdirSync(options.profileDir, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'codelab-rounds-'));
  try {
    const running = new Map<Server, ServerProcess>();
    for (const server of options.servers) running.set(server, await start(server, options, dir));
    for (const [server, child] of running) {
      for (const protocol of [1, 2] as const) {
        await runStreamRound({ port: child.spec.port, protocol, sockets: 50, turns: 2, tokens: options.tokens, sessionPrefix: `warm-${protocol}`, timeoutMs: 60_000 });
      }
      process.stdout.write(`${server}: warmed up\n`);
    }
    for (const protocol of options.protocols) {
      for (const [server, child] of running) {
        const cpu: number[] = [];
        const throughput: number[] = [];
        const p99: number[] = [];
        for (let rep = 0; rep < options.reps; rep++) {
          const before = child.cpuSeconds();
          const figures = await runStreamRound({
            port: child.spec.port,
            protocol,
            sockets: options.sockets,
            turns: options.turns,
            tokens: options.tokens,
            sessionPrefix: `r${protocol}-${rep}`,
            timeoutMs: 180_000,
          });
          cpu.push(((child.cpuSeconds() - before) * 1000) / (options.sockets * options.turns));
          throughput.push(protocol === 2 ? figures.framesPerSec : figures.turnsPerSec);
          p99.push(figures.firstFrameMs.p99);
          await sleep(300);
        }
        const unit = protocol === 2 ? 'frames/s' : 'turns/s';
        process.stdout.write(
          `protocol ${protocol}, ${options.sockets} sockets x ${options.turns} turns, ${server.padEnd(9)} ` +
            `CPU/turn ${round(median(cpu), 2)} ms  ${unit} ${Math.round(median(throughput))}  first-frame p99 ${round(median(p99), 1)} ms  ` +
            `[CPU per round: ${cpu.map((c) => c.toFixed(2)).join(' ')}]\n`,
        );
      }
    }
  } finally {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(async (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
