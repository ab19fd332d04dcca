// DFU requests against tshark 4.0's usbdfu (DFU 1.1 §3, §6). tshark 4.0 claims DFU only for a dozen
// vendor and product IDs it knows or by decode-as on the device's (`-d usb.product==0xVVVVPPPP,usbdfu`),
// so it runs once per capture with that decode-as. On built DFU captures (raw, usbmon, USBPcap: downloads
// that complete, fail, start in dfuERROR and abort, an upload, GETSTATE, DETACH), every DFU request tshark
// decodes must be the request usbscope names at that record, to the same interface, with the same block
// number, wLength and DETACH wTimeout; every GETSTATUS reply the same bStatus, bwPollTimeout, bState and
// iString, every GETSTATE reply the same bState; and every DFU request usbscope decodes must be one tshark
// decodes. Differences, named where they are checked: on URB captures tshark misplaces the completion of a
// DNLOAD of wLength 0; none of the public captures holds a DFU request (their DFU interfaces are only
// enumerated), and there decode-as makes tshark call every class and vendor request of the device DFU.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { tsharkFields } from "../helpers/tshark.js";
import { publicDir } from "../helpers/paths.js";
import { tempFile } from "../builder/helpers.js";
import { rawCapture, urbCapture } from "../../builder/capture.js";
import { setupPacket } from "../../builder/device.js";
import {
  DfuState,
  DfuStatus,
  busControlHost,
  dfuDownload,
  dfuModeDevice,
  dfuStatus,
  firmwareImage,
  urbControlHost,
  type ControlHost,
} from "../../builder/dfu.js";
import { analyzeFile, type ClassFieldValue, type TransferSummary } from "../../src/index.js";
import { AT_FIELDS, atOf, matchBothWays, transferAt, type TsharkAt } from "./tsharkMatch.js";

const FIELDS = [
  ...AT_FIELDS,
  "usbdfu.command",
  "usbdfu.response",
  "usbdfu.interface",
  "usbdfu.block_number",
  "usbdfu.length",
  "usbdfu.timeout",
  "usbdfu.status",
  "usbdfu.poll_timeout",
  "usbdfu.state",
  "usbdfu.iString",
  "_ws.malformed",
];

/** DFU 1.1 Table 3.2 by bRequest, as usbscope names the requests. */
const REQUESTS = [
  "DFU_DETACH",
  "DFU_DNLOAD",
  "DFU_UPLOAD",
  "DFU_GETSTATUS",
  "DFU_CLRSTATUS",
  "DFU_GETSTATE",
  "DFU_ABORT",
];

/** DFU 1.1 §6.1.2 bState names (tshark has names of its own, "dfuDownloadBusy"; the numbers are compared). */
const STATES = [
  "appIDLE",
  "appDETACH",
  "dfuIDLE",
  "dfuDNLOAD-SYNC",
  "dfuDNBUSY",
  "dfuDNLOAD-IDLE",
  "dfuMANIFEST-SYNC",
  "dfuMANIFEST",
  "dfuMANIFEST-WAIT-RESET",
  "dfuUPLOAD-IDLE",
  "dfuERROR",
];

interface Theirs extends TsharkAt {
  name: string;
  fields: Record<string, ClassFieldValue>;
  /** A reply (tshark's response frame), not the request. */
  reply?: boolean;
  /** A reply tshark gives to another request than the one it completes (the difference named below). */
  misplaced?: string;
}

function tsharkDfu(path: string, product: number): Theirs[] {
  const out: Theirs[] = [];
  const decodeAs = `usb.product==0x${product.toString(16).padStart(8, "0")},usbdfu`;
  const rows = tsharkFields(
    path,
    FIELDS,
    ["-d", decodeAs, "-Y", "usbdfu && (usb.transfer_type == 2 || usbll)"],
    "f",
  );
  for (const row of rows) {
    const at = atOf(row);
    const [command, response, iface, block, length, timeout, status, poll, state, iString, malformed] =
      row.slice(AT_FIELDS.length);
    const fields: Record<string, ClassFieldValue> = { interface: Number(iface) };
    if (command) {
      const code = Number(command);
      if (code === 0) fields.wTimeout = Number(timeout);
      if (code === 1 || code === 2)
        Object.assign(fields, { blockNum: Number(block), wLength: Number(length) });
      out.push({ ...at, name: REQUESTS[code] ?? `DFU request ${code}`, fields });
    } else if (response && malformed && !status && !state) {
      // The completion of a DNLOAD of wLength 0 (the end of a download, §6.1.1) on URB captures: tshark
      // marks its submission Malformed, keeps no command for it, and reads the completion as the reply to
      // the request before it (a GETSTATUS) with its 6 bytes missing. It is the DNLOAD's (same URB).
      out.push({
        ...at,
        name: "DFU_DNLOAD",
        fields: { wLength: 0 },
        reply: true,
        misplaced: REQUESTS[Number(response)],
      });
    } else if (response) {
      const code = Number(response);
      if (code === 3)
        Object.assign(fields, {
          bStatus: Number(status),
          bwPollTimeout: Number(poll),
          bState: Number(state),
          state: STATES[Number(state)]!,
          iString: Number(iString),
        });
      if (code === 5) Object.assign(fields, { bState: Number(state), state: STATES[Number(state)]! });
      out.push({ ...at, name: REQUESTS[code] ?? `DFU request ${code}`, fields, reply: true });
    }
  }
  return out;
}

async function ours(path: string): Promise<TransferSummary[]> {
  const ts: TransferSummary[] = [];
  await analyzeFile(path, { onTransfer: (t) => ts.push(t) });
  return ts.filter((t) => t.kind === "control" && t.class !== undefined);
}

