/** Command line of `npm run bench` and the sizes of each run mode. */
import { parseArgs } from 'node:util';

export interface BenchPlan {
  readonly mode: 'full' | 'quick';
  /** Concurrent protocol-2 sockets per streaming round. */
  readonly streamSockets: readonly number[];
  /** Concurrent compat (protocol 1) sockets per round. */
  readonly compatSockets: readonly number[];
  readonly turnsPerSocket: number;
  /** Token frames per answer (ECHO_TOKENS). */
  readonly tokens: number;
  readonly historyShort: number;
  readonly historyLong: number;
  /** Measured turns per history length (after warm-up turns). */
  readonly historyTurns: number;
  readonly historyWarmup: number;
  readonly bulkSessions: number;
  readonly messagesPerBulkSession: number;
  /** Start-ups measured per database (the median is reported). */
  readonly startupRepeats: number;
  readonly idleSockets: number;
  /** Wait before and after the forced GC when reading RSS. */
  readonly memorySettleMs: number;
  readonly restRequests: number;
  readonly restHistoryMessages: number;
  /** Searches on the large database (the query kinds take turns). */
  readonly searchRequests: number;
  /** Index cost on the turn path: rounds of turns alternating between a service with and without the search triggers. */
  readonly indexCostRounds: number;
  readonly indexCostTurns: number;
}

export interface BenchOptions {
  readonly plan: BenchPlan;
  readonly help: boolean;
  /** Keep the temporary directory (databases, logs) instead of deleting it. */
  readonly keep: boolean;
  /** Write a CPU profile of every service process into this directory. */
  readonly profileDir: string | undefined;
  /** Only the cost of REDIS_URL on one instance (PostgreSQL with and without Redis). */
  readonly redis: boolean;
}

const FULL: BenchPlan = {
  mode: 'full',
  streamSockets: [100, 1000],
  compatSockets: [100],
  turnsPerSocket: 3,
  tokens: 50,
  historyShort: 10,
  historyLong: 10_000,
  historyTurns: 30,
  historyWarmup: 5,
  bulkSessions: 100_000,
  messagesPerBulkSession: 10,
  startupRepeats: 3,
  idleSockets: 5000,
  memorySettleMs: 2000,
  restRequests: 500,
  restHistoryMessages: 200,
  searchRequests: 800,
  indexCostRounds: 20,
  indexCostTurns: 20,
};

const QUICK: BenchPlan = {
  ...FULL,
  mode: 'quick',
  streamSockets: [100, 300],
  turnsPerSocket: 2,
  historyTurns: 15,
  historyWarmup: 3,
  bulkSessions: 10_000,
  startupRepeats: 2,
  idleSockets: 1000,
  memorySettleMs: 1000,
  restRequests: 200,
  searchRequests: 240,
  indexCostRounds: 8,
  indexCostTurns: 10,
};

export const USAGE = `npm run bench [-- options]

Starts the built service (dist/main.js; built first when missing or older than src/), the same service
with its stores in memory, and two bare ws baselines (without a database, and storing each turn's two
messages in sqlite3) as child processes on 127.0.0.1, measures, prints tables and one final JSON line.

  --quick            smaller sizes: 100/300 sockets x 2 turns, 10k sessions / 100k messages, 1,000 idle
                     sockets (full: 100/1,000 sockets x 3 turns, 100k / 1M, 5,000 idle sockets); compat
                     rounds at 100 sockets in both
  --profile <dir>    write a CPU profile (.cpuprofile) of every service process into <dir>
  --redis            only the cost of REDIS_URL on one instance: two services on PostgreSQL (fresh
                     databases made from BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test),
                     one with REDIS_URL=BENCH_REDIS_URL (default redis://127.0.0.1:6379/13, flushed),
                     the same protocol-2 turns in alternating rounds; CPU per turn (target <= 1.5x)
  --keep             keep the temporary directory (databases, service logs)
  --help             this text`;

export class OptionsError extends Error {}

/** Parses the command line with node:util parseArgs. Throws OptionsError on bad input. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean' },
        keep: { type: 'boolean' },
        redis: { type: 'boolean' },
        profile: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new OptionsError(error instanceof Error ? error.message : String(error));
  }
  if (values.profile === '') throw new OptionsError('--profile needs a directory');
  return {
    plan: values.quick ? QUICK : FULL,
    help: values.help ?? false,
    keep: values.keep ?? false,
    profileDir: values.profile,
    redis: values.redis ?? false,
  };
}
