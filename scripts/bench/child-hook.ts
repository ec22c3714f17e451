/**
 * Preloaded (`node --expose-gc -r child-hook.js …`) into the service and the baseline by the benchmark:
 * - SIGWINCH runs a full garbage collection, so memory is read after the same settling in both processes
 *   (not SIGUSR2: Nest's enableShutdownHooks() shuts the service down on it; SIGWINCH is ignored by default),
 *   then writes process.memoryUsage() to BENCH_MEMORY_FILE when set;
 * - BENCH_CPU_PROFILE=<file> records a CPU profile from start-up and writes it at SIGTERM (Nest re-raises
 *   the signal after its shutdown hooks, so `node --cpu-prof`, which writes only on a normal exit, would not).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const memoryFile = process.env.BENCH_MEMORY_FILE;
process.on('SIGWINCH', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  if (memoryFile) writeFileSync(memoryFile, JSON.stringify(process.memoryUsage()));
});

const profileFile = process.env.BENCH_CPU_PROFILE;
if (profileFile) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 });
  session.post('Profiler.start');
  // Runs once, before Nest's handler; in-thread inspector calls complete synchronously.
  process.prependOnceListener('SIGTERM', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(profileFile, JSON.stringify(result.profile));
    });
  });
}

const heapFile = process.env.BENCH_HEAP_PROFILE;
if (heapFile) {
  const hs = new Session();
  hs.connect();
  hs.post('HeapProfiler.enable');
  hs.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  process.prependOnceListener('SIGTERM', () => {
    hs.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(heapFile, JSON.stringify(result.profile));
    });
  });
}
