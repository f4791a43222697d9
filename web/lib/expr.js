// A small, safe parser for expressions in x, evaluated with wasmgrad operators.
// No eval, no Function: a tokenizer, a recursive-descent parser to a tree, and an evaluator
// that maps every node to nd operators (so the result is differentiable to any order).
//
//   expr   := term (('+' | '-') term)*
//   term   := unary (('*' | '/') unary | unary)*      the second form is implicit: 3x, 2sin(x), (x+1)(x-1)
//                                                     (not before a number: '2 3' is an error)
//   unary  := ('-' | '+') unary | power
//   power  := atom (('^' | '**') unary)?              right-associative: 2^3^2 = 2^9, 2^-x allowed
//   atom   := number | x | pi | e | name '(' expr (',' expr)* ')' | '(' expr ')'
//
// Names are read greedily, longest known name first, so 'xsin(x)' is x·sin(x), 'pix' is π·x
// and 'exp' is never e·x·p.

/** Functions of one argument: the name typed → the nd operator. */
export const UNARY_FUNCTIONS = {
  sin: 'sin', cos: 'cos', tan: 'tan', exp: 'exp', log: 'log', ln: 'log', sqrt: 'sqrt', cbrt: 'cbrt',
  tanh: 'tanh', sigmoid: 'sigmoid', abs: 'abs', arcsin: 'arcsin', arccos: 'arccos', arctan: 'arctan',
  asin: 'arcsin', acos: 'arccos', atan: 'arctan', sinh: 'sinh', cosh: 'cosh', arcsinh: 'arcsinh',
  arccosh: 'arccosh', arctanh: 'arctanh', asinh: 'arcsinh', acosh: 'arccosh', atanh: 'arctanh',
  softplus: 'softplus', softsign: 'softsign', erf: 'erf', relu: 'relu', log2: 'log2', log10: 'log10',
  log1p: 'log1p', expm1: 'expm1', square: 'square', sign: 'sign', floor: 'floor', ceil: 'ceil',
  round: 'round',
};
/** Functions of two arguments. */
export const BINARY_FUNCTIONS = { max: 'maximum', min: 'minimum', pow: 'power', hypot: 'hypot', atan2: 'arctan2', arctan2: 'arctan2' };
export const CONSTANTS = { pi: Math.PI, e: Math.E };
const VARIABLE = 'x';

const NAMES = [...Object.keys(UNARY_FUNCTIONS), ...Object.keys(BINARY_FUNCTIONS), ...Object.keys(CONSTANTS), VARIABLE]
  .sort((a, b) => b.length - a.length);

/** A syntax error at characters [start, end) of the input. */
export class ParseError extends Error {
  constructor(message, start, end = start + 1) {
    super(message);
    this.name = 'ParseError';
    this.start = start;
    this.end = end;
  }
}

// ---- tokens --------------------------------------------------------------------------------

function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    const number = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i));
    if (number && /^[.\d]/.test(text.slice(i + number[0].length))) {
      throw new ParseError(`malformed number '${/^[.\d]+/.exec(text.slice(i))[0]}'`, i, i + number[0].length + 1);
    }
    if (number) {
      tokens.push({ type: 'number', value: Number(number[0]), start: i, end: i + number[0].length });
      i += number[0].length;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      const rest = text.slice(i);
      const name = NAMES.find((n) => rest.startsWith(n));
      if (!name) {
        const word = /^[A-Za-z_]\w*/.exec(rest)[0];
        throw new ParseError(`unknown name '${word}' (the variable is x; functions: ${Object.keys(UNARY_FUNCTIONS).slice(0, 8).join(', ')}, …)`, i, i + word.length);
      }
      tokens.push({ type: 'name', value: name, start: i, end: i + name.length });
      i += name.length;
      continue;
    }
    if (text.startsWith('**', i)) {
      tokens.push({ type: 'op', value: '^', start: i, end: i + 2 });
      i += 2;
      continue;
    }
    const op = { '+': '+', '-': '-', '−': '-', '*': '*', '·': '*', '×': '*', '/': '/', '^': '^', '(': '(', ')': ')', ',': ',' }[c];
    if (!op) throw new ParseError(`unexpected character '${c}'`, i);
    tokens.push({ type: 'op', value: op, start: i, end: i + 1 });
    i++;
  }
  tokens.push({ type: 'end', value: 'end of input', start: text.length, end: text.length + 1 });
  return tokens;
}

