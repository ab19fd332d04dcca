// How a text report meets the terminal: lines wrapped at its width with continuation lines indented
// under the text they continue, and colour (SGR) on the words a reader scans for: severity and verdict.
// Wrapping works on text already sanitised (sanitize.ts): what is measured is what is printed.
import type { Severity } from "../usb/finding.js";

/** How a text report is laid out (the CLI sets it from the terminal; the library default is no wrap, no colour). */
export interface TextLayout {
  /** Columns to wrap at; Infinity (the default) never wraps. */
  width?: number;
  /** ANSI colour on severity words and verdicts. */
  color?: boolean;
}

/** Below this many columns for the text, continuation lines are let run past the width rather than be unreadable. */
const MIN_TEXT_COLUMNS = 20;

/** Visible length: code points (a surrogate pair is one character on screen). */
function length(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * `head` followed by `text`, word-wrapped at `width` columns; continuation lines start with `indent` spaces
 * (default: under the start of `text`). Line breaks in `text` are kept; a word longer than the room left
 * (a device string with no spaces) is cut.
 */
export function wrap(head: string, text: string, width = Infinity, indent = length(head)): string[] {
  if (!Number.isFinite(width))
    return text.split("\n").map((t, i) => (i === 0 ? head : " ".repeat(indent)) + t);
  const out: string[] = [];
  const pad = " ".repeat(indent);
  let line = head;
  let used = length(head);
  let empty = true;
  const room = () => Math.max(width - used, MIN_TEXT_COLUMNS);
  const newLine = () => {
    out.push(line.trimEnd());
    line = pad;
    used = indent;
    empty = true;
  };
  text.split("\n").forEach((paragraph, p) => {
    if (p > 0) newLine();
    // Words with the spaces before them: a run of spaces inside a line stays, at a line break it goes.
    let gap = 0;
    for (const [, word, spaces] of paragraph.matchAll(/(\S+)( *)/g)) {
      let chars = Array.from(word!);
      if (!empty && used + gap + chars.length > width) newLine();
      if (!empty) {
        line += " ".repeat(gap);
        used += gap;
      }
      while (chars.length > room()) {
        line += chars.slice(0, room()).join("");
        chars = chars.slice(room());
        newLine();
      }
      line += chars.join("");
      used += chars.length;
      empty = false;
      gap = spaces!.length;
    }
  });
  out.push(line.trimEnd());
  return out;
}

const SGR = {
  red: "\u001b[31m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
  green: "\u001b[32m",
  bold: "\u001b[1m",
};
const RESET = "\u001b[0m";

export type Paint = keyof typeof SGR;

/** `text` in `paint` when colour is on (the escape is usbscope's own, added after sanitising). */
export function paint(text: string, p: Paint, layout: TextLayout): string {
  return layout.color ? `${SGR[p]}${text}${RESET}` : text;
}

export const SEVERITY_PAINT: Record<Severity, Paint> = { error: "red", warning: "yellow", info: "cyan" };
