// `usbscope export` of whole captures: pcapng round trips in both link-type families, read back by tshark
// and by usbscope.
// Each capture is read by tshark once per file, with every field the assertions need.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { tsharkFields } from "../helpers/tshark.js";
import { DFU, exported, findings, KEYBOARDS, MOUSE } from "./exportHelpers.js";

const FIELDS = ["frame.time_epoch", "frame.len", "frame.cap_len", "frame.comment"];

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
