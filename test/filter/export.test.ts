// `usbscope export` of whole captures: pcapng round trips in both link-type families, read back by tshark
// and by usbscope.
// Each capture is read by tshark once per file, with every field the assertions need.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { publicDir } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";

const MOUSE = path.join(publicDir, "packetry/mouse/capture.pcap");
const DFU = path.join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng");
const KEYBOARDS = path.join(publicDir, "real/249-hid-keyboard-multi-device.pcapng");
const dir = mkdtempSync(path.join(tmpdir(), "usbscope-export-"));
let n = 0;

async function exported(file: string, ...args: string[]): Promise<{ out: string; err: string }> {
  const out = path.join(dir, `e${n++}.pcapng`);
  const r = await cli(["export", file, "-o", out, ...args]);
  expect(r.code, r.err).toBe(0);
  return { out, err: r.err };
}

const FIELDS = ["frame.time_epoch", "frame.len", "frame.cap_len", "frame.comment"];

/** A finding as both analyses state it, without where its bytes lie in the file (the export moves them). */
async function findings(file: string, device?: number): Promise<string[]> {
  const doc = JSON.parse((await cli(["analyze", "--json", file])).out);
  // A filtered export renumbers the records: compare where findings point only for the whole capture.
  return doc.findings
    .filter((f: { device?: number }) => device === undefined || f.device === device)
    .map((f: Record<string, unknown>) =>
      JSON.stringify([
        f.rule,
        f.severity,
        f.message,
        f.device,
        f.endpoint,
        device === undefined ? f.packet : 0,
      ]),
    )
    .sort();
}

describe("export of a whole capture", () => {
  for (const file of [MOUSE, DFU, KEYBOARDS])
    it(`${path.basename(path.dirname(file))}/${path.basename(file)}: every record, its time and length, the link type; findings as comments`, async () => {
      const { out, err } = await exported(file);
      const before = tsharkFields(file, FIELDS);
      const after = tsharkFields(out, FIELDS);
      expect(err).toContain(`${before.length} of ${before.length} records`);
      expect(after.length).toBe(before.length);
      // Times (ns resolution), lengths as captured and on the wire.
      expect(after.map((f) => f.slice(0, 3))).toEqual(before.map((f) => f.slice(0, 3)));
      const src = JSON.parse((await cli(["analyze", "--json", file])).out);
      const dst = JSON.parse((await cli(["analyze", "--json", out])).out);
      expect(dst.linktype).toBe(src.linktype);
      expect(await findings(out)).toEqual(await findings(file));
      // Each finding of a record is a comment on that record, in the words usbscope said it.
      for (const f of src.findings.filter((x: { packet?: number }) => x.packet !== undefined)) {
        const c = after[f.packet]![3]!;
        expect(c).toContain(`usbscope ${f.severity} ${f.rule}: ${f.message}`);
      }
    });
});
