// The hex and ASCII dump: 16 bytes a row with the offset, as hexdump -C and xxd print them; printable ASCII
// only in the ASCII column (device bytes are hostile); a cap that is always said.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { hexDump, hexString } from "../../src/report/hexDump.js";
import { sanitizeTerminal } from "../../src/report/sanitize.js";

describe("hexDump", () => {
  it("prints 16 bytes a row with the offset, like hexdump -C (compared with the real one)", () => {
    const bytes = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 0x20) & 0xff);
    const ours = hexDump(bytes, { maxBytes: 0 });
    const ref = spawnSync("hexdump", ["-C"], { input: bytes, encoding: "utf8" });
    // hexdump -C: 8-digit offset, two spaces, 8 bytes, one more space, 8 bytes, then |ascii| (and a final offset line).
    const theirs = ref.stdout
      .trimEnd()
      .split("\n")
      .slice(0, -1)
      .map((l) => l.replace(/^0000(\w{4})/, "$1").replace(/\s+\|/, " |"));
    expect(ours.map((l) => l.replace(/\s+\|/, " |"))).toEqual(theirs);
  });

  it("shows printable ASCII only: control bytes, ESC sequences, DEL and high bytes become '.'", () => {
    const hostile = new TextEncoder().encode("A\u001b[2J\u0007\u007f\u00e9\u202eZ");
    const rows = hexDump(hostile);
    const ascii = rows[0]!.slice(rows[0]!.indexOf("|"));
    // A, ESC, "[2J", BEL, DEL, é (2 bytes of UTF-8), U+202E (3 bytes), Z.
    expect(ascii).toBe("|A.[2J.......Z|");
    expect(rows.every((r) => sanitizeTerminal(r) === r)).toBe(true);
    expect(rows.join("\n")).toMatch(/^[\x20-\x7e\n…]*$/);
  });

  it("caps the bytes shown and says how many were left out; 0 shows all", () => {
    const bytes = new Uint8Array(100);
    const capped = hexDump(bytes, { maxBytes: 32 });
    expect(capped).toHaveLength(3);
    expect(capped[2]).toBe("… 68 more bytes not shown (32 of 100)");
    expect(hexDump(bytes, { maxBytes: 0 })).toHaveLength(7);
    expect(hexDump(bytes, { maxBytes: 0, total: 300 }).at(-1)).toBe(
      "… the capture holds 100 of the 300 bytes",
    );
    expect(hexDump(new Uint8Array(0))).toEqual([]);
  });

  it("hexString is the JSON form: lower-case, no separators", () => {
    expect(hexString(Uint8Array.of(0x12, 0x01, 0xab))).toBe("1201ab");
  });
});
