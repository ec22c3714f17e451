/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- --profile <dir>`): where the samples landed, by
 * package / source area and by function (self time), plus the heaviest call paths into our own code.
 *
 *   npx ts-node --transpile-only scripts/bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Which area a source URL belongs to: a package, our dist/ code, or node internals. */
function area(url: string): string {
  if (url === '') return '(native / VM)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1]) return pkg[1];
  const ours = isOurs(url) ? /\/dist\/(.+?)(?:\/[^/]+)?\.js$/.exec(url) : null;
  if (ours?.[1]) return `dist/${ours[1].split('/')[0] ?? ''}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

function isOurs(url: string): boolean {
  return url.includes('/dist/') && !url.includes('/node_modules/');
}

function label(frame: CallFrame): string {
  const file = frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
  return `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const top = Number(topArg ?? '25');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;
  let idleUs = 0;
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  /** Self time attributed to the nearest caller in our own dist/ code. */
  const byOurCaller = new Map<string, number>();
  /** Inclusive time of our own functions (each sample counted once per function on its stack). */
  const ourInclusive = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const name = node.callFrame.functionName;
    if (name === '(idle)' || name === '(program)' || name === '(root)') {
      if (name === '(idle)') idleUs += us;
      else byArea.set(name, (byArea.get(name) ?? 0) + us);
      continue;
    }
    const where = name.startsWith('(') && node.callFrame.url === '' ? name : area(node.callFrame.url);
    byArea.set(where, (byArea.get(where) ?? 0) + us);
    byFunction.set(label(node.callFrame), (byFunction.get(label(node.callFrame)) ?? 0) + us);
    let cursor: number | undefined = id;
    let nearest = true;
    const seen = new Set<string>();
    while (cursor !== undefined) {
      const frame = byId.get(cursor)?.callFrame;
      if (frame && isOurs(frame.url)) {
        const key = label(frame);
        if (nearest) byOurCaller.set(key, (byOurCaller.get(key) ?? 0) + us);
        nearest = false;
        if (!seen.has(key)) ourInclusive.set(key, (ourInclusive.get(key) ?? 0) + us);
        seen.add(key);
      }
      cursor = parent.get(cursor);
    }
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number): string => `${((100 * us) / Math.max(1, busyUs)).toFixed(1).padStart(5)} %`;
  const print = (title: string, map: Map<string, number>): void => {
    process.stdout.write(`\n${title}\n`);
    for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}\n`);
    }
  };
  process.stdout.write(
    `${file}: ${(totalUs / 1e6).toFixed(1)} s recorded, ${(busyUs / 1e6).toFixed(1)} s busy (percentages are of busy time)\n`,
  );
  print('self time by area', byArea);
  print('self time by function', byFunction);
  print('self time by nearest caller in dist/ (our code)', byOurCaller);
  print('inclusive time of our functions (dist/)', ourInclusive);
}

main();
