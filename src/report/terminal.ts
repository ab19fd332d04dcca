// Text for a terminal: device strings are hostile, so control characters (C0, DEL, C1, and with
// them ANSI escape sequences) never reach the terminal.

/** Replace control characters with U+FFFD-free visible escapes such as \x1b. */
export function sanitizeForTerminal(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
