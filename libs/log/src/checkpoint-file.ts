import { Buffer } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { TributaryError } from '@tributary/protocol';
import { fsyncDir, writeFully } from './file-io';

const VERSION = 0;

/**
 * Kafka's checkpoint text format: a version line, a count line, then one line of
 * space-separated numbers per entry. Written to a temp file, fsynced and renamed over the
 * old one, so a crash leaves either the old or the new checkpoint, never half of one.
 */
export class CheckpointFile {
  constructor(readonly path: string) {}

  write(entries: readonly (readonly number[])[]): void {
    const text = [String(VERSION), String(entries.length), ...entries.map((e) => e.join(' '))].join('\n') + '\n';
    const tmp = this.path + '.tmp';
    const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
    try {
      writeFully(fd, Buffer.from(text, 'utf8'), 0);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.path);
    fsyncDir(path.dirname(this.path));
  }

  /** The entries, each with `width` numbers; null when the file does not exist. */
  read(width: number): number[][] | null {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const version = Number(lines[0]);
    const count = Number(lines[1]);
    if (version !== VERSION || !Number.isInteger(count) || lines.length !== count + 2) {
      throw this.malformed(`version ${lines[0]}, count ${lines[1]}, ${lines.length - 2} entries`);
    }
    return lines.slice(2).map((line) => {
      const fields = line.trim().split(/\s+/).map(Number);
      if (fields.length !== width || !fields.every(Number.isSafeInteger)) throw this.malformed(`bad entry "${line}"`);
      return fields;
    });
  }

  private malformed(detail: string): TributaryError {
    return TributaryError.of('KAFKA_STORAGE_ERROR', `checkpoint ${this.path} is malformed: ${detail}`);
  }
}
