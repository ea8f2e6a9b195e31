import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { TributaryError } from '@tributary/protocol';
import { fsyncDir, writeFully } from './file-io';

/** Kafka's file name and text format (KIP-516): `version: 0` then `topic_id: <id>`. */
export const PARTITION_METADATA_FILE = 'partition.metadata';
const VERSION = 0;

/**
 * The topic incarnation a partition directory belongs to. Written (temp file, fsync, rename)
 * before the replica serves, so a directory left by a deleted incarnation of the same name is
 * recognised by its id and removed, never served as the new topic's data.
 */
export const PartitionMetadataFile = {
  /** the topic id recorded in `dir`, or null when the directory or the file does not exist */
  read(dir: string): string | null {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, PARTITION_METADATA_FILE), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
      throw err;
    }
    const fields = new Map(
      text
        .split('\n')
        .map((l) => l.split(':').map((s) => s.trim()))
        .filter((kv) => kv.length === 2)
        .map(([k, v]) => [k, v] as const),
    );
    const id = fields.get('topic_id');
    if (fields.get('version') !== String(VERSION) || !id) {
      throw TributaryError.of('KAFKA_STORAGE_ERROR', `${path.join(dir, PARTITION_METADATA_FILE)} is malformed: ${JSON.stringify(text.slice(0, 200))}`);
    }
    return id;
  },

  /** Creates `dir` if need be and records `topicId` in it, durably. */
  write(dir: string, topicId: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, PARTITION_METADATA_FILE);
    const tmp = `${file}.tmp`;
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    try {
      writeFully(fd, Buffer.from(`version: ${VERSION}\ntopic_id: ${topicId}\n`, 'utf8'), 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    fsyncDir(dir);
  },
};
