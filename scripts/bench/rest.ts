/** Sequential keep-alive HTTP GETs against the service. */
import { Agent, get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Percentiles, percentiles, round, withTimeout } from './stats';

export interface RestFigures {
  readonly path: string;
  readonly requests: number;
  readonly latencyMs: Percentiles;
  readonly bodyBytes: number;
  /** Server CPU time (user + system) per request, ms, when a CPU reader was given. */
  readonly serverCpuMsPerRequest: number | null;
}

/** GETs `path` `requests` times one after the other on one kept-alive connection (after a warm-up). */
export async function timeGets(
  port: number,
  path: string,
  requests: number,
  serverCpuSeconds?: () => number,
  warmup = 20,
): Promise<RestFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    let bodyBytes = 0;
    for (let i = 0; i < warmup; i++) await getOnce(agent, port, path);
    const times: number[] = [];
    const cpuBefore = serverCpuSeconds?.();
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      bodyBytes = (await getOnce(agent, port, path)).length;
      times.push(performance.now() - started);
    }
    const cpu = serverCpuSeconds && cpuBefore !== undefined ? ((serverCpuSeconds() - cpuBefore) * 1000) / requests : null;
    return { path, requests, latencyMs: percentiles(times), bodyBytes, serverCpuMsPerRequest: cpu === null ? null : round(cpu) };
  } finally {
    agent.destroy();
  }
}

/** One GET; rejects unless the answer is 200. Resolves with the body. */
export function getOnce(agent: Agent | false, port: number, path: string): Promise<string> {
  const request = new Promise<string>((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`GET ${path} answered ${String(res.statusCode)}: ${body.slice(0, 200)}`));
      });
    });
    req.on('error', reject);
  });
  return withTimeout(request, 30_000, `GET ${path}`);
}
