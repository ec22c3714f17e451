/**
 * Full-text search figures: latency of `GET /api/v1/search` on the large seeded database, and what
 * the index costs the turn path (server CPU per turn with and without the search triggers).
 */
import { copyFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sqlite3 from 'sqlite3';
import type { WebSocket } from 'ws';
import { ServerProcess } from './processes';
import { getOnce } from './rest';
import { bulkSessionId, TOPIC_WORDS, topicWord } from './seed';
import { Percentiles, percentiles, ratio, round } from './stats';
import { closeSockets, openSocket, socketUrl, timeTurns } from './ws-load';

export interface SearchKindFigures {
  readonly kind: string;
  readonly example: string;
  readonly latencyMs: Percentiles;
}

export interface SearchFigures {
  readonly messages: number;
  /** Every request of every kind. */
  readonly latencyMs: Percentiles;
  readonly serverCpuMsPerRequest: number;
  readonly kinds: readonly SearchKindFigures[];
}

export interface IndexCostFigures {
  readonly turns: number;
  readonly indexedCpuMsPerTurn: number;
  readonly unindexedCpuMsPerTurn: number;
  /** indexed / unindexed CPU per turn over all rounds (a round is too short for /proc's 10 ms CPU ticks). */
  readonly ratio: number;
}

/** The query mix: from a phrase found in one session to a word in every message. */
function queryKinds(bulkSessions: number): { kind: string; query: (i: number) => string }[] {
  const mid = Math.floor(TOPIC_WORDS / 2);
  return [
    { kind: 'phrase in one session (10 messages)', query: (i) => `"${bulkSessionId((i * 7919) % bulkSessions)}"` },
    { kind: 'rare word (~0.02 % of messages)', query: (i) => topicWord(mid + (i % 500)) },
    { kind: 'medium word (~0.5 %)', query: (i) => topicWord(40 + (i % 20)) },
    { kind: 'commonest topic word (~30 %)', query: () => topicWord(0) },
    { kind: 'word in every message', query: () => 'function' },
    { kind: 'two words, one everywhere', query: (i) => `FUNCTION ${topicWord(5 + (i % 10))}` },
    { kind: 'phrase in every message', query: () => '"explain what it does"' },
    { kind: 'odd input', query: (i) => `NEAR(* "-${topicWord(i % 100)}: OR` },
  ];
}

/** `requests` searches in total, the kinds taking turns, one after the other on a kept-alive connection. */
export async function measureSearch(service: ServerProcess, bulkSessions: number, messages: number, requests: number): Promise<SearchFigures> {
  const port = service.spec.port;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const kinds = queryKinds(bulkSessions);
  const path = (q: string): string => `/api/v1/search?${new URLSearchParams({ q, limit: '20' }).toString()}`;
  try {
    for (let i = 0; i < 3 * kinds.length; i++) await getOnce(agent, port, path(kinds[i % kinds.length]?.query(i) ?? ''));
    const byKind = kinds.map(() => [] as number[]);
    const all: number[] = [];
    const cpuBefore = service.cpuSeconds();
    for (let i = 0; i < requests; i++) {
      const k = i % kinds.length;
      const started = performance.now();
      const body = await getOnce(agent, port, path(kinds[k]?.query(Math.floor(i / kinds.length)) ?? ''));
      const ms = performance.now() - started;
      if (k < kinds.length - 1 && !body.includes('"snippet"')) throw new Error(`search "${kinds[k]?.kind}" found nothing: ${body.slice(0, 200)}`);
      byKind[k]?.push(ms);
      all.push(ms);
    }
    const cpuMs = ((service.cpuSeconds() - cpuBefore) * 1000) / requests;
    return {
      messages,
      latencyMs: percentiles(all),
      serverCpuMsPerRequest: round(cpuMs),
      kinds: kinds.map((k, i) => ({ kind: k.kind, example: k.query(0), latencyMs: percentiles(byKind[i] ?? []) })),
    };
  } finally {
    agent.destroy();
  }
}

/** The search triggers, as migration 1764200000000 creates them. */
const TRIGGERS = ['message_search_insert', 'message_search_delete', 'message_search_update', 'message_search_owner'];

/** A realistic message: about 60 words for the index to take apart. */
const turnText = (i: number): string =>
  `Turn ${i}: the migration of the orders table fails on PostgreSQL with a foreign key violation when the ` +
  `customer row was deleted first; please look at OrderRepository.save and the cascade options, explain ` +
  `why the transaction does not roll back, and suggest a fix with a test that reproduces it (${topicWord(i % TOPIC_WORDS)}).`;

/**
 * The same turns on two services, one on a database with the search triggers and one without them,
 * alternating rounds so that drift hits both alike; server CPU time per turn of each.
 */
export async function measureIndexCost(
  start: (label: string, dbFile: string) => Promise<ServerProcess>,
  dir: string,
  emptyDb: string,
  rounds: number,
  turnsPerRound: number,
): Promise<IndexCostFigures> {
  const indexedDb = join(dir, 'turns-indexed.db');
  const unindexedDb = join(dir, 'turns-unindexed.db');
  copyFileSync(emptyDb, indexedDb);
  copyFileSync(emptyDb, unindexedDb);
  await exec(unindexedDb, TRIGGERS.map((t) => `DROP TRIGGER ${t};`).join(' '));
  const indexed = await start('turns-indexed', indexedDb);
  const unindexed = await start('turns-unindexed', unindexedDb);
  const sockets = await Promise.all([indexed, unindexed].map((s) => openSocket(socketUrl(s.spec.port, 'bench-index-cost'))));
  const [withIndex, withoutIndex] = sockets;
  if (!withIndex || !withoutIndex) throw new Error('no socket');
  try {
    await timeTurns(withIndex, 20, 'warm-up indexed', turnText);
    await timeTurns(withoutIndex, 20, 'warm-up unindexed', turnText);
    const cpu = async (server: ServerProcess, socket: WebSocket): Promise<number> => {
      const before = server.cpuSeconds();
      await timeTurns(socket, turnsPerRound, 'index cost', turnText);
      return server.cpuSeconds() - before;
    };
    const indexedRounds: number[] = [];
    const unindexedRounds: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so that neither always runs right after the other's burst.
      if (r % 2 === 0) {
        indexedRounds.push(await cpu(indexed, withIndex));
        unindexedRounds.push(await cpu(unindexed, withoutIndex));
      } else {
        unindexedRounds.push(await cpu(unindexed, withoutIndex));
        indexedRounds.push(await cpu(indexed, withIndex));
      }
    }
    const turns = rounds * turnsPerRound;
    const perTurn = (seconds: readonly number[]): number => round((seconds.reduce((a, b) => a + b, 0) * 1000) / turns);
    const indexedCpuMsPerTurn = perTurn(indexedRounds);
    const unindexedCpuMsPerTurn = perTurn(unindexedRounds);
    return { turns, indexedCpuMsPerTurn, unindexedCpuMsPerTurn, ratio: ratio(indexedCpuMsPerTurn, unindexedCpuMsPerTurn) };
  } finally {
    await closeSockets(sockets);
    await indexed.stop();
    await unindexed.stop();
  }
}

function exec(file: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (openError: Error | null) => {
      if (openError) return reject(openError);
      db.exec(sql, (error: Error | null) => db.close(() => (error ? reject(error) : resolve())));
    });
  });
}
