// Hub class requests against tshark 4.0's usbhub (USB 2.0 §11.24.2): on every public capture with hub
// traffic and on built ones (raw, usbmon, USBPcap), tshark runs once with all the fields. Every hub request
// it decodes must be the request usbscope names at that record (GET_STATUS, SET_FEATURE and CLEAR_FEATURE
// to the hub or to a port, GET_DESCRIPTOR, the TT requests), to the same port, with the same feature
// selector by name (tshark's own name, from its Info column) and the same test or indicator selector;
// every port GET_STATUS reply must carry the same wPortStatus and wPortChange; and every hub request
// usbscope decodes must be one tshark decodes. tshark 4.0 decodes no hub descriptor and no hub status
// reply (those are checked against the spec in requests.test.ts). Differences, named where they are
// checked: CLEAR_TT_BUFFER's device address and endpoint (tshark's mistake). The comparison found one of
// usbscope's: the DigiTech capture begins after the hubs' device descriptors, and usbscope left their
// GET_STATUS to the hub unnamed although the configuration it did see says interface class 9 (§11.23.1).
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { tsharkFields } from "../helpers/tshark.js";
import { publicDir } from "../helpers/paths.js";
import { tempFile } from "../builder/helpers.js";
import { rawCapture, urbCapture } from "../../builder/capture.js";
import { setupPacket } from "../../builder/device.js";
import { hubDescriptorBytes, hubDevice } from "../../builder/classDevices.js";
import { analyzeFile, type ClassFieldValue, type TransferSummary } from "../../src/index.js";
import { busRequests, urbRequests, HUB, type Requests } from "./helpers.js";
import { AT_FIELDS, atOf, matchBothWays, type TsharkAt } from "./tsharkMatch.js";

const FIELDS = [
  ...AT_FIELDS,
  "usb.bmRequestType",
  "usbhub.setup.bRequest",
  "usbhub.setup.wValue",
  "usbhub.setup.wIndex",
  "usbhub.setup.Dev_Addr",
  "usbhub.setup.EP_Num",
  "usbhub.status.port",
  "usbhub.change.port",
  "_ws.col.Info",
];

/** Table 11-16 by bRequest, with usbscope's names for the hub and the port forms. */
const NAMES: Record<number, [hub: string, port: string]> = {
  0: ["GET_HUB_STATUS", "GET_PORT_STATUS"],
  1: ["CLEAR_HUB_FEATURE", "CLEAR_PORT_FEATURE"],
  3: ["SET_HUB_FEATURE", "SET_PORT_FEATURE"],
  6: ["GET_HUB_DESCRIPTOR", "GET_HUB_DESCRIPTOR"],
  8: ["CLEAR_TT_BUFFER", "CLEAR_TT_BUFFER"],
  9: ["RESET_TT", "RESET_TT"],
  10: ["GET_TT_STATE", "GET_TT_STATE"],
  11: ["STOP_TT", "STOP_TT"],
};

/** §11.24.2.13 Table 11-24 and §11.24.2.7.1.10: the selectors in wIndex's high byte, as usbscope names them. */
const TEST_SELECTORS = ["", "Test_J", "Test_K", "Test_SE0_NAK", "Test_Packet", "Test_Force_Enable"];
const INDICATORS = ["automatic", "amber", "green", "off"];

interface Theirs extends TsharkAt {
  name: string;
  fields: Record<string, ClassFieldValue>;
  /** CLEAR_TT_BUFFER: what tshark shows as the device address and endpoint number (see the difference below). */
  tt?: { devAddr: number; epNum: number; wValue: number };
}

