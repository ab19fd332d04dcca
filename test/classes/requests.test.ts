// Class and vendor requests by name with their fields decoded (src/classes/), on built captures (raw
// packets and URBs alike) and on the public captures: named only when the descriptors say which function
// a request goes to; the same requests without the enumeration keep the standard naming.
import { describe, expect, it } from "vitest";
import { rawClassCapture, transfersOf, urbClassCapture } from "./helpers.js";
import { analyzeFile, analyzeSource, bufferSource, type TransferSummary } from "../../src/index.js";
import { cli } from "../helpers/cli.js";
import { publicDir } from "../helpers/paths.js";
import { join } from "node:path";

const publicCapture = (f: string) => join(publicDir, f);

/** [label, summary] of each request classRequests() sends, in order. */
const EXPECTED: [string, string | undefined][] = [
  ["CDC SET_LINE_CODING interface 0", "115200 8N1"],
  ["CDC GET_LINE_CODING interface 0", "57600 7E2"],
  ["CDC SET_CONTROL_LINE_STATE interface 0: DTR on, RTS off", undefined],
  ["CDC SEND_BREAK interface 0: 250 ms", undefined],
  ["HID SET_IDLE interface 2: idle 500 ms, all reports", undefined],
  ["HID GET_REPORT interface 2 Feature report ID 2", "3 report bytes"],
  ["HID SET_PROTOCOL interface 2: boot protocol", undefined],
  ["HID GET_PROTOCOL interface 2", "boot protocol"],
  ["mass storage Get Max LUN interface 3", "max LUN 1: 2 LUNs"],
  ["mass storage Bulk-Only Mass Storage Reset interface 3", undefined],
  ["DFU DFU_GETSTATUS interface 4", "OK, appIDLE, poll timeout 100 ms"],
  ["DFU DFU_GETSTATE interface 4", "appIDLE"],
  ["DFU DFU_DETACH interface 4, timeout 1000 ms", undefined],
  ["audio SET_CUR FEATURE_UNIT 2 (interface 5) VOLUME_CONTROL channel 1", "-10.00 dB"],
  ["audio GET_CUR FEATURE_UNIT 2 (interface 5) MUTE_CONTROL", "muted"],
  ["WebUSB GET_URL index 1", "https://example.com/app"],
  ["MS OS 2.0 MS_OS_20_DESCRIPTOR_INDEX (descriptor set)", "30 bytes: compatible ID WINUSB"],
  ["hub GET_HUB_DESCRIPTOR", "4 ports, individual port power, power on to good 100 ms"],
  ["hub GET_PORT_STATUS port 1", "PORT_CONNECTION, PORT_ENABLE, PORT_POWER; changed: C_PORT_CONNECTION"],
  ["hub SET_PORT_FEATURE PORT_RESET port 1", undefined],
  ["hub CLEAR_PORT_FEATURE C_PORT_RESET port 1", undefined],
];

/** The control transfers that are not standard requests (class, vendor), in order. */
function classTransfers(ts: TransferSummary[]): TransferSummary[] {
  return ts.filter(
    (t) => t.kind === "control" && (t.class !== undefined || /^(class|vendor) /.test(t.request ?? "")),
  );
}

