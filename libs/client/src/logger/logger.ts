/** KafkaJS's level numbers, so a KafkaJS user's logLevel setting carries over. */
export const LogLevel = {
  NOTHING: 0,
  ERROR: 1,
  WARN: 2,
  INFO: 4,
  DEBUG: 5,
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

export interface LogEntry {
  level: LogLevel;
  namespace: string;
  message: string;
  extra?: Record<string, unknown>;
  timestamp: number;
}

/** Where log lines go; the default writes to console, which exists in Node and browsers. */
export type LogSink = (entry: LogEntry) => void;

export interface Logger {
  error(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  debug(message: string, extra?: Record<string, unknown>): void;
  namespace(name: string): Logger;
}

export const consoleSink: LogSink = (entry) => {
  const line = `[tributary] ${new Date(entry.timestamp).toISOString()} ${entry.namespace}: ${entry.message}`;
  const args: unknown[] = entry.extra ? [line, entry.extra] : [line];
  if (entry.level === LogLevel.ERROR) console.error(...args);
  else if (entry.level === LogLevel.WARN) console.warn(...args);
  else if (entry.level === LogLevel.INFO) console.info(...args);
  else console.debug(...args);
};

export function createLogger(level: LogLevel, sink: LogSink = consoleSink, namespace = 'client'): Logger {
  const log = (at: LogLevel, message: string, extra?: Record<string, unknown>): void => {
    if (at > level || level === LogLevel.NOTHING) return;
    sink({ level: at, namespace, message, extra, timestamp: Date.now() });
  };
  return {
    error: (m, e) => log(LogLevel.ERROR, m, e),
    warn: (m, e) => log(LogLevel.WARN, m, e),
    info: (m, e) => log(LogLevel.INFO, m, e),
    debug: (m, e) => log(LogLevel.DEBUG, m, e),
    namespace: (name) => createLogger(level, sink, name),
  };
}
