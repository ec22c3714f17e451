/** The benchmark's figures, the targets of issue 5, and the printed table. */
import type { RestFigures } from './rest';
import type { IndexCostFigures, SearchFigures } from './search';
import type { SeedResult } from './seed';
import type { Percentiles } from './stats';
import type { IdleMemory, StreamFigures } from './ws-load';

/** The four servers of a streaming round. */
export const SERVERS = ['bare', 'bareDurable', 'oursNoDb', 'ours'] as const;
export type ServerName = (typeof SERVERS)[number];
export const SERVER_LABELS: Record<ServerName, string> = {
  bare: 'bare ws, no database',
  bareDurable: 'bare ws + sqlite3 (durable)',
  oursNoDb: 'ours, stores in memory',
  ours: 'ours',
};

export interface ServerRound {
  readonly figures: StreamFigures;
  /** Server CPU time (user + system, all threads) per turn, ms: independent of other load on the machine. */
  readonly cpuMsPerTurn: number;
}

export interface StreamingComparison {
  /** 2: 50 token frames per answer; 1: compat (agent_switched and the final frame). */
  readonly protocol: 1 | 2;
  readonly sockets: number;
  /** The plan's socket count; `sockets` is lower when `ulimit -n` did not allow it. */
  readonly requestedSockets: number;
  readonly servers: Record<ServerName, ServerRound>;
  /** ours / durable baseline: frames per second (protocol 2) or turns per second (compat). */
  readonly throughputRatio: number;
  /** ours / durable baseline first-frame p99. */
  readonly firstFrameP99Ratio: number;
  /** ours / durable baseline CPU per turn. */
  readonly cpuRatio: number;
  /** The same three against the bare baseline without a database. */
  readonly vsBare: { readonly throughputRatio: number; readonly firstFrameP99Ratio: number; readonly cpuRatio: number };
}

/** Name of a streaming round in the table and the targets. */
export function roundName(s: Pick<StreamingComparison, 'protocol' | 'sockets'>): string {
  return s.protocol === 2 ? `protocol 2, ${s.sockets} sockets` : `compat, ${s.sockets} sockets`;
}

/** What a round's throughput counts: frames for protocol 2, turns for compat. */
export function throughputOf(s: Pick<StreamingComparison, 'protocol'>, f: StreamFigures): number {
  return s.protocol === 2 ? f.framesPerSec : f.turnsPerSec;
}

export interface HistoryComparison {
  readonly shortMessages: number;
  readonly longMessages: number;
  readonly shortTurnMs: Percentiles;
  readonly longTurnMs: Percentiles;
  /** long / short median turn latency. */
  readonly ratio: number;
}

export interface StartupComparison {
  readonly sessions: number;
  readonly messages: number;
  readonly seed: SeedResult;
  readonly emptyRunsMs: readonly number[];
  readonly largeRunsMs: readonly number[];
  readonly emptyMedianMs: number;
  readonly largeMedianMs: number;
  readonly ratio: number;
}

export interface MemoryComparison {
  readonly ours: IdleMemory;
  readonly baseline: IdleMemory;
  readonly ratio: number;
  readonly requestedSockets: number;
  readonly openFileLimit: number;
}

export interface RestComparison {
  readonly databaseSessions: number;
  readonly list: RestFigures;
  readonly history: RestFigures;
}

export interface TargetResult {
  readonly name: string;
  readonly value: number;
  readonly target: string;
  readonly pass: boolean;
}

export interface BenchResults {
  readonly streaming: readonly StreamingComparison[];
  readonly history: HistoryComparison;
  readonly startup: StartupComparison;
  readonly memory: MemoryComparison;
  readonly rest: RestComparison;
  readonly search: SearchFigures;
  readonly indexCost: IndexCostFigures;
}

const HISTORY_TARGET = 'REST p99 GET /sessions/{id}/history (ms)';
const SEARCH_TARGET = 'search p99 GET /search (ms)';
const INDEX_COST_TARGET = 'turn CPU ratio (search index / none)';