// ---- parser --------------------------------------------------------------------------------

/**
 * The tree of an expression. Nodes: { type: 'number', value } | { type: 'x' } |
 * { type: 'neg', arg } | { type: 'binary', op: '+-* /^', left, right } | { type: 'call', name, args };
 * each with start/end character positions. Throws ParseError.
 */
export function parse(text) {
  if (typeof text !== 'string' || text.trim() === '') throw new ParseError('type an expression in x, e.g. sin(x) * exp(-x^2/4)', 0, 1);
  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (value) => peek().type === 'op' && peek().value === value;
  const describe = (t) => (t.type === 'end' ? 'the end of the input' : `'${text.slice(t.start, t.end)}'`);
  const expect = (value, context) => {
    if (!isOp(value)) throw new ParseError(`expected '${value}' ${context}, found ${describe(peek())}`, peek().start, peek().end);
    return tokens[pos++];
  };
  const node = (fields, start, end) => ({ ...fields, start, end });
  const startsAtom = (t) => t.type === 'number' || t.type === 'name' || (t.type === 'op' && t.value === '(');

  function expression() {
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = tokens[pos++].value;
      const right = term();
      left = node({ type: 'binary', op, left, right }, left.start, right.end);
    }
    return left;
  }

  function term() {
    let left = unary();
    for (;;) {
      let op;
      if (isOp('*') || isOp('/')) op = tokens[pos++].value;
      else if (startsAtom(peek())) {
        // implicit multiplication: 3x, x sin(x), (x+1)(x-1); but not '2 3' or 'x 2', likely typos
        if (peek().type === 'number') throw new ParseError(`missing operator before ${describe(peek())}`, peek().start, peek().end);
        op = '*';
      } else return left;
      const right = unary();
      left = node({ type: 'binary', op, left, right }, left.start, right.end);
    }
  }

  function unary() {
    if (isOp('-') || isOp('+')) {
      const t = tokens[pos++];
      const arg = unary();
      return t.value === '-' ? node({ type: 'neg', arg }, t.start, arg.end) : arg;
    }
    return power();
  }

  function power() {
    const base = atom();
    if (!isOp('^')) return base;
    pos++;
    const exponent = unary();
    return node({ type: 'binary', op: '^', left: base, right: exponent }, base.start, exponent.end);
  }

  function atom() {
    const t = peek();
    if (t.type === 'number') {
      pos++;
      return node({ type: 'number', value: t.value }, t.start, t.end);
    }
    if (t.type === 'name') {
      pos++;
      if (t.value === VARIABLE) return node({ type: 'x' }, t.start, t.end);
      if (t.value in CONSTANTS) return node({ type: 'number', value: CONSTANTS[t.value], name: t.value }, t.start, t.end);
      const arity = t.value in BINARY_FUNCTIONS ? 2 : 1;
      if (!isOp('(')) {
        throw new ParseError(`${t.value} needs parentheses: ${t.value}(${arity === 2 ? 'a, b' : 'x'})`, t.start, t.end);
      }
      pos++;
      const args = [expression()];
      while (isOp(',')) {
        pos++;
        args.push(expression());
      }
      const close = expect(')', `to close ${t.value}(`);
      if (args.length !== arity) {
        throw new ParseError(`${t.value} takes ${arity} argument${arity > 1 ? 's' : ''}, got ${args.length}`, t.start, close.end);
      }
      return node({ type: 'call', name: t.value, args }, t.start, close.end);
    }
    if (t.type === 'op' && t.value === '(') {
      pos++;
      const inner = expression();
      const close = expect(')', `to close the '(' at column ${t.start + 1}`);
      return { ...inner, start: t.start, end: close.end, parenthesised: true };
    }
    throw new ParseError(t.type === 'end' ? 'the expression is incomplete' : `unexpected ${describe(t)}`, t.start, t.end);
  }

  const tree = expression();
  if (peek().type !== 'end') {
    const t = peek();
    throw new ParseError(t.value === ')' ? "unmatched ')'" : `unexpected ${describe(t)}`, t.start, t.end);
  }
  return tree;
}

