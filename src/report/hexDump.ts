// Bytes as a hex and ASCII dump, 16 a row with the offset, as `hexdump -C`, `xxd` and Wireshark's
// bytes pane show them:
//
//   0000  12 01 00 02 00 00 00 40  09 12 01 00 00 01 01 02  |.......@........|
//
// The bytes come from devices: the ASCII column shows printable ASCII (0x20..0x7e) only, anything
// else as '.', so no byte can reach a terminal as a control character or an escape sequence.

/** Bytes shown per item when the caller does not say (`--max-bytes`): 16 rows. */
export const DEFAULT_MAX_BYTES = 256;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * The dump of `bytes`, one string per row, each starting with `indent`. `maxBytes` caps the bytes shown
 * (0: all of them); when it cuts, a last row says how many were left out. `total` is the number of
 * bytes the item really has when `bytes` already holds fewer (a capture that cut them): the last row
 * then says so too.
 */
export function hexDump(
  bytes: Uint8Array,
  options: { maxBytes?: number; indent?: string; total?: number } = {},
): string[] {
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const indent = options.indent ?? "";
  const shown = max > 0 && bytes.length > max ? max : bytes.length;
  const width = Math.max(4, (Math.max(shown, 1) - 1).toString(16).length);
  const rows: string[] = [];
  for (let row = 0; row < shown; row += 16) {
    let hex = "";
    let ascii = "";
    for (let i = row; i < row + 16; i++) {
      if (i === row + 8) hex += " ";
      if (i < shown) {
        const b = bytes[i]!;
        hex += `${HEX[b]} `;
        ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : ".";
      } else {
        hex += "   ";
      }
    }
    rows.push(`${indent}${row.toString(16).padStart(width, "0")}  ${hex} |${ascii}|`);
  }
  const notShown = bytes.length - shown;
  const total = options.total ?? bytes.length;
  if (notShown > 0) {
    rows.push(
      `${indent}… ${notShown} more byte${notShown === 1 ? "" : "s"} not shown (${shown} of ${bytes.length})`,
    );
  }
  if (total > bytes.length) {
    rows.push(`${indent}… the capture holds ${bytes.length} of the ${total} bytes`);
  }
  return rows;
}

/** Bytes as one lower-case hex string ("120100020000"), the JSON form of `data`. */
export function hexString(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}
