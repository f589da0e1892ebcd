// A dot-product kernel typed by the user, k(t) with t = x·z: a small arithmetic language compiled to
// a function, with no access to anything but t and a few functions (never eval).
//   expr := term (('+' | '-') term)* ; term := unary (('*' | '/') unary)* ;
//   unary := '-' unary | power ; power := primary ('^' unary)? ;
//   primary := number | t | pi | e | name '(' expr ')' | '(' expr ')'

const FUNCTIONS = new Map<string, (x: number) => number>([
  ['sqrt', Math.sqrt],
  ['exp', Math.exp],
  ['log', Math.log],
  ['acos', (x) => Math.acos(Math.max(-1, Math.min(1, x)))],
  ['asin', (x) => Math.asin(Math.max(-1, Math.min(1, x)))],
  ['abs', Math.abs],
  ['cos', Math.cos],
  ['sin', Math.sin],
  ['tanh', Math.tanh],
]);
const CONSTANTS = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

type Node = (t: number) => number;

export class ExpressionError extends Error {}

/** Compiles k(t); throws ExpressionError naming the first problem and where it is. */
export function compileKernel(src: string): (t: number) => number {
  const tokens = src.match(/\s*(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|[a-z]+|[-+*/^()]|\S)/gi)?.map((s) => s.trim()) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const fail = (what: string): never => {
    throw new ExpressionError(`${what} at token ${i + 1}${tokens[i] ? ` ("${tokens[i]}")` : ' (the end)'} of "${src}"`);
  };
  const expect = (tok: string) => (peek() === tok ? i++ : fail(`expected "${tok}"`));
  const primary = (): Node => {
    const tok = peek();
    if (tok === undefined) return fail('an expression is missing');
    if (/^(\d|\.\d)/.test(tok)) {
      i++;
      const v = Number(tok);
      return () => v;
    }
    if (tok === '(') {
      i++;
      const e = expr();
      expect(')');
      return e;
    }
    if (/^[a-z]+$/i.test(tok)) {
      i++;
      const name = tok.toLowerCase();
      if (name === 't') return (t) => t;
      const c = CONSTANTS.get(name);
      if (c !== undefined) return () => c;
      const f = FUNCTIONS.get(name);
      if (!f) {
        i--;
        return fail(`unknown name "${tok}" (use t, pi, e, ${[...FUNCTIONS.keys()].join(', ')})`);
      }
      expect('(');
      const arg = expr();
      expect(')');
      return (t) => f(arg(t));
    }
    return fail('unexpected');
  };
  const unary = (): Node => {
    if (peek() === '-') {
      i++;
      const u = unary();
      return (t) => -u(t);
    }
    return power();
  };
  // Right-associative, binding tighter than a leading minus: -t^2 = −(t²), 2^3^2 = 2⁹.
  const power = (): Node => {
    const base = primary();
    if (peek() !== '^') return base;
    i++;
    const exp = unary();
    return (t) => base(t) ** exp(t);
  };
  const term = (): Node => {
    let left = unary();
    for (let op = peek(); op === '*' || op === '/'; op = peek()) {
      i++;
      const a = left;
      const b = unary();
      left = op === '*' ? (t) => a(t) * b(t) : (t) => a(t) / b(t);
    }
    return left;
  };
  const expr = (): Node => {
    let left = term();
    for (let op = peek(); op === '+' || op === '-'; op = peek()) {
      i++;
      const a = left;
      const b = term();
      left = op === '+' ? (t) => a(t) + b(t) : (t) => a(t) - b(t);
    }
    return left;
  };
  if (src.length > 400) throw new ExpressionError('the kernel expression is longer than 400 characters');
  const root = expr();
  if (i < tokens.length) fail('unexpected');
  return root;
}