function tsharkHub(path: string): Theirs[] {
  const out: Theirs[] = [];
  const rows = tsharkFields(path, FIELDS, ["-Y", "usbhub.setup.bRequest || usbhub.status.port"]);
  for (const row of rows) {
    const at = atOf(row);
    const record = at.record;
    const [type, req, wValue, wIndex, devAddr, epNum, status, change, info] = row.slice(AT_FIELDS.length);
    if (status) {
      out.push({
        ...at,
        name: "GET_PORT_STATUS",
        fields: { wPortStatus: Number(status), wPortChange: Number(change) },
      });
      continue;
    }
    const code = Number(req);
    const toPort = (Number(type) & 0x1f) === 3;
    const name = NAMES[code]?.[toPort ? 1 : 0];
    expect(name, `hub bRequest ${req} at record ${record}`).toBeDefined();
    const fields: Record<string, ClassFieldValue> = {};
    const value = Number(wValue);
    const index = Number(wIndex);
    if (toPort) fields.port = index & 0xff;
    if (code === 1 || code === 3) {
      // tshark's name for the selector: "SET_FEATURE Request    [Port 4: PORT_RESET]", "[Hub: C_HUB_OVER_CURRENT]".
      const m = /\[(?:Port \d+|Hub): (\w+)\]/.exec(info!);
      expect(m, `feature selector in tshark's "${info}"`).not.toBeNull();
      fields.feature = m![1]!;
      if (toPort && value === 21) fields.testSelector = TEST_SELECTORS[index >> 8]!;
      if (toPort && value === 22) fields.indicatorSelector = INDICATORS[index >> 8]!;
    }
    if (code >= 8 && code <= 11) fields.ttPort = index & 0xff;
    const t: Theirs = { ...at, name, fields };
    if (code === 8) t.tt = { devAddr: Number(devAddr), epNum: Number(epNum), wValue: value };
    out.push(t);
  }
  return out;
}

async function ours(path: string): Promise<TransferSummary[]> {
  const ts: TransferSummary[] = [];
  await analyzeFile(path, { onTransfer: (t) => ts.push(t) });
  return ts.filter((t) => t.kind === "control" && t.class?.class === "hub");
}

/** Hub requests beyond the class tests' four: hub status and features, port power, suspend, test, indicator, TT. */
function hubRequests(r: Requests): void {
  const h = HUB;
  r.read(h, setupPacket(0xa0, 0x06, 0x2900, 0, 71), hubDescriptorBytes(4));
  r.read(h, setupPacket(0xa0, 0x00, 0, 0, 4), Uint8Array.of(0x00, 0x00, 0x02, 0x00));
  r.none(h, setupPacket(0x20, 0x01, 1, 0, 0)); // CLEAR_HUB_FEATURE C_HUB_OVER_CURRENT
  for (let port = 1; port <= 4; port++) r.none(h, setupPacket(0x23, 0x03, 8, port, 0)); // PORT_POWER
  r.read(h, setupPacket(0xa3, 0x00, 0, 2, 4), Uint8Array.of(0x01, 0x01, 0x01, 0x00));
  r.none(h, setupPacket(0x23, 0x01, 16, 2, 0)); // C_PORT_CONNECTION
  r.none(h, setupPacket(0x23, 0x03, 4, 2, 0)); // PORT_RESET
  r.read(h, setupPacket(0xa3, 0x00, 0, 2, 4), Uint8Array.of(0x03, 0x05, 0x10, 0x00)); // high speed, reset done
  r.none(h, setupPacket(0x23, 0x01, 20, 2, 0)); // C_PORT_RESET
  r.none(h, setupPacket(0x23, 0x03, 2, 2, 0)); // PORT_SUSPEND
  r.read(h, setupPacket(0xa3, 0x00, 0, 2, 4), Uint8Array.of(0x07, 0x03, 0x04, 0x00));
  r.none(h, setupPacket(0x23, 0x01, 2, 2, 0)); // resume
  r.none(h, setupPacket(0x23, 0x01, 18, 2, 0)); // C_PORT_SUSPEND
  r.none(h, setupPacket(0x23, 0x03, 22, 0x0203, 0)); // PORT_INDICATOR green on port 3
  r.none(h, setupPacket(0x23, 0x03, 21, 0x0404, 0)); // PORT_TEST Test_Packet on port 4
  r.none(h, setupPacket(0x23, 0x08, 0x9042, 1, 0)); // CLEAR_TT_BUFFER: device 4, endpoint 2 IN, bulk
  r.none(h, setupPacket(0x23, 0x09, 0, 1, 0)); // RESET_TT
  r.read(h, setupPacket(0xa3, 0x0a, 0, 1, 4), Uint8Array.of(0, 0, 0, 0)); // GET_TT_STATE
  r.none(h, setupPacket(0x23, 0x0b, 0, 1, 0)); // STOP_TT
}

