import { Buffer } from 'buffer';
import { Command } from 'commander';
import { compileFormat } from './record-format';
import { parseStartOffset } from './start-offset';
import { completionScript } from './completion';

const record = {
  topic: 'orders',
  partition: 2,
  offset: 41,
  timestamp: 1_700_000_000_000,
  key: Buffer.from('k1'),
  value: Buffer.from('hello'),
  headers: { a: Buffer.from('1'), b: Buffer.from('two') },
};

describe('consume --format (kcat tokens)', () => {
  it('prints every token and escape', () => {
    expect(compileFormat('%t/%p@%o %k=%s [%h] %T %S %K 100%%\\n')(record)).toBe(`orders/2@41 k1=hello [a=1,b=two] 1700000000000 5 2 100%\n`);
    expect(compileFormat('%k|%s\\t')({ ...record, key: null, value: null, headers: {} })).toBe('|\t');
  });

  it('refuses an unknown token or escape, and a lone % at the end, naming it', () => {
    expect(() => compileFormat('%q')).toThrow("unknown token '%q'");
    expect(() => compileFormat('\\x')).toThrow("unknown escape '\\x'");
    expect(() => compileFormat('abc%')).toThrow("lone '%'");
  });
});

describe('consume --offset', () => {
  it('takes earliest, latest, N, -N and @time', () => {
    expect(parseStartOffset('earliest')).toEqual({ kind: 'earliest' });
    expect(parseStartOffset('latest')).toEqual({ kind: 'latest' });
    expect(parseStartOffset('12')).toEqual({ kind: 'absolute', offset: 12 });
    expect(parseStartOffset('-3')).toEqual({ kind: 'fromEnd', count: 3 });
    expect(parseStartOffset('@1700000000000')).toEqual({ kind: 'timestamp', ms: 1_700_000_000_000 });
    expect(parseStartOffset('@2023-11-14T22:13:20Z')).toEqual({ kind: 'timestamp', ms: 1_700_000_000_000 });
    expect(() => parseStartOffset('soon')).toThrow("--offset must be earliest, latest, N, -N (N from the end) or @timestamp (ms or ISO date), got 'soon'");
    expect(() => parseStartOffset('@yesterday')).toThrow('got');
  });
});

describe('completion', () => {
  it('lists each level of commands and each command’s options, hidden ones left out', () => {
    const program = new Command('tool');
    const sub = program.command('groups');
    sub.command('delete').option('--force', 'x').option('-q, --quiet', 'y');
    const script = completionScript(program, 'bash');
    expect(script).toContain('"") echo "groups" ;;');
    expect(script).toContain('"groups") echo "delete" ;;');
    expect(script).toContain('"groups delete") echo "--force --quiet -q --help" ;;');
    expect(script).toContain('complete -o default -F _tool tool');
  });
});
