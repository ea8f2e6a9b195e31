import { Buffer } from 'buffer';

/** A growable buffer for encoding; varints are zig-zag encoded the way Kafka's records use them. */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(typeof v === 'bigint' ? v : BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  /** Zig-zag varint for values that fit in a signed 32-bit int. */
  varint(v: number): this {
    return this.unsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** Zig-zag varlong for any safe integer (timestamps deltas can exceed 32 bits). */
  varlong(v: number): this {
    // Zig-zag doubles the value: from 2^52 on that no longer fits a number exactly.
    if (v >= 2 ** 52 || v <= -(2 ** 52)) return this.varlongBig(BigInt(v));
    let z = v >= 0 ? v * 2 : -v * 2 - 1;
    this.ensure(10);
    while (z >= 0x80) {
      this.buf[this.pos++] = (z % 0x80) | 0x80;
      z = Math.floor(z / 0x80);
    }
    this.buf[this.pos++] = z;
    return this;
  }

  /** Zig-zag varlong of any int64, exact (a timestamp delta may need all 64 bits). */
  varlongBig(v: bigint): this {
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    this.ensure(10);
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
    return this;
  }

  unsignedVarint(v: number): this {
    this.ensure(5);
    while ((v & ~0x7f) !== 0) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.pos++] = v;
    return this;
  }

  bytes(data: Uint8Array): this {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
    return this;
  }

  /** Reserves n bytes to be patched later (lengths, CRCs); returns their position. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  patchUInt32(at: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, at);
  }

  reset(): void {
    this.pos = 0;
  }

  /** The written bytes (a view, not a copy). */
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Bytes `ByteWriter.varint(v)` writes. */
export function varintSize(v: number): number {
  return unsignedVarintSize(((v << 1) ^ (v >> 31)) >>> 0);
}

function unsignedVarintSize(v: number): number {
  let size = 1;
  while ((v & ~0x7f) !== 0) {
    v >>>= 7;
    size++;
  }
  return size;
}

/** Bytes `ByteWriter.varlong(v)` writes (the same as varlongBig for values beyond 2^52). */
export function varlongSize(v: number): number {
  if (v >= 2 ** 52 || v <= -(2 ** 52)) return varlongBigSize(BigInt(v));
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 0x80);
    size++;
  }
  return size;
}

/** Bytes `ByteWriter.varlongBig(v)` writes. */
export function varlongBigSize(v: bigint): number {
  let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  let size = 1;
  while (z >= 0x80n) {
    z >>= 7n;
    size++;
  }
  return size;
}
