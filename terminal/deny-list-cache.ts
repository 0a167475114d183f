import type { KeyObject } from 'node:crypto';
import { verifyDenyList } from '../src/domain/transit-crypto.js';
import type { DenyListDelta } from '../src/modules/transit/protocol.js';

/**
 * The terminal's copy of the deny-list (lost, stolen, returned cards): a Set, so a tap checks it
 * in O(1) whatever its size (a million cards is a few tens of MB). It changes only through
 * deltas signed by the server's Ed25519 key; a bad signature or a delta that does not start at
 * the version held is refused, and the next poll asks for a full snapshot (since=0).
 */

export type DeltaOutcome =
  | { applied: true; version: number; added: number; removed: number }
  | { applied: false; reason: 'BAD_SIGNATURE' | 'VERSION_GAP' | 'MALFORMED'; needFullSnapshot: true };

export class DenyListCache {
  private cards = new Set<string>();
  private current = 0;
  private needFull = true;
  rejectedDeltas = 0;

  constructor(private readonly publicKey: KeyObject) {}

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
      return { applied: true, version: this.current, added: this.cards.size, removed: 0 };
    }
    if (this.needFull || delta.fromVersion !== this.current || delta.version < delta.fromVersion) return this.refuse('VERSION_GAP');
    for (const cardNo of delta.added) this.cards.add(cardNo);
    for (const cardNo of delta.removed) this.cards.delete(cardNo);
    this.current = delta.version;
    return { applied: true, version: this.current, added: delta.added.length, removed: delta.removed.length };
  }

  private refuse(reason: 'BAD_SIGNATURE' | 'VERSION_GAP' | 'MALFORMED'): DeltaOutcome {
    this.rejectedDeltas += 1;
    this.needFull = true;
    return { applied: false, reason, needFullSnapshot: true };
  }
}
