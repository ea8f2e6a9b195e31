import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Issue 14: no error is swallowed silently in libs/broker and libs/coordination. Every
 * `catch` clause and every `.catch(handler)` must do one of: log (a call to a logger's
 * debug/info/warn/error, or a log helper), pass the error on (use the caught value, or hand
 * `.catch` a function reference), rethrow, or carry a comment saying why ignoring it is safe
 * (inside the handler, on its line, or on the lines just above the `.catch`).
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SCANNED = ['libs/broker/src', 'libs/coordination/src'];
const LOG_CALL = /(^|\.)(log|logger|warn|error|info|debug|logFailure|logged)\w*$/i;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) out.push(full);
  }
  return out;
}

function mentions(node: ts.Node, name: string): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function rethrowsOrLogs(body: ts.Node, sf: ts.SourceFile): boolean {
  let ok = false;
  const visit = (n: ts.Node): void => {
    if (ok) return;
    if (ts.isThrowStatement(n)) ok = true;
    else if (ts.isCallExpression(n) && LOG_CALL.test(n.expression.getText(sf))) ok = true;
    else ts.forEachChild(n, visit);
  };
  visit(body);
  return ok;
}

const hasComment = (text: string): boolean => /\/\/|\/\*|\*\//.test(text);

/** `file:line` of every catch that neither logs, passes on, rethrows nor says why. */
export function silentCatches(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const lineOf = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line;
  const check = (at: number, body: ts.Node, errorName: string | undefined, commentFrom: number): void => {
    if (errorName && mentions(body, errorName)) return;
    if (rethrowsOrLogs(body, sf)) return;
    if (hasComment(text.slice(body.getFullStart(), body.getEnd()))) return;
    if (hasComment(lines.slice(commentFrom, lineOf(at) + 1).join('\n'))) return;
    found.push(`${path.relative(ROOT, file)}:${lineOf(at) + 1}`);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isCatchClause(n)) {
      const name = n.variableDeclaration && ts.isIdentifier(n.variableDeclaration.name) ? n.variableDeclaration.name.text : undefined;
      check(n.getStart(sf), n.block, name, lineOf(n.getStart(sf)));
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'catch') {
      const handler = n.arguments[0];
      if (handler && (ts.isArrowFunction(handler) || ts.isFunctionExpression(handler))) {
        const p = handler.parameters[0];
        const name = p && ts.isIdentifier(p.name) ? p.name.text : undefined;
        const at = n.expression.name.getStart(sf);
        check(at, handler.body, name, Math.max(0, lineOf(at) - 3));
      }
      // anything else hands the error to a function of its own: passed on, not swallowed
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

describe('swallowed errors', () => {
  it('libs/broker and libs/coordination leave no catch without a log or a written reason', () => {
    const files = SCANNED.flatMap((d) => sources(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(20);
    expect(files.flatMap(silentCatches)).toEqual([]);
  });

  it('the scan finds a silent catch, and accepts a logged, a passed-on and an explained one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catch-scan-'));
    const file = path.join(dir, 'sample.ts');
    fs.writeFileSync(
      file,
      [
        'void p.catch(() => undefined);', // 1: silent
        'try { f(); } catch { g(); }', // 2: silent
        'void p.catch((err) => log.warn("x", { reason: String(err) }));',
        'void p.catch(reject);',
        '// closing is best effort: the process exits next',
        'void p.catch(() => undefined);',
        'try { f(); } catch (e) { handle(e); }',
        'try { f(); } catch {',
        '  // a reason',
        '}',
      ].join('\n'),
    );
    try {
      expect(silentCatches(file).map((s) => s.split(':').pop())).toEqual(['1', '2']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