function builtHub(source: "raw" | "usbmon64" | "usbpcap"): Uint8Array {
  if (source === "raw")
    return rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(hubDevice(HUB));
      hubRequests(busRequests(sim));
    }).bytes;
  return urbCapture({ format: source }, (host) => {
    host.enumerate(hubDevice(HUB));
    hubRequests(urbRequests(host));
  }).bytes;
}

const PUBLIC = [
  "real/220-cdc-msc-dfu-bootloader-linux.pcapng",
  "real/220-egis0570-fingerprint-bulk.pcapng",
  "real/220-synaptics-fingerprint.pcapng",
  "real/220-upek-fingerprint-dfu-if.pcapng",
  "real/249-microbit-daplink-bos-webusb-hub.pcapng",
  "real/249-usbpcap-official-sample-digitech.pcap",
  "real/288-footswitch-split-enum-via-hub.pcap",
  "packetry/split-enum/capture.pcap",
];

/** What was compared over all captures (checked at the end). */
const compared = { requests: 0, features: 0, portStatus: 0, clearTtBuffer: 0 };

describe("hub requests agree with tshark (usbhub)", () => {
  const cases: [string, () => string][] = [
    ...PUBLIC.map((f): [string, () => string] => [f, () => join(publicDir, f)]),
    ["a built raw capture", () => tempFile(builtHub("raw"))],
    ["a built usbmon capture", () => tempFile(builtHub("usbmon64"))],
    ["a built USBPcap capture", () => tempFile(builtHub("usbpcap"))],
  ];
  for (const [name, path] of cases) {
    it(`every hub request and port status on ${name}`, async () => {
      const file = path();
      const theirs = tsharkHub(file);
      const mine = await ours(file);
      expect(theirs.length, "tshark decodes hub requests here").toBeGreaterThan(0);
      matchBothWays(mine, theirs, "hub requests tshark does not decode", (s, t, what) => {
        if (s.tt) {
          // The one difference (USB 2.0 §11.24.2.3 Figure 11-24): CLEAR_TT_BUFFER's wValue holds the endpoint
          // number in bits 3..0 and the device address in bits 10..4; tshark 4.0 shows wValue's high byte as
          // the device address and its low byte as the endpoint number. usbscope follows the figure.
          expect([s.tt.devAddr, s.tt.epNum], what).toEqual([s.tt.wValue >> 8, s.tt.wValue & 0xff]);
          expect(t.class!.fields, what).toMatchObject({
            deviceAddress: (s.tt.wValue >> 4) & 0x7f,
            endpoint: s.tt.wValue & 0xf,
            direction: s.tt.wValue & 0x8000 ? "IN" : "OUT",
          });
          compared.clearTtBuffer++;
        }
        if ("feature" in s.fields) compared.features++;
        if ("wPortStatus" in s.fields) compared.portStatus++;
        else compared.requests++;
      });
    });
  }

  it("compared every hub request (the counts the README gives)", () => {
    // Public captures: 206 requests (66 with a feature selector), 138 port status replies, 1 CLEAR_TT_BUFFER;
    // each built capture: 23 requests (13 features), 3 port status replies, 1 CLEAR_TT_BUFFER.
    expect(compared).toEqual({ requests: 275, features: 105, portStatus: 147, clearTtBuffer: 4 });
  });
});
