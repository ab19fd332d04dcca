// CDC_NOTIFY_MPS (CDC 1.2 §6.3): a notification longer than its interrupt endpoint's wMaxPacketSize, proven
// both ways on the built gadget (notifications on 0x83): on the wire the transfer ends at the short packet
// after the header; as URBs a host posting one packet per URB (Linux's cdc-acm) shows the header alone, with
// the data in the next URB, and a host posting a larger buffer gets the whole notification in one.
import { describe, expect, it } from "vitest";
import { rawCapture, urbCapture, type UrbFormat } from "../../builder/capture.js";
import { compositeGadget } from "../../builder/classDevices.js";
import { analyzeSource, bufferSource, type Finding, type TransferSummary } from "../../src/index.js";

/** PSTN 1.2 §6.5.4: SERIAL_STATE on interface 0 with DCD and DSR on: 8-byte header, 2 data bytes. */
const SERIAL_STATE = Uint8Array.of(0xa1, 0x20, 0, 0, 0, 0, 2, 0, 0x03, 0x00);
/** CDC 1.2 §6.3.1: NETWORK_CONNECTION, header only (8 bytes). */
const NETWORK_CONNECTION = Uint8Array.of(0xa1, 0x00, 1, 0, 0, 0, 0, 0);
/** CDC 1.2 §6.3.3 (ECM 1.2 §6.3.3): CONNECTION_SPEED_CHANGE 0x2A, down 100 Mbit/s and up 10 Mbit/s. */
const SPEED_CHANGE = Uint8Array.of(
  0xa1,
  0x2a,
  0,
  0,
  0,
  0,
  8,
  0,
  0x00,
  0xe1,
  0xf5,
  0x05,
  0x80,
  0x96,
  0x98,
  0x00,
);
const ADDR = 7;
const EP = 3;

async function notifyFindings(bytes: Uint8Array): Promise<Finding[]> {
  const r = await analyzeSource(bufferSource(bytes), "built");
  const all = r.findings.sorted();
  // Nothing else on the healthy gadget: the notification rule is the only finding, or none.
  expect(all.filter((f) => f.severity !== "info" && f.rule !== "CDC_NOTIFY_MPS").map((f) => f.rule)).toEqual(
    [],
  );
  return all.filter((f) => f.rule === "CDC_NOTIFY_MPS");
}

/** On the wire: each notification in packets of `mps` bytes (a short one ends it). */
function onTheWire(mps: number, notifications: Uint8Array[]): Uint8Array {
  return rawCapture({ speed: "full" }, (sim) => {
    sim.enumerate(compositeGadget({ address: ADDR, notifyMps: mps }));
    for (const n of notifications) sim.bulkIn(ADDR, EP, n, mps, { zlp: true });
  }).bytes;
}

/** As URBs: `split` posts one URB per packet of `mps` bytes (cdc-acm), else one URB per notification. */
function asUrbs(format: UrbFormat, mps: number, notifications: Uint8Array[], split: boolean): Uint8Array {
  return urbCapture({ format }, (host) => {
    host.enumerate(compositeGadget({ address: ADDR, notifyMps: mps }));
    for (const n of notifications) {
      if (!split) host.interruptIn(ADDR, EP, n, { length: 64 });
      else
        for (let at = 0; at < n.length; at += mps)
          host.interruptIn(ADDR, EP, n.subarray(at, at + mps), { length: mps });
    }
  }).bytes;
}

describe("CDC_NOTIFY_MPS", () => {
  it("fires on the wire when SERIAL_STATE's 10 bytes take two packets of an 8-byte endpoint", async () => {
    const f = await notifyFindings(onTheWire(8, [SERIAL_STATE, SERIAL_STATE]));
    // Said once for the device's repeated notification of the same length.
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe("warning");
    expect(f[0]!.message).toContain(
      "interface 0 SERIAL_STATE notification is 10 bytes (8-byte header and 2 data bytes), longer than the 8-byte wMaxPacketSize of its interrupt endpoint 0x83",
    );
    expect(f[0]!.endpoint).toBe(0x83);
    expect(f[0]!.spec).toContain("CDC 1.2 §6.3");
  });

  it("stays silent on the wire when the endpoint takes 16 bytes, or the notification is the header alone", async () => {
    expect(await notifyFindings(onTheWire(16, [SERIAL_STATE, NETWORK_CONNECTION]))).toEqual([]);
    expect(await notifyFindings(onTheWire(8, [NETWORK_CONNECTION]))).toEqual([]);
  });

  it("names CONNECTION_SPEED_CHANGE by its code 0x2A, with its rates, and its 16 bytes fit a 16-byte endpoint", async () => {
    const bytes = asUrbs("usbmon64", 16, [SPEED_CHANGE], true);
    const ts: TransferSummary[] = [];
    const r = await analyzeSource(bufferSource(bytes), "built", { onTransfer: (t) => ts.push(t) });
    const n = ts.find((t) => t.class?.class === "CDC")?.class;
    expect(n).toMatchObject({
      name: "CONNECTION_SPEED_CHANGE",
      summary: "down 100000000 bit/s, up 10000000 bit/s",
    });
    expect(r.findings.sorted().filter((f) => f.rule === "CDC_NOTIFY_MPS")).toEqual([]);
  });

  it("fires for CONNECTION_SPEED_CHANGE's 16 bytes on an 8-byte endpoint (cdc_ether drops its rates)", async () => {
    const f = await notifyFindings(asUrbs("usbmon64", 8, [SPEED_CHANGE], true));
    expect(f.map((x) => x.message)).toEqual([
      expect.stringContaining(
        "CONNECTION_SPEED_CHANGE notification is 16 bytes (8-byte header and 8 data bytes)",
      ),
    ]);
  });

  for (const format of ["usbmon64", "usbpcap"] as const) {
    it(`fires as ${format} URBs: one packet per URB shows the header whose wLength runs past it`, async () => {
      const f = await notifyFindings(asUrbs(format, 8, [SERIAL_STATE], true));
      expect(f.map((x) => x.message)).toEqual([
        expect.stringContaining("SERIAL_STATE notification is 10 bytes"),
      ]);
    });

    it(`fires as ${format} URBs: a larger buffer got the 10 bytes in one URB`, async () => {
      const f = await notifyFindings(asUrbs(format, 8, [SERIAL_STATE], false));
      expect(f).toHaveLength(1);
    });

    it(`stays silent as ${format} URBs when each notification fits its endpoint`, async () => {
      expect(await notifyFindings(asUrbs(format, 16, [SERIAL_STATE, NETWORK_CONNECTION], false))).toEqual([]);
      expect(await notifyFindings(asUrbs(format, 8, [NETWORK_CONNECTION], true))).toEqual([]);
    });
  }
});
