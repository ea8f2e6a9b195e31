/** Context an operator filters on: topic, partition, epoch, peer, group, numbers. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined | readonly number[]>>;

/**
 * The logger the broker's libraries write to. Declared here, the lowest layer that logs, so
 * coordination and broker code log through one shape without importing Nest or pino; the
 * broker process supplies the implementation (pino, apps/broker).
 */
export interface StructuredLogger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** a logger that adds `bindings` to every line it writes */
  child(bindings: LogFields): StructuredLogger;
}

/** For tests and embedders that pass no logger: every line is dropped. */
export const silentLogger: StructuredLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** An error's message for a log line, whatever was thrown. */
export function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
