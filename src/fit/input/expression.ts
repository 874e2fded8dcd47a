// `--col KEY=EXPR` values: a column name, COLUMN*FACTOR, or arithmetic over columns and constants (+ − × ÷, parentheses, unary −),
// e.g. D=train_iters*global_batch_size*4096. Parsed by jsep (a parser only: it builds a syntax tree, which we walk ourselves with
// four operators — nothing is ever evaluated as code). Columns whose names are not identifiers are quoted: 'throughput/total_gflops'*1e9.
import jsep from 'jsep';
import { InputError } from '../../util/errors.ts';

/** A compiled column expression: the columns it reads and how to compute one row's value. */
export interface ColumnExpr {
  /** The text as given. */
  spec: string;
  /** Columns the value depends on (empty for a constant). */
  columns: string[];
  /** The value when no column is referenced (e.g. seq_len=4096). */
  constant?: number;
  /** One row's value; 'missing' names an empty cell, errors name the column (the caller adds file and line). */
  evaluate(get: (column: string) => string | undefined): { value: number } | { missing: string } | { error: string; column?: string };
}

type Node = jsep.Expression;

function missingColumn(name: string, header: readonly string[], key: string, file: string): InputError {
  const shown = header.length > 12 ? header.slice(0, 12).join(', ') + ', …' : header.join(', ');
  return new InputError(`missing required column '${name}' (mapped by --col ${key}=…; the file has: ${shown})`, { file, line: 1, field: name });
}

/** A dotted identifier (jsep reads optimizer.learning_rate as member access): the column name it spells, or undefined. */
function dotted(n: Node): string | undefined {
  if (n.type === 'Identifier') return (n as jsep.Identifier).name;
  if (n.type === 'MemberExpression') {
    const m = n as jsep.MemberExpression;
    const left = dotted(m.object);
    if (left === undefined || m.computed || m.property.type !== 'Identifier') return undefined;
    return `${left}.${(m.property as jsep.Identifier).name}`;
  }
  return undefined;
}

/**
 * Compiles SPEC against a header. An exact column name always wins (so names containing '/' or '*' work as they are); then the
 * older COLUMN*FACTOR form (a column name, '*', a number); then an arithmetic expression whose names must be columns of the file.
 */
export function compileColumnExpr(spec: string, header: readonly string[], key: string, file: string): ColumnExpr {
  const text = spec.trim();
  const cellNumber = (column: string, raw: string | undefined): { value: number } | { missing: string } | { error: string; column: string } => {
    const s = (raw ?? '').trim();
    if (s === '') return { missing: column };
    const v = Number(s);
    return Number.isFinite(v) ? { value: v } : { error: `not a number: '${raw}'`, column };
  };
  if (header.includes(text)) return { spec, columns: [text], evaluate: (get) => cellNumber(text, get(text)) };
  const legacy = /^(.*)\*\s*([0-9.]+(?:[eE][+-]?[0-9]+)?)$/.exec(text);
  if (legacy && header.includes(legacy[1].trim())) {
    const column = legacy[1].trim();
    const factor = Number(legacy[2]);
    if (!(factor > 0) || !Number.isFinite(factor)) throw new InputError(`factor must be a positive number, got '${legacy[2]}'`, { file, line: 1, field: `--col ${key}` });
    return { spec, columns: [column], evaluate: (get) => { const r = cellNumber(column, get(column)); return 'value' in r ? { value: r.value * factor } : r; } };
  }
  let ast: Node;
  try {
    ast = jsep(text);
  } catch (e) {
    // Not an expression either: most likely a column name with a typo.
    if (/^[\w.]+$/.test(text)) throw missingColumn(text, header, key, file);
    throw new InputError(`cannot read '${spec}' as a column or an expression (+ − * / over columns and numbers): ${(e as Error).message}`, { field: `--col ${key}` });
  }
  const columns = new Set<string>();
  const check = (n: Node): void => {
    switch (n.type) {
      case 'Literal': {
        const v = (n as jsep.Literal).value;
        if (typeof v === 'string') {
          if (!header.includes(v)) throw missingColumn(v, header, key, file);
          columns.add(v);
        } else if (typeof v !== 'number') throw new InputError(`'${spec}': only numbers and column names may appear, not ${JSON.stringify(v)}`, { field: `--col ${key}` });
        return;
      }
      case 'Identifier':
      case 'MemberExpression': {
        const name = dotted(n);
        if (name === undefined) throw new InputError(`'${spec}': only + − * / over columns and numbers`, { field: `--col ${key}` });
        if (!header.includes(name)) throw missingColumn(name, header, key, file);
        columns.add(name);
        return;
      }
      case 'BinaryExpression': {
        const b = n as jsep.BinaryExpression;
        if (!['+', '-', '*', '/'].includes(b.operator)) throw new InputError(`'${spec}': operator '${b.operator}' is not allowed (only + − * /)`, { field: `--col ${key}` });
        check(b.left);
        check(b.right);
        return;
      }
      case 'UnaryExpression': {
        const u = n as jsep.UnaryExpression;
        if (u.operator !== '-' && u.operator !== '+') throw new InputError(`'${spec}': operator '${u.operator}' is not allowed (only + − * /)`, { field: `--col ${key}` });
        check(u.argument);
        return;
      }
      default:
        throw new InputError(`'${spec}': only + − * / over columns and numbers (found ${n.type})`, { field: `--col ${key}` });
    }
  };
  check(ast);
  const value = (n: Node, get: (c: string) => string | undefined): number => {
    switch (n.type) {
      case 'Literal': {
        const v = (n as jsep.Literal).value;
        if (typeof v === 'number') return v;
        const r = cellNumber(v as string, get(v as string));
        if ('value' in r) return r.value;
        throw r;
      }
      case 'Identifier':
      case 'MemberExpression': {
        const name = dotted(n)!;
        const r = cellNumber(name, get(name));
        if ('value' in r) return r.value;
        throw r;
      }
      case 'UnaryExpression': {
        const u = n as jsep.UnaryExpression;
        const x = value(u.argument, get);
        return u.operator === '-' ? -x : x;
      }
      default: {
        const b = n as jsep.BinaryExpression;
        const l = value(b.left, get);
        const r = value(b.right, get);
        if (b.operator === '/' && r === 0) throw { error: `division by zero in '${spec}'` };
        return b.operator === '+' ? l + r : b.operator === '-' ? l - r : b.operator === '*' ? l * r : l / r;
      }
    }
  };
  const evaluate: ColumnExpr['evaluate'] = (get) => {
    try {
      const v = value(ast, get);
      return Number.isFinite(v) ? { value: v } : { error: `'${spec}' is not finite` };
    } catch (e) {
      if (e && typeof e === 'object' && ('missing' in e || 'error' in e)) return e as { missing: string } | { error: string; column?: string };
      throw e;
    }
  };
  const cols = [...columns];
  if (cols.length === 0) {
    const r = evaluate(() => undefined);
    if (!('value' in r)) throw new InputError(`'${spec}': ${'error' in r ? r.error : 'no value'}`, { field: `--col ${key}` });
    return { spec, columns: [], constant: r.value, evaluate: () => r };
  }
  return { spec, columns: cols, evaluate };
}
