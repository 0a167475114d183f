import { createHash, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { verifyDenyList } from '../src/domain/transit-crypto.js';
import type { DenyListDelta } from '../src/modules/transit/protocol.js';
import { writeFileAtomic } from './tap-queue.js';

/**
 * The terminal's copy of the deny-list (lost, stolen, returned cards): a Set, so a tap checks it
 * in O(1) whatever its size (a million cards is a few tens of MB). It changes only through
 * deltas signed by the server's Ed25519 key; a bad signature or a delta that does not start at
 * the version held is refused, and the next poll asks for a full snapshot (since=0).
 *
 * With a `file`, the list survives a restart: every applied change rewrites the file atomically
 * (temp + fsync + rename), and a new cache loads it, so its first poll asks for the delta since
 * the version held instead of the whole list. The file carries a SHA-256 of its entries and the
 * fingerprint of the key that verified them: a torn, edited or foreign file is ignored and the
 * terminal starts from a full snapshot. A stale file is harmless: the server sends the delta from
 * whatever version the terminal names.
 */

export type DeltaOutcome =
  | { applied: true; version: number; added: number; removed: number }
  | { applied: false; reason: 'BAD_SIGNATURE' | 'VERSION_GAP' | 'MALFORMED'; needFullSnapshot: true };

/** What a cache with a file found there when it was created. */
export type Restored =
  | { from: 'file'; version: number; size: number }
  | { from: 'none'; reason: 'NO_FILE' | 'MISSING' | 'CORRUPT' | 'OTHER_KEY' };

const FORMAT = 'onecard-deny-list/1';

interface FileHeader {
  format: string;
  version: number;
  key: string;
  count: number;
  sha256: string;
}

/** The deny-list file kept beside a terminal's tap journal (`queues/BUS-01.jsonl` → `queues/BUS-01.deny-list.json`). */
export function denyListFileFor(queueFile: string): string {
  return `${queueFile.replace(/\.jsonl$/, '')}.deny-list.json`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Covers the version and key as well as the entries, so no part of the file can change unnoticed. */
const digest = (version: number, key: string, body: string) => sha256(`${version}\n${key}\n${body}`);

/** Fingerprint of the verifying key, so a list verified under another server's key is not trusted. */
function keyFingerprint(publicKey: KeyObject): string {
  return sha256(publicKey.export({ format: 'der', type: 'spki' }).toString('base64')).slice(0, 32);
}

export class DenyListCache {
  private cards = new Set<string>();
  private current = 0;
  private needFull = true;
  private savedVersion: number | null = null;
  private readonly key: string;
  rejectedDeltas = 0;
  readonly restored: Restored;
  /** The last failure to write the file (the list in memory is still in force); null when the last write worked. */
  persistError: string | null = null;

  constructor(
    private readonly publicKey: KeyObject,
    private readonly options: { file?: string } = {},
  ) {
    this.key = keyFingerprint(publicKey);
    this.restored = options.file ? this.load(options.file) : { from: 'none', reason: 'NO_FILE' };
  }

  /** The deny-list version held; 0 before the first snapshot. */
  get version(): number {
    return this.current;
  }

  get size(): number {
    return this.cards.size;
  }

  has(cardNo: string): boolean {
    return this.cards.has(cardNo);
  }

  /** The `since` for the next poll: 0 (a full snapshot) when nothing trustworthy is held. */
  since(): number {
    return this.needFull ? 0 : this.current;
  }

  apply(delta: DenyListDelta): DeltaOutcome {
    if (!Array.isArray(delta.added) || !Array.isArray(delta.removed) || !Number.isSafeInteger(delta.version)) {
      return this.refuse('MALFORMED');
    }
    // A refused delta leaves the list held in force: stale is safer than empty.
    if (!verifyDenyList(this.publicKey, delta)) return this.refuse('BAD_SIGNATURE');
    if (delta.full) {
      this.cards = new Set(delta.added);
      for (const cardNo of delta.removed) this.cards.delete(cardNo);
      this.current = delta.version;
      this.needFull = false;
      this.save(true);
      return { applied: true, version: this.current, added: this.cards.size, removed: 0 };
    }
    if (this.needFull || delta.fromVersion !== this.current || delta.version < delta.fromVersion) return this.refuse('VERSION_GAP');
    for (const cardNo of delta.added) this.cards.add(cardNo);
    for (const cardNo of delta.removed) this.cards.delete(cardNo);
    this.current = delta.version;
    this.save(false);
    return { applied: true, version: this.current, added: delta.added.length, removed: delta.removed.length };
  }

  private refuse(reason: 'BAD_SIGNATURE' | 'VERSION_GAP' | 'MALFORMED'): DeltaOutcome {
    this.rejectedDeltas += 1;
    this.needFull = true;
    return { applied: false, reason, needFullSnapshot: true };
  }

  /**
   * Writes the list when it changed (a full snapshot, or a new version). A failed write does not
   * fail the poll: the file keeps an older version, which is safe, and the next change retries.
   */
  private save(full: boolean): void {
    const file = this.options.file;
    if (!file || (!full && this.current === this.savedVersion)) return;
    try {
      const body = JSON.stringify([...this.cards]);
      const header: FileHeader = { format: FORMAT, version: this.current, key: this.key, count: this.cards.size, sha256: digest(this.current, this.key, body) };
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomic(file, `${JSON.stringify(header)}\n${body}\n`);
      this.savedVersion = this.current;
      this.persistError = null;
    } catch (error) {
      this.savedVersion = null;
      this.persistError = error instanceof Error ? error.message : String(error);
    }
  }

  private load(file: string): Restored {
    if (!existsSync(file)) return { from: 'none', reason: 'MISSING' };
    let header: FileHeader;
    let cards: unknown;
    try {
      const text = readFileSync(file, 'utf8');
      const split = text.indexOf('\n');
      if (split < 0) return { from: 'none', reason: 'CORRUPT' };
      header = JSON.parse(text.slice(0, split)) as FileHeader;
      const body = text.slice(split + 1).trimEnd();
      if (header?.format !== FORMAT || digest(header.version, header.key, body) !== header.sha256) return { from: 'none', reason: 'CORRUPT' };
      cards = JSON.parse(body);
    } catch {
      return { from: 'none', reason: 'CORRUPT' };
    }
    if (header.key !== this.key) return { from: 'none', reason: 'OTHER_KEY' };
    const valid = Number.isSafeInteger(header.version) && header.version >= 0 && Array.isArray(cards) && cards.length === header.count && cards.every((c) => typeof c === 'string');
    if (!valid) return { from: 'none', reason: 'CORRUPT' };
    this.cards = new Set(cards as string[]);
    this.current = header.version;
    this.needFull = false;
    this.savedVersion = header.version;
    return { from: 'file', version: this.current, size: this.cards.size };
  }
}
