import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TapRecord } from '../src/modules/transit/protocol.js';

/**
 * A terminal's outbox of signed tap records, kept in a JSON-lines journal that is fsync'd on
 * every write, so a simulator that crashes resumes with every record it handed out and with its
 * sequence counter intact. Lines:
 *   {"t":"rec","r":<TapRecord>}      a record to upload
 *   {"t":"ack","ackSeq":N}           the server settled or rejected every seq ≤ N
 *   {"t":"seq","lastSeq":N}          written on compaction, so seq survives an empty queue
 * A torn last line (crash mid-write) is ignored on load. Acknowledged records are dropped by
 * rewriting the journal to a temporary file, fsync'ing it and renaming it over the old one.
 */
export class TapQueue {
  private records: TapRecord[] = [];
  private fd: number | null = null;
  private lastSeqValue = 0;
  private ackSeqValue = 0;
  private linesSinceCompaction = 0;
  /** Lines ignored on load because they were torn or unreadable. */
  readonly tornLines: number;

  constructor(private readonly file: string, private readonly compactEvery = 2_000) {
    mkdirSync(dirname(file), { recursive: true });
    this.tornLines = existsSync(file) ? this.load() : 0;
    this.compact();
  }

  /** Seq of the last record created (0 when none yet). */
  get lastSeq(): number {
    return this.lastSeqValue;
  }
  get ackSeq(): number {
    return this.ackSeqValue;
  }
  get length(): number {
    return this.records.length;
  }

  /** The next seq to hand out. */
  nextSeq(): number {
    return this.lastSeqValue + 1;
  }

  /** Unacknowledged records, oldest first, at most `limit`. */
  peek(limit: number): TapRecord[] {
    return this.records.slice(0, limit);
  }

  /** Appends a record and fsyncs it before returning: once a tap succeeds it is on disk. */
  append(record: TapRecord): void {
    if (record.seq !== this.lastSeqValue + 1) throw new Error(`tap queue: seq ${record.seq} after ${this.lastSeqValue}`);
    this.writeLine({ t: 'rec', r: record });
    this.records.push(record);
    this.lastSeqValue = record.seq;
  }

  /** Drops every record with seq ≤ ackSeq; returns how many were dropped. */
  acknowledge(ackSeq: number): number {
    if (ackSeq <= this.ackSeqValue) return 0;
    const before = this.records.length;
    this.records = this.records.filter((r) => r.seq > ackSeq);
    this.ackSeqValue = ackSeq;
    this.writeLine({ t: 'ack', ackSeq });
    if (this.linesSinceCompaction >= this.compactEvery) this.compact();
    return before - this.records.length;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private writeLine(entry: unknown): void {
    if (this.fd === null) this.fd = openSync(this.file, 'a');
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.fd);
    this.linesSinceCompaction += 1;
  }

  private load(): number {
    const bySeq = new Map<number, TapRecord>();
    let torn = 0;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      let entry: { t?: string; r?: TapRecord; ackSeq?: number; lastSeq?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        torn += 1;
        continue;
      }
      if (entry.t === 'rec' && entry.r && Number.isSafeInteger(entry.r.seq)) {
        bySeq.set(entry.r.seq, entry.r);
        this.lastSeqValue = Math.max(this.lastSeqValue, entry.r.seq);
      } else if (entry.t === 'ack' && Number.isSafeInteger(entry.ackSeq)) {
        this.ackSeqValue = Math.max(this.ackSeqValue, entry.ackSeq!);
      } else if (entry.t === 'seq' && Number.isSafeInteger(entry.lastSeq)) {
        this.lastSeqValue = Math.max(this.lastSeqValue, entry.lastSeq!);
        this.ackSeqValue = Math.max(this.ackSeqValue, (entry as { ackSeq?: number }).ackSeq ?? 0);
      } else {
        torn += 1;
      }
    }
    this.lastSeqValue = Math.max(this.lastSeqValue, this.ackSeqValue);
    this.records = [...bySeq.values()].filter((r) => r.seq > this.ackSeqValue).sort((a, b) => a.seq - b.seq);
    return torn;
  }

  /** Rewrites the journal with only what is still needed (atomic: temp file, fsync, rename). */
  private compact(): void {
    this.close();
    const lines = [JSON.stringify({ t: 'seq', lastSeq: this.lastSeqValue, ackSeq: this.ackSeqValue }), ...this.records.map((r) => JSON.stringify({ t: 'rec', r }))];
    writeFileAtomic(this.file, `${lines.join('\n')}\n`);
    this.linesSinceCompaction = 0;
  }
}

/**
 * Replaces `file` with `text` so that a crash leaves either the old file or the new one, never a
 * mix: write a temporary file, fsync it, rename it over the old one, fsync the directory.
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    // writeFileSync on a descriptor loops until every byte is written (writeSync may stop short).
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const dirFd = openSync(dirname(file), 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
