import { describe, it, expect } from "vitest";
import path from "node:path";
import { readCapture } from "../../src/capture/reader.js";
import { fileSource } from "../../src/capture/source.js";
import type { RecordBatch, RecordSink } from "../../src/usb/model.js";
import { bundledCaptures, publicCaptures } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";

class Counter implements RecordSink {
  records = 0;
  linktypes = new Map<number, number>();
  onBatch(b: RecordBatch): void {
    this.records += b.count;
    for (let i = 0; i < b.count; i++)
      this.linktypes.set(b.linktype[i]!, (this.linktypes.get(b.linktype[i]!) ?? 0) + 1);
  }
  onEnd(): void {}
}

describe("framing every public capture", () => {
  for (const file of [...publicCaptures(), ...bundledCaptures()]) {
    it(`frames every record of ${path.basename(path.dirname(file))}/${path.basename(file)} as tshark does`, async () => {
      const counter = new Counter();
      const source = await fileSource(file);
      const info = await readCapture(source, [counter]);
      await source.close();
      expect(info.error).toBeUndefined();
      const frames = tsharkFields(file, ["frame.number", "frame.interface_id"]);
      expect(counter.records).toBe(frames.length);
      expect(info.records).toBe(frames.length);
      // The record accounting's count per interface is tshark's (pcap: its one interface, which tshark does not
      // number; pcapng: a custom block has no interface).
      const perInterface = new Map<number, number>();
      for (const [, id] of frames) {
        const g = info.format === "pcap" ? 0 : id === "" ? -1 : Number(id);
        if (g >= 0) perInterface.set(g, (perInterface.get(g) ?? 0) + 1);
      }
      expect(
        new Map(info.interfaceRecords.filter((i) => i.records > 0).map((i) => [i.interface, i.records])),
      ).toEqual(perInterface);
      if (info.format === "pcapng")
        expect(frames.filter(([, id]) => id === "").length).toBe(info.customBlocks);
    });
  }
});
