import * as path from 'path';
import { CheckpointFile } from './checkpoint-file';

export const LOG_START_CHECKPOINT_FILE = 'log-start-offset-checkpoint';

/**
 * Where the log starts, kept apart from the segment names because it moves first: retention
 * records the new start here before deleting any file, so a crash in between cannot bring
 * deleted data back to life; open deletes whatever the checkpoint says is gone.
 */
export class LogStartCheckpoint {
  private readonly file: CheckpointFile;

  constructor(dir: string) {
    this.file = new CheckpointFile(path.join(dir, LOG_START_CHECKPOINT_FILE));
  }

  read(): number | null {
    const rows = this.file.read(1);
    return rows === null || rows.length === 0 ? null : rows[0][0];
  }

  write(logStartOffset: number): void {
    this.file.write([[logStartOffset]]);
  }
}
