// The filter language's tokens: operators, parentheses, words (field names, numbers, names, byte
// sequences, ranges, ISO times) and quoted strings, each with the column it starts at.
import { FilterError } from "./filterError.js";

export type TokenType = "op" | "(" | ")" | "word" | "string" | "end";

export interface Token {
  type: TokenType;
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!"];
/** Characters a word may hold: names (bad-crc, PRE/ERR), numbers (-32, 0x81, 1.5), 1209:0001, 55:53, 100..200, ISO times. */
const WORD = /[A-Za-z0-9_:.+\-/?]/;

export function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const column = i + 1;
    if (c === "(" || c === ")") {
      tokens.push({ type: c, text: c, column });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => expr.startsWith(o, i));
    if (op) {
      tokens.push({ type: "op", text: op, column });
      i += op.length;
      continue;
    }
    if (c === "=") throw new FilterError(`"=" is not an operator: write "==" to compare`, column);
    if (c === "&" || c === "|") throw new FilterError(`"${c}" is not an operator: write "${c}${c}"`, column);
    if (c === '"' || c === "'") {
      const end = expr.indexOf(c, i + 1);
      if (end < 0) throw new FilterError("this quote is never closed", column);
      tokens.push({ type: "string", text: expr.slice(i + 1, end), column });
      i = end + 1;
      continue;
    }
    if (WORD.test(c)) {
      let j = i;
      while (j < expr.length && WORD.test(expr[j]!)) j++;
      tokens.push({ type: "word", text: expr.slice(i, j), column });
      i = j;
      continue;
    }
    throw new FilterError(`unexpected character "${c}"`, column);
  }
  tokens.push({ type: "end", text: "", column: expr.length + 1 });
  return tokens;
}