export function evaluateTargets(r: BenchResults): TargetResult[] {
  const targets: TargetResult[] = [];
  const atLeast = (name: string, value: number, limit: number): void => {
    targets.push({ name, value, target: `>= ${limit}`, pass: value >= limit });
  };
  const atMost = (name: string, value: number, limit: number): void => {
    targets.push({ name, value, target: `<= ${limit}`, pass: value <= limit });
  };
  for (const s of r.streaming) {
    const unit = s.protocol === 2 ? 'frames/s' : 'turns/s';
    atLeast(`${roundName(s)}: ${unit} ratio to durable baseline`, s.throughputRatio, 0.5);
    atMost(`${roundName(s)}: first-frame p99 ratio to durable baseline`, s.firstFrameP99Ratio, 2);
    atMost(`${roundName(s)}: CPU per turn ratio to durable baseline`, s.cpuRatio, 2);
  }
  atMost('history turn ratio (10,000 / 10 messages)', r.history.ratio, 1.3);
  atMost('start-up ratio (large / empty database)', r.startup.ratio, 1.5);
  atMost('memory per idle socket ratio (RSS)', r.memory.ratio, 2);
  const heap = ratioOf(r.memory.ours.heapBytesPerSocket ?? Number.NaN, r.memory.baseline.heapBytesPerSocket ?? Number.NaN);
  atMost('memory per idle socket ratio (V8 heap)', heap, 2);
  const restP99 = (name: string, value: number): void => {
    targets.push({ name, value, target: '< 20 ms', pass: value < 20 });
  };
  restP99('REST p99 GET /sessions?limit=100 (ms)', r.rest.list.latencyMs.p99);
  restP99(HISTORY_TARGET, r.rest.history.latencyMs.p99);
  targets.push({ name: SEARCH_TARGET, value: r.search.latencyMs.p99, target: '< 50 ms', pass: r.search.latencyMs.p99 < 50 });
  atMost(INDEX_COST_TARGET, r.indexCost.ratio, 1.1);
  return targets;
}

type Cell = string | number;

function fmt(value: Cell): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return String(Math.round(value * 100) / 100);
}

