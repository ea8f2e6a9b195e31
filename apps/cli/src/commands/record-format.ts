import { InvalidArgumentError } from 'commander';
import type { Buffer } from 'buffer';

/** What a `--format` token can print of one consumed record. */
export interface FormattableRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
}

type Piece = string | ((r: FormattableRecord) => string);

/** kcat's `-f` tokens (the common ones); a missing key or value prints as kcat's empty string. */
const TOKENS: Record<string, (r: FormattableRecord) => string> = {
  t: (r) => r.topic,
  p: (r) => String(r.partition),
  o: (r) => String(r.offset),
  k: (r) => r.key?.toString() ?? '',
  s: (r) => r.value?.toString() ?? '',
  h: (r) =>
    Object.entries(r.headers)
      .map(([k, v]) => `${k}=${v.toString()}`)
      .join(','),
  T: (r) => String(r.timestamp),
  S: (r) => String(r.value?.length ?? -1),
  K: (r) => String(r.key?.length ?? -1),
};

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };

export const FORMAT_HELP =
  'kcat tokens: %t topic, %p partition, %o offset, %k key, %s value, %h headers (k=v,..), %T timestamp ms, %S value size, %K key size, %% ; escapes \\n \\t';

/**
 * Compiles a kcat-style format once; an unknown token or escape is a usage error naming it
 * (exit code 2) rather than being printed literally.
 */
export function compileFormat(format: string): (r: FormattableRecord) => string {
  const pieces: Piece[] = [];
  let text = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    const next = format[i + 1];
    if (c === '%' || c === '\\') {
      if (next === undefined) throw new InvalidArgumentError(`--format ends with a lone '${c}'`);
      i++;
      if (c === '%' && next === '%') text += '%';
      else if (c === '%') {
        const token = TOKENS[next];
        if (!token) throw new InvalidArgumentError(`--format: unknown token '%${next}' (${FORMAT_HELP})`);
        if (text) pieces.push(text);
        text = '';
        pieces.push(token);
      } else {
        const escaped = ESCAPES[next];
        if (escaped === undefined) throw new InvalidArgumentError(`--format: unknown escape '\\${next}'`);
        text += escaped;
      }
    } else text += c;
  }
  if (text) pieces.push(text);
  return (r) => pieces.map((p) => (typeof p === 'string' ? p : p(r))).join('');
}
