import * as fs from 'fs';
import * as path from 'path';
import { Buffer } from 'buffer';
import { readBatchHeader } from '@tributary/protocol';

/** A replica's batches as they lie on disk, read straight from its segment files. */
export function readReplicaBatches(dataDir: string, topic: string, partition: number): Array<{ lastOffset: number; bytes: Buffer }> {
  const dir = path.join(dataDir, `${topic}-${partition}`);
  if (!fs.existsSync(dir)) return [];
  const segments = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort();
  const out: Array<{ lastOffset: number; bytes: Buffer }> = [];
  for (const seg of segments) {
    const data = fs.readFileSync(path.join(dir, seg));
    let pos = 0;
    while (data.length - pos >= 61) {
      const h = readBatchHeader(data, pos);
      if (h.sizeInBytes <= 0 || pos + h.sizeInBytes > data.length) break;
      out.push({ lastOffset: h.lastOffset, bytes: Buffer.from(data.subarray(pos, pos + h.sizeInBytes)) });
      pos += h.sizeInBytes;
    }
  }
  return out;
}

/** The concatenated bytes of every batch wholly below `highWatermark`. */
export function committedBytes(dataDir: string, topic: string, partition: number, highWatermark: number): Buffer {
  return Buffer.concat(
    readReplicaBatches(dataDir, topic, partition)
      .filter((b) => b.lastOffset < highWatermark)
      .map((b) => b.bytes),
  );
}