/** A plain-text (and Markdown-compatible) table. */
function table(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = [header.map(String), ...rows.map((r) => r.map(fmt))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string => `| ${r.map((v, c) => v.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  return [line(cells[0] ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join(
    '\n',
  );
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export function renderTable(r: BenchResults, targets: readonly TargetResult[]): string {
  const rows: Cell[][] = [];
  const verdict = (name: string): string => {
    const t = targets.find((x) => x.name === name);
    return t ? `${t.target}: ${t.pass ? 'PASS' : 'MISS'}` : '';
  };
  for (const s of r.streaming) {
    const name = roundName(s);
    const unit = s.protocol === 2 ? 'frames/s' : 'turns/s';
    const d = s.servers.bareDurable;
    const o = s.servers.ours;
    rows.push([`${name}: ${unit}`, throughputOf(s, o.figures), throughputOf(s, d.figures), s.throughputRatio, verdict(`${name}: ${unit} ratio to durable baseline`)]);
    rows.push([`${name}: first frame p50 (ms)`, o.figures.firstFrameMs.p50, d.figures.firstFrameMs.p50, ratioOf(o.figures.firstFrameMs.p50, d.figures.firstFrameMs.p50), '']);
    rows.push([`${name}: first frame p99 (ms)`, o.figures.firstFrameMs.p99, d.figures.firstFrameMs.p99, s.firstFrameP99Ratio, verdict(`${name}: first-frame p99 ratio to durable baseline`)]);
    rows.push([`${name}: server CPU per turn (ms)`, o.cpuMsPerTurn, d.cpuMsPerTurn, s.cpuRatio, verdict(`${name}: CPU per turn ratio to durable baseline`)]);
    rows.push([`${name}: turn p50 / p99 (ms)`, `${fmt(o.figures.turnMs.p50)} / ${fmt(o.figures.turnMs.p99)}`, `${fmt(d.figures.turnMs.p50)} / ${fmt(d.figures.turnMs.p99)}`, '', '']);
  }
  const h = r.history;
  rows.push([`turn p50 at ${h.longMessages.toLocaleString('en-US')} vs ${h.shortMessages} messages (ms)`, h.longTurnMs.p50, h.shortTurnMs.p50, h.ratio, verdict('history turn ratio (10,000 / 10 messages)')]);
  const s = r.startup;
  rows.push([`start-up to healthy, ${s.sessions.toLocaleString('en-US')} sessions / ${s.messages.toLocaleString('en-US')} messages vs empty (ms)`, s.largeMedianMs, s.emptyMedianMs, s.ratio, verdict('start-up ratio (large / empty database)')]);
  const m = r.memory;
  rows.push([`RSS per idle socket, ${m.ours.sockets.toLocaleString('en-US')} sockets (bytes)`, m.ours.bytesPerSocket, m.baseline.bytesPerSocket, m.ratio, verdict('memory per idle socket ratio (RSS)')]);
  rows.push(['  of which V8 heap after GC (bytes)', m.ours.heapBytesPerSocket ?? 'n/a', m.baseline.heapBytesPerSocket ?? 'n/a', ratioOf(m.ours.heapBytesPerSocket ?? Number.NaN, m.baseline.heapBytesPerSocket ?? Number.NaN), verdict('memory per idle socket ratio (V8 heap)')]);
  const rest = r.rest;
  rows.push([`GET /api/v1/sessions?limit=100 p50 / p99 (ms), ${rest.databaseSessions.toLocaleString('en-US')} sessions`, `${fmt(rest.list.latencyMs.p50)} / ${fmt(rest.list.latencyMs.p99)}`, '', '', verdict('REST p99 GET /sessions?limit=100 (ms)')]);
  rows.push(['GET /api/v1/sessions/{id}/history, 200 messages, p50 / p99 (ms)', `${fmt(rest.history.latencyMs.p50)} / ${fmt(rest.history.latencyMs.p99)}`, '', '', verdict(HISTORY_TARGET)]);
  rows.push(['REST server CPU per request, list / history (ms)', `${fmt(rest.list.serverCpuMsPerRequest ?? Number.NaN)} / ${fmt(rest.history.serverCpuMsPerRequest ?? Number.NaN)}`, '', '', '']);
  const q = r.search;
  rows.push([`GET /api/v1/search p50 / p99 (ms), ${q.messages.toLocaleString('en-US')} messages, query mix`, `${fmt(q.latencyMs.p50)} / ${fmt(q.latencyMs.p99)}`, '', '', verdict(SEARCH_TARGET)]);
  for (const k of q.kinds) rows.push([`  ${k.kind}, e.g. ${k.example} (ms)`, `${fmt(k.latencyMs.p50)} / ${fmt(k.latencyMs.p99)}`, '', '', '']);
  rows.push(['search server CPU per request (ms)', q.serverCpuMsPerRequest, '', '', '']);
  const ic = r.indexCost;
  rows.push([`server CPU per turn with / without the search index, ${ic.turns} turns (ms)`, ic.indexedCpuMsPerTurn, ic.unindexedCpuMsPerTurn, ic.ratio, verdict(INDEX_COST_TARGET)]);
  const notes = [
    `memory: RSS ${mib(m.ours.rssBeforeBytes)} -> ${mib(m.ours.rssAfterBytes)} (ours), ${mib(m.baseline.rssBeforeBytes)} -> ${mib(m.baseline.rssAfterBytes)} (baseline)` +
      (m.ours.sockets < m.requestedSockets ? `; scaled down from ${m.requestedSockets} sockets: ulimit -n is ${m.openFileLimit}` : ''),
    `start-up runs (ms): empty ${s.emptyRunsMs.map((v) => Math.round(v)).join(', ')}; large ${s.largeRunsMs.map((v) => Math.round(v)).join(', ')}`,
    `seed: ${s.seed.sessions.toLocaleString('en-US')} sessions, ${s.seed.messages.toLocaleString('en-US')} messages in ${s.seed.seconds.toFixed(1)} s (${mib(s.seed.fileBytes)})`,
  ];
  for (const st of r.streaming) {
    if (st.sockets < st.requestedSockets) notes.push(`${roundName(st)}: scaled down from ${st.requestedSockets} sockets (ulimit -n)`);
    for (const who of SERVERS) {
      const f = st.servers[who].figures;
      if (f.errors > 0 || f.unexpectedFrames !== 0) {
        notes.push(`WARNING ${roundName(st)} ${SERVER_LABELS[who]}: ${f.errors} error replies, ${f.unexpectedFrames} unexpected frames`);
      }
    }
  }
  return [
    `${table(['figure', 'ours', 'baseline', 'ratio', 'target'], rows)}`,
    '(streaming rows: baseline = the durable bare server, bare ws + sqlite3)',
    renderFourWay(r.streaming),
    notes.map((n) => `- ${n}`).join('\n'),
  ].join('\n\n');
}

/** Every streaming round on all four servers: where the time goes (framework vs database). */
export function renderFourWay(rounds: readonly StreamingComparison[]): string {
  const rows: Cell[][] = [];
  for (const s of rounds) {
    for (const who of SERVERS) {
      const x = s.servers[who];
      rows.push([
        roundName(s),
        SERVER_LABELS[who],
        throughputOf(s, x.figures),
        x.figures.firstFrameMs.p50,
        x.figures.firstFrameMs.p99,
        x.cpuMsPerTurn,
        ratioOf(throughputOf(s, x.figures), throughputOf(s, s.servers.bareDurable.figures)),
        ratioOf(throughputOf(s, x.figures), throughputOf(s, s.servers.bare.figures)),
      ]);
    }
  }
  return table(['round', 'server', 'frames/s (p2) or turns/s (compat)', 'first frame p50 ms', 'first frame p99 ms', 'CPU ms/turn', 'x durable', 'x bare'], rows);
}

export function ratioOf(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 1000) / 1000 : Number.NaN;
}

export function renderTargets(targets: readonly TargetResult[]): string {
  return table(
    ['target', 'value', 'goal', 'result'],
    targets.map((t) => [t.name, t.value, t.target, t.pass ? 'PASS' : 'MISS']),
  );
}
