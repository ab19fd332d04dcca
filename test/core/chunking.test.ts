// Property: how the bytes arrive never changes what is decoded. Any chunk size from 1 byte to
// 8 MiB, any batch capacity, gives identical columns and framing verdicts; random and mutated
// files never crash, hang or lose a record.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import path from "node:path";
import { createCore } from "../../src/core/core.js";
import { collectBytes, type Collected } from "../helpers/collect.js";
import { publicDir } from "../helpers/paths.js";

const files = [
  "real/288-bad-crcs.pcap",
  "real/288-hackrf-lpc4330-dfu-enum.pcap",
  "real/294-fs-cdc-vcp-usbsniffer.pcapng",
  "packetry/ls-keepalive-divided-transaction/capture.pcapng",
  "real/220-elecom-mouse-usbmontools.pcap",
].map((f) => path.join(publicDir, f));

function strip(c: Collected) {
  return { ...c, data: c.data.map((d) => Buffer.from(d).toString("hex")), info: { ...c.info, bytes: 0 } };
}

describe("chunking does not change the result", () => {
  for (const file of files) {
    it(`${path.basename(file)}: chunk sizes 1 B .. 8 MiB and small batches give identical columns`, async () => {
      const bytes = readFileSync(file);
      const reference = strip(await collectBytes(bytes));
      expect(reference.pid.length).toBeGreaterThan(0);
      const sizes = [1, 2, 3, 5, 16, 17, 255, 4096, 65536, 8 << 20];
      for (const chunkSize of sizes) {
        expect(strip(await collectBytes(bytes, { chunkSize })), `chunk ${chunkSize}`).toEqual(reference);
      }
      // A tiny packet table forces BATCH_FULL in the middle of chunks; a tiny input region forces growth.
      const core = await createCore({ batchCapacity: 7, inputCapacity: 64 });
      expect(strip(await collectBytes(bytes, { chunkSize: 33, core })), "batch 7, input 64").toEqual(
        reference,
      );
    });
  }

  it("random chunk sizes on a random prefix give the same records and the same framing error", async () => {
    const bytes = readFileSync(files[2]!);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: bytes.length }),
        async (chunkSize, cut) => {
          const prefix = bytes.subarray(0, cut);
          const a = strip(await collectBytes(prefix));
          const b = strip(await collectBytes(prefix, { chunkSize }));
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("random and mutated input", () => {
  const seed = readFileSync(files[1]!);
  it("never throws, always ends, and accounts for every record it frames", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.integer({ min: 1, max: 4096 }),
        async (mutations, chunkSize) => {
          const bytes = Uint8Array.from(seed);
          for (const [at, value] of mutations) bytes[at] = value;
          const c = await collectBytes(bytes, { chunkSize });
          expect(c.info.records).toBe(c.pid.length);
          // Every framed record lies inside the file; offsets strictly increase.
          for (let i = 0; i < c.offset.length; i++) {
            expect(c.offset[i]!).toBeLessThan(bytes.length);
            if (i > 0) expect(c.offset[i]!).toBeGreaterThan(c.offset[i - 1]!);
          }
          if (c.info.error) expect(c.info.error.offset).toBeLessThanOrEqual(bytes.length);
        },
      ),
      { numRuns: 60 },
    );
  });
  it("survives arbitrary bytes behind a valid magic number", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0xa1b2c3d4, 0xd4c3b2a1, 0x0a0d0d0a),
        fc.uint8Array({ maxLength: 3000 }),
        async (magic, rest) => {
          const bytes = new Uint8Array(4 + rest.length);
          new DataView(bytes.buffer).setUint32(0, magic, true);
          bytes.set(rest, 4);
          const c = await collectBytes(bytes, { chunkSize: 97 });
          expect(c.info.records).toBe(c.pid.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("memory", () => {
  it("decoding a whole capture grows neither WASM memory nor the input region", async () => {
    const core = await createCore({ inputCapacity: 1 << 16 });
    const before = core.exports.memory.buffer.byteLength;
    const bytes = readFileSync(path.join(publicDir, "real/288-analyzer-testdev-bad-cable.pcap"));
    for (let i = 0; i < 3; i++) {
      const c = await collectBytes(bytes, { core, chunkSize: 4096 });
      expect(c.pid.length).toBe(14698);
    }
    expect(core.exports.memory.buffer.byteLength).toBe(before);
    expect(core.exports.inputCapacity()).toBe(1 << 16);
  });
});
