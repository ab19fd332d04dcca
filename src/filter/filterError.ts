// A filter expression that cannot be compiled: what is wrong and the column it starts at, shown
// under the expression with a caret (the CLI exits 2 on it).

export class FilterError extends Error {
  constructor(
    message: string,
    /** 1-based column in the expression. */
    readonly column: number,
    /** Characters the caret underlines (at least 1). */
    readonly width = 1,
  ) {
    super(message);
    this.name = "FilterError";
  }

  /** The expression, a caret line under the column, and the message: three lines, no newline at the end. */
  render(expr: string): string {
    const line = expr.replace(/[\t\r\n]/g, " ");
    const caret = " ".repeat(Math.max(0, this.column - 1)) + "^".repeat(Math.max(1, this.width));
    return `${line}\n${caret}\n${this.message} (column ${this.column})`;
  }
}
