// The filter grammar, by precedence (lowest first), in the spirit of Wireshark's display filters:
//   expr    := and ( ("||" | "or") and )*
//   and     := unary ( ("&&" | "and") unary )*
//   unary   := ("!" | "not") unary | "(" expr ")" | test
//   test    := FIELD [ OP value | "in" value ".." value | "contains" value ]     OP: == != < <= > >=
// A bare FIELD tests that the record has it (`rule`: records with a finding).
import { FilterError } from "./filterError.js";
import { tokenize, type Token } from "./lexer.js";

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export type FilterNode =
  | { type: "and" | "or"; left: FilterNode; right: FilterNode }
  | { type: "not"; operand: FilterNode }
  | { type: "compare"; field: Token; op: CompareOp; opColumn: number; value: Token }
  | { type: "in"; field: Token; opColumn: number; low: Token; high: Token }
  | { type: "contains"; field: Token; opColumn: number; value: Token }
  | { type: "present"; field: Token };

const COMPARE_OPS = new Set(["==", "!=", "<", "<=", ">", ">="]);

/** Parse `expr` into its tree; a FilterError names the column of what is wrong. */
export function parseFilter(expr: string): FilterNode {
  const tokens = tokenize(expr);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const next = () => tokens[pos++]!;
  const isWord = (t: Token, w: string) => t.type === "word" && t.text.toLowerCase() === w;
  const describe = (t: Token) => (t.type === "end" ? "the end of the filter" : `"${t.text}"`);

  function or(): FilterNode {
    let left = and();
    while ((peek().type === "op" && peek().text === "||") || isWord(peek(), "or")) {
      next();
      left = { type: "or", left, right: and() };
    }
    return left;
  }
  function and(): FilterNode {
    let left = unary();
    while ((peek().type === "op" && peek().text === "&&") || isWord(peek(), "and")) {
      next();
      left = { type: "and", left, right: unary() };
    }
    return left;
  }
  function unary(): FilterNode {
    const t = peek();
    if ((t.type === "op" && t.text === "!") || isWord(t, "not")) {
      next();
      return { type: "not", operand: unary() };
    }
    if (t.type === "(") {
      next();
      const inner = or();
      const close = next();
      if (close.type !== ")")
        throw new FilterError(
          `expected ")" to close the "(" at column ${t.column}, found ${describe(close)}`,
          close.column,
        );
      return inner;
    }
    return test();
  }
  function value(after: string): Token {
    const t = next();
    if (t.type !== "word" && t.type !== "string")
      throw new FilterError(`expected a value after ${after}, found ${describe(t)}`, t.column);
    return t;
  }
  function test(): FilterNode {
    const field = next();
    if (field.type !== "word" || /^(and|or|in|contains)$/i.test(field.text))
      throw new FilterError(`expected a field name, found ${describe(field)}`, field.column);
    if (!/^[a-z][a-z0-9_]*$/i.test(field.text))
      throw new FilterError(`expected a field name, found "${field.text}"`, field.column, field.text.length);
    const t = peek();
    if (t.type === "op" && COMPARE_OPS.has(t.text)) {
      next();
      return {
        type: "compare",
        field,
        op: t.text as CompareOp,
        opColumn: t.column,
        value: value(`"${t.text}"`),
      };
    }
    if (isWord(t, "in")) {
      next();
      const range = value('"in"');
      const cut = range.text.indexOf("..");
      if (range.type !== "word" || cut < 0)
        throw new FilterError(
          `expected a range LOW..HIGH after "in", e.g. 100..200`,
          range.column,
          range.text.length || 1,
        );
      const low = { ...range, text: range.text.slice(0, cut) };
      const high = { ...range, text: range.text.slice(cut + 2), column: range.column + cut + 2 };
      if (!low.text) throw new FilterError("the range has no low end", range.column);
      if (!high.text) throw new FilterError("the range has no high end", high.column);
      return { type: "in", field, opColumn: t.column, low, high };
    }
    if (isWord(t, "contains")) {
      next();
      return { type: "contains", field, opColumn: t.column, value: value('"contains"') };
    }
    return { type: "present", field };
  }

  const tree = or();
  const rest = peek();
  if (rest.type !== "end") {
    const hint =
      rest.type === ")"
        ? 'this ")" closes no "("'
        : `expected "&&", "||" or the end of the filter, found ${describe(rest)}`;
    throw new FilterError(hint, rest.column, Math.max(1, rest.text.length));
  }
  return tree;
}
