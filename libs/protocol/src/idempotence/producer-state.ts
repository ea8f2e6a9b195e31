import { timestampToNumber, type BatchHeader } from '../batch';
import { TributaryError } from '../errors';

/** Kafka keeps this many batches per producer for duplicate detection; the client keeps at most as many in flight. */
export const MAX_BATCHES_PER_PRODUCER = 5;
const MAX_SEQUENCE = 0x7fffffff;

/** One appended batch of a producer, as duplicate detection needs it. */
export interface ProducerBatchInfo {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

/** What this replica knows of one producer id on one partition. */
export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** oldest first, at most MAX_BATCHES_PER_PRODUCER */
  batches: ProducerBatchInfo[];
  /** the latest batch's max timestamp (ms), what producer id expiration counts from, as Kafka's */
  lastTimestamp: number;
}

/** The leader's verdict on one incoming batch: append it, or answer with the offsets it already has. */
export type SequenceVerdict = { kind: 'append' } | { kind: 'duplicate'; firstOffset: number; lastOffset: number };

/** Kafka's DefaultRecordBatch.incrementSequence: sequences wrap from Int32 max to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > MAX_SEQUENCE - increment) return increment - (MAX_SEQUENCE - sequence) - 1;
  return sequence + increment;
}

/** The batch's last sequence: base sequence + lastOffsetDelta, wrapping. */
export function lastSequenceOf(h: Pick<BatchHeader, 'baseSequence' | 'lastOffsetDelta'>): number {
  return incrementSequence(h.baseSequence, h.lastOffsetDelta);
}

/**
 * Per-partition producer state (Kafka's ProducerStateManager without transactions), in the
 * protocol library because it is the contract of KIP-98 itself: the broker's log and the SDK's
 * fake broker apply the same rules: for each
 * producer id its epoch and the offsets and sequence ranges of its last five batches. The
 * leader checks incoming batches against it; every replica updates it from the batches it
 * appends, so a follower that becomes leader already knows every producer's sequence.
 */
export class ProducerStateMap {
  private readonly producers = new Map<number, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  get(producerId: number): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  entries(): ProducerEntry[] {
    return [...this.producers.values()];
  }

  clear(): void {
    this.producers.clear();
  }

  /** Replaces the whole state (a snapshot was loaded). */
  load(entries: readonly ProducerEntry[]): void {
    this.producers.clear();
    for (const e of entries) this.producers.set(e.producerId, { ...e, batches: e.batches.map((b) => ({ ...b })) });
  }

  /**
   * The leader's check of one idempotent batch (producerId >= 0) before it is appended.
   * `pending` holds the (epoch, last sequence) of batches of the same request already accepted
   * for appending, so several batches of one producer in one request chain correctly.
   * Throws OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_PRODUCER_EPOCH or UNKNOWN_PRODUCER_ID.
   */
  check(h: BatchHeader, pending?: { epoch: number; lastSeq: number }): SequenceVerdict {
    const who = `producer ${h.producerId}`;
    if (!isTrackable(h)) {
      throw TributaryError.of(
        'INVALID_RECORD',
        `${who} epoch ${h.producerEpoch} sequence ${h.baseSequence}: an idempotent batch needs a producer id from initProducerId, an epoch >= 0 and a base sequence >= 0`,
      );
    }
    const entry = this.producers.get(h.producerId);
    const epoch = pending?.epoch ?? entry?.epoch;
    if (epoch === undefined) {
      // Nothing known (new, or expired): a producer starts at sequence 0.
      if (h.baseSequence !== 0) {
        throw TributaryError.of(
          'UNKNOWN_PRODUCER_ID',
          `${who} is not known on this partition (new or expired), and its batch starts at sequence ${h.baseSequence}, not 0`,
        );
      }
      return { kind: 'append' };
    }
    if (h.producerEpoch < epoch) {
      throw TributaryError.of('INVALID_PRODUCER_EPOCH', `${who} sent epoch ${h.producerEpoch}, older than its current epoch ${epoch}`);
    }
    if (h.producerEpoch > epoch) {
      if (h.baseSequence !== 0) {
        throw TributaryError.of('OUT_OF_ORDER_SEQUENCE_NUMBER', `${who} began epoch ${h.producerEpoch} at sequence ${h.baseSequence}; a new epoch starts at 0`);
      }
      return { kind: 'append' };
    }
    const lastSeq = lastSequenceOf(h);
    if (pending === undefined && entry !== undefined) {
      const dup = entry.batches.find((b) => b.firstSeq === h.baseSequence && b.lastSeq === lastSeq);
      if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
    }
    const previous = pending?.lastSeq ?? entry?.batches[entry.batches.length - 1]?.lastSeq ?? -1;
    const expected = previous < 0 ? 0 : incrementSequence(previous, 1);
    if (h.baseSequence !== expected) {
      throw TributaryError.of(
        'OUT_OF_ORDER_SEQUENCE_NUMBER',
        `${who} epoch ${h.producerEpoch}: expected sequence ${expected}, got a batch with sequences ${h.baseSequence}..${lastSeq}`,
      );
    }
    return { kind: 'append' };
  }

  /**
   * Records an appended batch (leader after its check, follower and log replay without one):
   * `h` carries the offsets the batch was written at. A newer epoch starts the producer afresh.
   */
  update(h: BatchHeader, wallClockMs: number): void {
    // a batch the leader would refuse (only in logs written before these checks) tracks nothing
    if (h.producerId < 0 || !isTrackable(h)) return;
    let entry = this.producers.get(h.producerId);
    if (entry === undefined || h.producerEpoch > entry.epoch) {
      entry = { producerId: h.producerId, epoch: h.producerEpoch, batches: [], lastTimestamp: -1 };
      this.producers.set(h.producerId, entry);
    }
    entry.batches.push({ firstSeq: h.baseSequence, lastSeq: lastSequenceOf(h), firstOffset: h.baseOffset, lastOffset: h.lastOffset });
    if (entry.batches.length > MAX_BATCHES_PER_PRODUCER) entry.batches.shift();
    const ts = timestampToNumber(h.maxTimestamp);
    // Without record timestamps the append time is the best age there is.
    entry.lastTimestamp = ts >= 0 ? Math.min(ts, Number.MAX_SAFE_INTEGER) : wallClockMs;
  }

  /** Drops producers whose last batch lies below the log start (retention or truncation removed it). */
  dropBelow(logStartOffset: number): void {
    for (const [id, e] of this.producers) {
      const last = e.batches[e.batches.length - 1];
      if (last === undefined || last.lastOffset < logStartOffset) this.producers.delete(id);
    }
  }

  /** Kafka's producer id expiration: producers silent for expirationMs are forgotten. Returns how many. */
  expire(now: number, expirationMs: number): number {
    let n = 0;
    for (const [id, e] of this.producers) {
      if (now - e.lastTimestamp >= expirationMs) {
        this.producers.delete(id);
        n++;
      }
    }
    return n;
  }
}

/** Ids beyond 2^53 are never allocated (and would not survive a JS number); epochs and sequences are never negative. */
function isTrackable(h: BatchHeader): boolean {
  return Number.isSafeInteger(h.producerId) && h.producerEpoch >= 0 && h.baseSequence >= 0;
}