/** The DFU device of builder/dfu.ts: 1209:df11. */
const DFU_PRODUCT = 0x1209df11;

/** Several sessions on one device, each with its own faults, then an upload, GETSTATE and DETACH. */
function dfuTraffic(h: ControlHost): void {
  dfuDownload(h, { image: firmwareImage(200), manifestationTolerant: true, pollTimeoutMs: 20 });
  dfuDownload(h, {
    image: firmwareImage(300),
    pollTimeoutMs: 1500,
    initial: { bStatus: DfuStatus.errSTALLEDPKT, bState: DfuState.dfuERROR },
    failAt: { block: 1, bStatus: DfuStatus.errVERIFY },
  });
  dfuDownload(h, { image: firmwareImage(256), transferSize: 128, abortAfter: 0 });
  // DFU 1.1 §6.2: UPLOAD block 0 (64 bytes) and block 1 (10: short, the end); GETSTATE; DETACH 1000 ms.
  h.read(9, setupPacket(0xa1, 0x02, 0, 0, 64), firmwareImage(64));
  h.read(9, setupPacket(0xa1, 0x02, 1, 0, 64), firmwareImage(10));
  h.read(9, setupPacket(0xa1, 0x05, 0, 0, 1), Uint8Array.of(DfuState.dfuIDLE));
  h.read(9, setupPacket(0xa1, 0x03, 0, 0, 6), dfuStatus(DfuStatus.OK, 0x012345, DfuState.dfuIDLE));
  h.none(9, setupPacket(0x21, 0x00, 1000, 0, 0));
}

function builtDfu(source: "raw" | "usbmon64" | "usbpcap"): Uint8Array {
  if (source === "raw")
    return rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(dfuModeDevice({ manifestationTolerant: true }));
      dfuTraffic(busControlHost(sim));
    }).bytes;
  return urbCapture({ format: source }, (host) => {
    host.enumerate(dfuModeDevice({ manifestationTolerant: true }));
    dfuTraffic(urbControlHost(host));
  }).bytes;
}

/** What was compared over all built captures (checked at the end). */
const compared = {
  requests: 0,
  replies: 0,
  statusReplies: 0,
  stateReplies: 0,
  blocks: 0,
  misplaced: 0,
  notDfu: 0,
};

describe("DFU requests agree with tshark (usbdfu, by decode-as)", () => {
  const cases: [string, () => string][] = [
    ["a built raw capture", () => tempFile(builtDfu("raw"))],
    ["a built usbmon capture", () => tempFile(builtDfu("usbmon64"))],
    ["a built USBPcap capture", () => tempFile(builtDfu("usbpcap"))],
  ];
  for (const [name, path] of cases) {
    it(`every DFU request and reply on ${name}`, async () => {
      const file = path();
      const theirs = tsharkDfu(file, DFU_PRODUCT);
      const mine = (await ours(file)).filter((t) => t.class!.class === "DFU");
      expect(theirs.length, "tshark decodes DFU requests here").toBeGreaterThan(0);
      matchBothWays(mine, theirs, "DFU requests tshark does not decode", (s, t, what) => {
        if (s.reply) compared.replies++;
        else compared.requests++;
        if (s.misplaced) {
          expect([s.misplaced, t.urb], what).toEqual(["DFU_GETSTATUS", expect.anything()]);
          compared.misplaced++;
        } else if ("bwPollTimeout" in s.fields) compared.statusReplies++;
        else if ("bState" in s.fields) compared.stateReplies++;
        if ("blockNum" in s.fields) compared.blocks++;
      });
    });
  }

  // The public captures with a DFU interface and the vendor and product ID to decode as: the Linux
  // CDC/MSC/DFU bootloader (1209:db42, a DFU runtime interface) and the UPEK reader's Broadcom Bluetooth
  // (0a5c:217f). Neither sends a DFU request. Decode-as is by device, so on the bootloader tshark calls
  // each of its class and vendor requests DFU, whatever interface wIndex names (the CDC, mass storage and
  // WebUSB requests); usbscope decodes each as the function it goes to (DFU 1.1 §3: DFU requests go to
  // the DFU interface). usbscope is right.
  it("names the difference on the public captures: no DFU request there, whatever decode-as says", async () => {
    const boot = join(publicDir, "real/220-cdc-msc-dfu-bootloader-linux.pcapng");
    const theirs = tsharkDfu(boot, 0x1209db42);
    const mine = await ours(boot);
    expect(mine.filter((t) => t.class!.class === "DFU")).toEqual([]);
    const requests = theirs.filter((s) => !s.reply);
    expect(requests.length).toBeGreaterThan(0);
    const functions = new Set<string>();
    for (const s of theirs) {
      const t = transferAt(mine, s);
      expect(t, `tshark's ${s.name} at record ${s.record}`).toBeDefined();
      functions.add(t!.class!.class);
    }
    expect([...functions].sort()).toEqual(["CDC", "WebUSB", "mass storage"]);
    compared.notDfu += requests.length;

    const upek = join(publicDir, "real/220-upek-fingerprint-dfu-if.pcapng");
    expect(tsharkDfu(upek, 0x0a5c217f)).toEqual([]);
    expect((await ours(upek)).filter((t) => t.class!.class === "DFU")).toEqual([]);
  });

  it("compared every DFU request (the counts the README gives)", () => {
    // Each built capture: 37 requests (10 with a block number), 22 GETSTATUS and 1 GETSTATE replies; the
    // URB ones 1 misplaced completion each. The bootloader: 13 requests of other functions.
    expect(compared).toEqual({
      requests: 111,
      replies: 99,
      statusReplies: 66,
      stateReplies: 3,
      blocks: 30,
      misplaced: 2,
      notDfu: 13,
    });
  });
});
