import type { LoggerService, LogLevel } from '@nestjs/common';
import type { BrokerLogger, LogFields } from '@tributary/broker';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogLevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * The broker's logger: pino writing one JSON object per line to stdout, or, with `pretty`,
 * pino-pretty's single lines for a terminal (`tributary cluster up`). Asynchronous by default:
 * a synchronous write into a pipe its reader drains slowly would stall the event loop, and with
 * it lease renewals; `sync` is for the last lines before an exit. Pino rather than nestjs-pino: the
 * broker has no HTTP request log to add, and this adapter (one class for broker code, one
 * for Nest's own messages) is all the integration it needs.
 */
export function createPinoLogger(options: { level: LogLevelName; pretty: boolean; base?: LogFields; fd?: 1 | 2; sync?: boolean }): Logger {
  const fd = options.fd ?? 1;
  const tty = (fd === 1 ? process.stdout : process.stderr).isTTY === true;
  const destination = options.pretty
    ? pretty({ colorize: tty, sync: options.sync ?? false, destination: fd, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : pino.destination({ dest: fd, sync: options.sync ?? false });
  return pino({ level: options.level, base: { ...options.base }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** BrokerLogger over pino: fields first, then the message, as pino writes them. */
export class PinoBrokerLogger implements BrokerLogger {
  constructor(readonly pino: Logger) {}

  debug(msg: string, fields?: LogFields): void {
    this.pino.debug(fields ?? {}, msg);
  }

  info(msg: string, fields?: LogFields): void {
    this.pino.info(fields ?? {}, msg);
  }

  warn(msg: string, fields?: LogFields): void {
    this.pino.warn(fields ?? {}, msg);
  }

  error(msg: string, fields?: LogFields): void {
    this.pino.error(fields ?? {}, msg);
  }

  child(bindings: LogFields): BrokerLogger {
    return new PinoBrokerLogger(this.pino.child(bindings));
  }
}

/** Nest's own messages (start-up errors, gateway stack traces) into the same pino stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  /** Nest's info chatter (a line per module and route at start) is debug in a broker's log. */
  log(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  setLogLevels(levels: LogLevel[]): void {
    void levels; // the level is LOG_LEVEL's, set on the pino logger
  }

  /** Nest passes (message, ...optionalParams, context): the last string is the context. */
  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = level === 'error' && typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
    const fields = { context, ...(stack ? { stack } : {}) };
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else this.pino[level](fields, typeof message === 'string' ? message : JSON.stringify(message));
  }
}