describe("class requests by name, fields decoded", () => {
  const sources = {
    "raw packets (full speed)": () => rawClassCapture(),
    usbmon: () => urbClassCapture("usbmon64"),
    USBPcap: () => urbClassCapture("usbpcap"),
  };
  for (const [name, build] of Object.entries(sources)) {
    it(`names and decodes every request on ${name}`, async () => {
      const ts = classTransfers(await transfersOf(build()));
      expect(ts.map((t) => [t.request, t.class?.summary])).toEqual(EXPECTED);
      expect(ts.every((t) => t.outcome === "ok")).toBe(true);
    });
  }

  it("carries the decoded fields: line coding, idle, LUNs, DFU status, volume, URL, port bits", async () => {
    const ts = classTransfers(await transfersOf(rawClassCapture()));
    const by = (label: string) => ts.find((t) => t.request === label)!.class!;
    expect(by("CDC SET_LINE_CODING interface 0")).toEqual({
      class: "CDC",
      name: "SET_LINE_CODING",
      fields: {
        interface: 0,
        dwDTERate: 115200,
        bCharFormat: 0,
        bParityType: 0,
        bDataBits: 8,
        stopBits: "1",
        parity: "none",
      },
      summary: "115200 8N1",
    });
    expect(by("CDC SET_CONTROL_LINE_STATE interface 0: DTR on, RTS off").fields).toMatchObject({
      DTR: true,
      RTS: false,
    });
    expect(by("HID SET_IDLE interface 2: idle 500 ms, all reports").fields).toEqual({
      interface: 2,
      duration: 125,
      reportId: 0,
    });
    expect(by("HID GET_REPORT interface 2 Feature report ID 2").fields).toMatchObject({
      reportType: "Feature",
      reportId: 2,
    });
    expect(by("mass storage Get Max LUN interface 3").fields).toEqual({ interface: 3, maxLun: 1 });
    expect(by("DFU DFU_GETSTATUS interface 4").fields).toMatchObject({
      bStatus: 0,
      status: "OK",
      bwPollTimeout: 100,
      bState: 0,
      state: "appIDLE",
    });
    expect(by("audio SET_CUR FEATURE_UNIT 2 (interface 5) VOLUME_CONTROL channel 1").fields).toMatchObject({
      entity: 2,
      entityType: "FEATURE_UNIT",
      control: "VOLUME_CONTROL",
      channel: 1,
      value: -2560,
    });
    expect(by("WebUSB GET_URL index 1").fields).toMatchObject({
      urlIndex: 1,
      url: "https://example.com/app",
    });
    expect(by("hub GET_PORT_STATUS port 1").fields).toEqual({ port: 1, wPortStatus: 0x103, wPortChange: 1 });
  });

  it("without the descriptors, interface and vendor requests keep the standard naming (hub ports are hubs' alone)", async () => {
    const ts = classTransfers(await transfersOf(rawClassCapture({ enumerate: false })));
    expect(ts).toHaveLength(EXPECTED.length);
    const named = ts.filter((t) => t.class !== undefined).map((t) => t.request);
    // §11.24.2: only hubs define requests to "other" (ports); the hub descriptor type names itself.
    expect(named).toEqual([
      "hub GET_HUB_DESCRIPTOR",
      "hub GET_PORT_STATUS port 1",
      "hub SET_PORT_FEATURE PORT_RESET port 1",
      "hub CLEAR_PORT_FEATURE C_PORT_RESET port 1",
    ]);
    expect(ts[0]!.request).toBe("class OUT 0x20 to interface wValue=0x0000 wIndex=0x0000 wLength=7");
    expect(ts[15]!.request).toMatch(/^vendor IN 0x22 to device /);
  });

  it("a healthy class device's capture has no error and no warning", async () => {
    for (const bytes of [rawClassCapture(), urbClassCapture("usbmon64"), urbClassCapture("usbpcap")]) {
      const r = await analyzeSource(bufferSource(bytes), "built");
      expect(r.findings.sorted().filter((f) => f.severity !== "info")).toEqual([]);
    }
  });

  it("shows the names in `transfers` text and JSON, and in analyze --json's controlTransfers", async () => {
    const { tempFile } = await import("../builder/helpers.js");
    const path = tempFile(rawClassCapture());
    const text = await cli(["transfers", "--depth", "1", path]);
    expect(text.out).toContain(
      "Control transfer on 7.0 OUT: CDC SET_LINE_CODING interface 0 (115200 8N1), 7 data bytes, ok",
    );
    expect(text.out).toContain(
      "Control transfer on 1.0 IN: hub GET_PORT_STATUS port 1 (PORT_CONNECTION, PORT_ENABLE, PORT_POWER; changed: C_PORT_CONNECTION), 4 data bytes, ok",
    );
    const json = await cli(["transfers", "--json", "--depth", "1", path]);
    const lines = json.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.request === "DFU DFU_GETSTATUS interface 4")?.class).toMatchObject({
      class: "DFU",
      name: "DFU_GETSTATUS",
      summary: "OK, appIDLE, poll timeout 100 ms",
    });
    const analyze = JSON.parse((await cli(["analyze", "--json", path])).out) as {
      controlTransfers: { request: string; class?: { name: string } }[];
    };
    expect(
      analyze.controlTransfers.find((c) => c.request.startsWith("CDC GET_LINE_CODING"))?.class?.name,
    ).toBe("GET_LINE_CODING");
  });
});

