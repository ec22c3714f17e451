/**
 * How `session_events` rows hold frames. A row holds a **run**: one or more frames of one stream with
 * consecutive seqs, as their JSON texts joined by `\n` (JSON text never contains a raw line feed), keyed
 * by the seq of its **last** frame. Keying by the last seq keeps every query of the log as it was: the rows
 * with `seq > N` are exactly the runs holding a frame after N, and `MAX(seq)` is the stream's top.
 * A streamed answer's tokens, written in the same flush, become one row instead of one row each.
 * Rows written before runs existed hold a single frame and read the same way.
 */

/** One numbered frame waiting to be written. */
export interface FrameText {
  readonly incarnation: string;
  readonly seq: number;
  /** The frame's JSON text. */
  readonly json: string;
  /** When it was numbered (epoch ms). */
  readonly createdAt: number;
}

/** A row of `session_events`. */
export interface EventRow {
  readonly incarnation: string;
  /** The seq of the row's last frame. */
  readonly seq: number;
  /** One frame's JSON text, or several joined by `\n`. */
  readonly frame: string;
  /** When its last frame was numbered. */
  readonly createdAt: Date;
}

/** A row and the frames it holds (kept to retry them, and to count what was written). */
export interface Run {
  readonly row: EventRow;
  readonly frames: readonly FrameText[];
}

/** Longest run per row: replays and retention work in rows, so a row stays a bounded piece of a stream. */
export const MAX_RUN = 256;

const SEPARATOR = '\n';

/**
 * Packs frames (in the order they were numbered, any mix of streams) into runs: per stream, consecutive
 * seqs share a row, up to MAX_RUN frames. A gap in the seqs (another instance numbered the frames in
 * between) starts a new row.
 */
export function toRuns(frames: readonly FrameText[]): Run[] {
  const open = new Map<string, FrameText[]>();
  const runs: FrameText[][] = [];
  for (const frame of frames) {
    const current = open.get(frame.incarnation);
    const last = current?.[current.length - 1];
    if (current && last && last.seq + 1 === frame.seq && current.length < MAX_RUN) {
      current.push(frame);
      continue;
    }
    const run = [frame];
    runs.push(run);
    open.set(frame.incarnation, run);
  }
  return runs.map((run) => {
    const last = run[run.length - 1] as FrameText;
    const frame = run.length === 1 ? last.json : run.map((f) => f.json).join(SEPARATOR);
    return { row: { incarnation: last.incarnation, seq: last.seq, frame, createdAt: new Date(last.createdAt) }, frames: run };
  });
}

/**
 * The frames of stored rows (in seq order) whose seq is above `afterSeq`, one entry per frame. A frame
 * stored twice (an instance that took over a session wrote frames its last holder also wrote, in a run
 * with a different key) is read once.
 */
export function framesOfRows(rows: readonly EventRow[], afterSeq: number): EventRow[] {
  const frames: EventRow[] = [];
  let top = afterSeq;
  for (const row of rows) {
    if (row.seq <= top) continue;
    if (!row.frame.includes(SEPARATOR)) {
      frames.push(row);
      top = row.seq;
      continue;
    }
    const texts = row.frame.split(SEPARATOR);
    const first = row.seq - texts.length + 1;
    for (let i = Math.max(0, top + 1 - first); i < texts.length; i++) {
      frames.push({ incarnation: row.incarnation, seq: first + i, frame: texts[i] as string, createdAt: row.createdAt });
    }
    top = row.seq;
  }
  return frames;
}
