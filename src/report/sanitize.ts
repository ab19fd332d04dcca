// Strings from devices are hostile: a string descriptor can carry terminal escape sequences, control characters,
// bidirectional overrides (CVE-2021-42574 "Trojan Source") or HTML. Neutralise them before display.

/* eslint-disable no-control-regex -- these patterns exist to match control characters */
// ESC sequences: CSI (ESC [ … final byte), OSC/DCS/PM/APC/SOS (ESC ] P ^ _ X … BEL or ST), and two-byte ESC x.
const ESC_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[\]P^_X][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[\s\S]?)/g;
// 8-bit CSI/OSC/DCS introducers and their bodies (C1 controls), then the remaining C0, DEL and C1 controls.
const C1_SEQUENCE =
  /[\u009b][0-?]*[ -/]*[@-~]?|[\u009d\u0090\u009e\u009f\u0098][^\u0007\u009c]*[\u0007\u009c]?/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/* eslint-enable no-control-regex */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;

/** Strip C0/C1 control characters, ESC and 8-bit control sequences and bidi overrides, so a string prints as itself. */
export function sanitizeTerminal(s: string): string {
  return s.replace(ESC_SEQUENCE, "").replace(C1_SEQUENCE, "").replace(CONTROL, "").replace(BIDI, "");
}

/** sanitizeTerminal on each line of a multi-line message: its line breaks stay, everything else a terminal acts on goes. */
export function sanitizeLines(s: string): string {
  return s.split("\n").map(sanitizeTerminal).join("\n");
}

const HTML: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escape text for HTML element content and quoted attribute values; control characters are removed too. */
export function escapeHtml(s: string): string {
  return sanitizeTerminal(s).replace(/[&<>"']/g, (c) => HTML[c]!);
}