// ---- printing and evaluation ------------------------------------------------------------------

const PRECEDENCE = { '+': 1, '-': 1, '*': 2, '/': 2, neg: 3, '^': 4 };

/** The tree written back with explicit operators and only the parentheses it needs. */
export function format(tree) {
  const wrap = (sub, min) => {
    const p = sub.type === 'binary' ? PRECEDENCE[sub.op] : sub.type === 'neg' ? PRECEDENCE.neg : 9;
    return p < min ? `(${format(sub)})` : format(sub);
  };
  switch (tree.type) {
    case 'number': return tree.name ?? String(tree.value);
    case 'x': return 'x';
    case 'neg': return `-${wrap(tree.arg, PRECEDENCE.neg)}`;
    case 'call': return `${tree.name}(${tree.args.map(format).join(', ')})`;
    default: {
      const p = PRECEDENCE[tree.op];
      if (tree.op === '^') return `${wrap(tree.left, p + 1)}^${wrap(tree.right, p)}`;
      const sep = tree.op === '*' ? ' * ' : ` ${tree.op} `;
      // left-associative: the right operand needs parentheses at equal precedence (a - (b - c))
      return `${wrap(tree.left, p)}${sep}${wrap(tree.right, p + 1)}`;
    }
  }
}

/** Whether the tree mentions x. */
export function dependsOnX(tree) {
  if (tree.type === 'x') return true;
  return [tree.arg, tree.left, tree.right, ...(tree.args ?? [])].some((t) => t && dependsOnX(t));
}

const BINARY_OPS = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide', '^': 'power' };
const JS_BINARY = { '+': (a, b) => a + b, '-': (a, b) => a - b, '*': (a, b) => a * b, '/': (a, b) => a / b, '^': (a, b) => a ** b };

/**
 * A function x ↦ tree(x) built from nd operators (pass it the `nd` namespace of wasmgrad).
 * The result always has x's shape and depends on x (a constant c becomes c + 0·x), so it can be
 * differentiated any number of times. Subtrees without x are computed once per call, as 0-d
 * arrays of x's dtype (or JS numbers for + - * / ^ of numbers).
 */
export function compile(tree, nd) {
  const evaluate = (t, x) => {
    switch (t.type) {
      case 'number': return t.value;
      case 'x': return x;
      case 'neg': {
        const v = evaluate(t.arg, x);
        return typeof v === 'number' ? -v : nd.negative(v);
      }
      case 'call': {
        const args = t.args.map((a) => evaluate(a, x));
        const op = UNARY_FUNCTIONS[t.name] ?? BINARY_FUNCTIONS[t.name];
        if (args.every((a) => typeof a === 'number')) args[0] = nd.array(args[0], { dtype: x.dtype });
        return nd[op](...args);
      }
      default: {
        const a = evaluate(t.left, x);
        const b = evaluate(t.right, x);
        if (typeof a === 'number' && typeof b === 'number') return JS_BINARY[t.op](a, b);
        return nd[BINARY_OPS[t.op]](a, b);
      }
    }
  };
  const constant = !dependsOnX(tree);
  return (x) => {
    const y = evaluate(tree, x);
    return constant ? x.mul(0).add(y) : y;
  };
}
