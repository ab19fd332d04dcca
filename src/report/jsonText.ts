// JSON as usbscope prints it: JSON.stringify, with the characters a terminal acts on escaped as \uXXXX even
// inside strings. JSON.stringify escapes C0 controls but leaves DEL, the C1 controls (an 8-bit CSI, U+009B,
// starts an escape sequence on many terminals), the bidi overrides (U+202E turns text around: CVE-2021-42574)
// and U+2028/U+2029; so `cat`-ing a report of hostile device strings is safe. The strings keep what the
// device sent: \u202e parses back to U+202E.

const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * `JSON.stringify(value, null, indent)` with DEL, C1, bidi-control and line/paragraph-separator characters
 * escaped. Only strings can hold them (JSON's own syntax is ASCII), so the result is the same JSON value.
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE, escape);
}
