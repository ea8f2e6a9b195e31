import type { Buffer } from 'buffer';
import { TributaryError } from '../errors';

/** Bounds-checked reads over a buffer: running off the end is a CORRUPT_MESSAGE, never a RangeError. */
export class ByteReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw TributaryError.of('CORRUPT_MESSAGE', `truncated data: need ${n} bytes at ${this.pos}, have ${this.end - this.pos}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  int64(): number {
    this.need(8);
    const v = Number(this.buf.readBigInt64BE(this.pos));
    this.pos += 8;
    return v;
  }

  unsignedVarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      this.need(1);
      const b = this.buf[this.pos++];
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw TributaryError.of('CORRUPT_MESSAGE', 'varint is longer than 5 bytes');
  }

  varint(): number {
    const z = this.unsignedVarint();
    return (z >>> 1) ^ -(z & 1);
  }

  varlong(): number {
    let z = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const b = this.buf[this.pos++];
      z += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      mul *= 0x80;
    }
    throw TributaryError.of('CORRUPT_MESSAGE', 'varlong is longer than 10 bytes');
  }

  /**
   * A zig-zag varlong read exactly: a number while it fits (the usual small timestamp delta,
   * no BigInt involved), the bigint beyond 2^53, where varlong() would round. Up to 10 bytes,
   * as Kafka's 64-bit varlong.
   */
  varlongExact(): number | bigint {
    const start = this.pos;
    let z = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      this.need(1);
      const b = this.buf[this.pos++];
      z += (b & 0x7f) * mul;
      // Seven groups hold 49 bits: still exact as a number.
      if ((b & 0x80) === 0) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      mul *= 0x80;
    }
    this.pos = start;
    let big = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1);
      const b = this.buf[this.pos++];
      big |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        big = BigInt.asUintN(64, big);
        const v = (big >> 1n) ^ -(big & 1n);
        return v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      shift += 7n;
    }
    throw TributaryError.of('CORRUPT_MESSAGE', 'varlong is longer than 10 bytes');
  }

  /** Moves past n bytes without looking at them. */
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** A view (no copy) of the next n bytes. */
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}