describe("class requests in the public captures", () => {
  it("the descriptor tree shows WebUSB's iLandingPage as a URL index, not as a string", async () => {
    const r = await cli(["descriptors", publicCapture("real/249-cdc-msc-dfu-bootloader-windows.pcapng")]);
    const line = r.out.split("\n").find((l) => l.includes("iLandingPage"));
    // String 1 of this device is "Devanarchy": the URL index 1 is not that string.
    expect(line).toMatch(/iLandingPage\s+1 URL index \(WebUSB GET_URL\)$/);
  });

  const requests = async (file: string) => {
    const out: TransferSummary[] = [];
    await analyzeFile(publicCapture(file), { onTransfer: (t) => out.push(t) });
    return classTransfers(out).map((t) => `${t.request}${t.class?.summary ? ` (${t.class.summary})` : ""}`);
  };

  it("CDC ACM VCP (usb-sniffer, full speed): 9600 8N1, DTR and RTS on", async () => {
    expect(await requests("real/294-fs-cdc-vcp-usbsniffer.pcapng")).toEqual([
      "CDC SET_LINE_CODING interface 0 (9600 8N1)",
      "CDC SET_CONTROL_LINE_STATE interface 0: DTR on, RTS on",
    ]);
  });

  it("Blue Pill bootloader on Windows (USBPcap): 115200 8N1, Get Max LUN, WebUSB GET_URL", async () => {
    const r = await requests("real/249-cdc-msc-dfu-bootloader-windows.pcapng");
    expect(r).toContain("CDC GET_LINE_CODING interface 2 (115200 8N1)");
    expect(r).toContain("CDC SET_LINE_CODING interface 2 (115200 8N1)");
    expect(r).toContain("mass storage Get Max LUN interface 1 (max LUN 0: 1 LUN)");
    expect(r).toContain("WebUSB GET_URL index 1 (https://visualbluepill.github.io)");
  });

  it("micro:bit behind a hub (USBPcap): port status bits and changes, PORT_RESET, HID SET_IDLE", async () => {
    const r = await requests("real/249-microbit-daplink-bos-webusb-hub.pcapng");
    expect(r).toContain(
      "hub GET_PORT_STATUS port 4 (PORT_CONNECTION, PORT_POWER; changed: C_PORT_CONNECTION)",
    );
    expect(r).toContain("hub SET_PORT_FEATURE PORT_RESET port 4");
    expect(r).toContain("hub CLEAR_PORT_FEATURE C_PORT_RESET port 4");
    expect(r).toContain("HID SET_IDLE interface 3: idle indefinite, all reports");
    expect(r).toContain("CDC GET_LINE_CODING interface 1 (9600 8N1)");
  });

  it("UAC2 Ksoloti (raw): volume ranges in dB, the clock's sampling frequency", async () => {
    const r = await requests("real/288-ksoloti-uac-iso.pcap");
    expect(r).toContain(
      "audio GET_RANGE FEATURE_UNIT 2 (interface 0) VOLUME_CONTROL channel 1 (-50.00 dB…0.00 dB step 1.00 dB)",
    );
    expect(r).toContain("audio SET_CUR CLOCK_SOURCE 4 (interface 0) SAM_FREQ_CONTROL (48000 Hz)");
  });

  it("UAC1 DigiTech (USBPcap): the endpoint's sampling frequency; the hub descriptor and status", async () => {
    const r = await requests("real/249-usbpcap-official-sample-digitech.pcap");
    expect(r).toContain("audio SET_CUR endpoint 0x01 SAMPLING_FREQ_CONTROL (44100 Hz)");
    expect(r).toContain("hub GET_HUB_DESCRIPTOR (4 ports, individual port power, power on to good 100 ms)");
    // The capture begins after the hubs' device descriptors; their configurations say interface class 9 (§11.23.1).
    expect(r).toContain("hub GET_HUB_STATUS hub (no status bits; no change)");
  });
});
