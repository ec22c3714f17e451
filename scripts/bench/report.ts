/** The benchmark's figures, the targets of issue 5, and the printed table. */
import type { RestFigures } from './rest';
import type { IndexCostFigures, SearchFigures } from './search';
import type { SeedResult } from './seed';
import type { Percentiles } from './stats';
import type { IdleMemory, StreamFigures } from './ws-load';

export interface StreamingComparison {
  readonly sockets: number;
  /** The plan's socket count; `sockets` is lower when `ulimit -n` did not allow it. */
  readonly requestedSockets: number;
  readonly ours: StreamFigures;
  readonly baseline: StreamFigures;
  /** ours / baseline frames per second. */
  readonly throughputRatio: number;
  /** ours / baseline first-frame p99. */
  readonly firstFrameP99Ratio: number;
  /** Server CPU time (user + system, all threads) per turn, ms: independent of other load on the machine. */
  readonly oursCpuMsPerTurn: number;
  readonly baselineCpuMsPerTurn: number;
  readonly cpuRatio: number;
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
    atLeast(`throughput ratio, ${s.sockets} sockets`, s.throughputRatio, 0.5);
    atMost(`first-frame p99 ratio, ${s.sockets} sockets`, s.firstFrameP99Ratio, 2);
  }
  atMost('history turn ratio (10,000 / 10 messages)', r.history.ratio, 1.3);
  atMost('start-up ratio (large / empty database)', r.startup.ratio, 1.5);
  atMost('memory per idle socket ratio', r.memory.ratio, 2);
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
    rows.push([`stream ${s.sockets} sockets: frames/s`, s.ours.framesPerSec, s.baseline.framesPerSec, s.throughputRatio, verdict(`throughput ratio, ${s.sockets} sockets`)]);
    rows.push([`stream ${s.sockets} sockets: first frame p50 (ms)`, s.ours.firstFrameMs.p50, s.baseline.firstFrameMs.p50, ratioOf(s.ours.firstFrameMs.p50, s.baseline.firstFrameMs.p50), '']);
    rows.push([`stream ${s.sockets} sockets: first frame p99 (ms)`, s.ours.firstFrameMs.p99, s.baseline.firstFrameMs.p99, s.firstFrameP99Ratio, verdict(`first-frame p99 ratio, ${s.sockets} sockets`)]);
    rows.push([`stream ${s.sockets} sockets: server CPU per turn (ms)`, s.oursCpuMsPerTurn, s.baselineCpuMsPerTurn, s.cpuRatio, '']);
    rows.push([`stream ${s.sockets} sockets: turn p50 / p99 (ms)`, `${fmt(s.ours.turnMs.p50)} / ${fmt(s.ours.turnMs.p99)}`, `${fmt(s.baseline.turnMs.p50)} / ${fmt(s.baseline.turnMs.p99)}`, '', '']);
  }
  const h = r.history;
  rows.push([`turn p50 at ${h.longMessages.toLocaleString('en-US')} vs ${h.shortMessages} messages (ms)`, h.longTurnMs.p50, h.shortTurnMs.p50, h.ratio, verdict('history turn ratio (10,000 / 10 messages)')]);
  const s = r.startup;
  rows.push([`start-up to healthy, ${s.sessions.toLocaleString('en-US')} sessions / ${s.messages.toLocaleString('en-US')} messages vs empty (ms)`, s.largeMedianMs, s.emptyMedianMs, s.ratio, verdict('start-up ratio (large / empty database)')]);
  const m = r.memory;
  rows.push([`RSS per idle socket, ${m.ours.sockets.toLocaleString('en-US')} sockets (bytes)`, m.ours.bytesPerSocket, m.baseline.bytesPerSocket, m.ratio, verdict('memory per idle socket ratio')]);
  rows.push(['  of which V8 heap after GC (bytes)', m.ours.heapBytesPerSocket ?? 'n/a', m.baseline.heapBytesPerSocket ?? 'n/a', ratioOf(m.ours.heapBytesPerSocket ?? Number.NaN, m.baseline.heapBytesPerSocket ?? Number.NaN), '']);
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
    if (st.sockets < st.requestedSockets) notes.push(`stream: scaled down from ${st.requestedSockets} to ${st.sockets} sockets (ulimit -n)`);
    for (const [who, f] of [['ours', st.ours], ['baseline', st.baseline]] as const) {
      if (f.errors > 0 || f.unexpectedFrames !== 0) {
        notes.push(`WARNING stream ${st.sockets} ${who}: ${f.errors} error replies, ${f.unexpectedFrames} unexpected frames`);
      }
    }
  }
  return `${table(['figure', 'ours', 'baseline', 'ratio', 'target'], rows)}\n\n${notes.map((n) => `- ${n}`).join('\n')}`;
}

function ratioOf(a: number, b: number): number {
  return b > 0 ? Math.round((a / b) * 1000) / 1000 : Number.NaN;
}

export function renderTargets(targets: readonly TargetResult[]): string {
  return table(
    ['target', 'value', 'goal', 'result'],
    targets.map((t) => [t.name, t.value, t.target, t.pass ? 'PASS' : 'MISS']),
  );
}
