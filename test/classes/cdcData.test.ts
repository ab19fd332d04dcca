// CDC notifications and serial data (CDC 1.2 §6.3, PSTN 1.2 §6.5.4): on the built gadget (interrupt IN 0x83,
// bulk 0x04/0x84), on the wire and as URBs, and on the public VCP capture.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { rawCapture, urbCapture } from "../../builder/capture.js";
import { compositeGadget } from "../../builder/classDevices.js";
import { analyzeFile, type TransferSummary } from "../../src/index.js";
import { publicDir } from "../helpers/paths.js";
import { transfersOf } from "./helpers.js";

/** SERIAL_STATE on interface 0: DCD and DSR on (PSTN 1.2 Table 31). */
const SERIAL_STATE = Uint8Array.of(0xa1, 0x20, 0, 0, 0, 0, 2, 0, 0x03, 0x00);
const NETWORK_CONNECTION = Uint8Array.of(0xa1, 0x00, 1, 0, 0, 0, 0, 0);
const TEXT = new TextEncoder().encode("AT+GMR\r\n");
const BINARY = Uint8Array.of(0x00, 0xff, 0x10);

const summaries = (ts: TransferSummary[]) =>
  ts
    .filter((t) => t.kind !== "control" && t.class !== undefined)
    .map((t) => [t.class!.name, t.class!.summary]);

const EXPECTED = [
  ["SERIAL_STATE", "DCD, DSR"],
  ["NETWORK_CONNECTION", "connected"],
  ["data", '"AT+GMR\\r\\n"'],
];

describe("CDC notifications and serial data", () => {
  it("on the wire", async () => {
    const bytes = rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(compositeGadget());
      sim.bulkIn(7, 3, SERIAL_STATE, 16);
      sim.bulkIn(7, 3, NETWORK_CONNECTION, 16);
      sim.bulkOut(7, 4, TEXT, 64);
      sim.bulkIn(7, 4, BINARY, 64);
    }).bytes;
    expect(summaries(await transfersOf(bytes))).toEqual(EXPECTED);
  });

  it("as URBs", async () => {
    const bytes = urbCapture({ format: "usbmon64" }, (host) => {
      host.enumerate(compositeGadget());
      host.interruptIn(7, 3, SERIAL_STATE);
      host.interruptIn(7, 3, NETWORK_CONNECTION);
      host.bulkOut(7, 4, TEXT);
      host.bulkIn(7, 4, BINARY);
    }).bytes;
    const ts = await transfersOf(bytes);
    expect(summaries(ts)).toEqual(EXPECTED);
    // Binary data is not shown as text.
    expect(ts.find((t) => t.kind === "bulk" && t.direction === "in")?.class).toBeUndefined();
    expect(ts.find((t) => t.class?.name === "SERIAL_STATE")?.class?.fields).toMatchObject({
      interface: 0,
      bmUartState: 3,
    });
  });

  it("the VCP capture's serial text", async () => {
    const ts: TransferSummary[] = [];
    await analyzeFile(join(publicDir, "real/294-fs-cdc-vcp-usbsniffer.pcapng"), {
      onTransfer: (t) => ts.push(t),
    });
    const text = ts.filter((t) => t.class?.name === "data").map((t) => t.class!.summary);
    expect(text.slice(0, 2)).toEqual(['"The quick brown fox jumps over t"', '"he lazy dog"']);
  });
});
