import { describe, it, expect } from "vitest";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cli } from "../helpers/cli.js";
import { publicDir, repoRoot } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";

const BAD_CRCS = path.join(publicDir, "real/288-bad-crcs.pcap");
const HS_MSC = path.join(publicDir, "real/295-hs-flash-drive-msc-usbsniffer.pcapng");
const TEXT = path.join(publicDir, "real/text-usbmon-film-scanner-enum.usbmon");

describe("usbscope analyze", () => {
  it("reports the bad CRC5s of a capture in words, with packet index and spec, and exits 1", async () => {
    const r = await cli(["analyze", BAD_CRCS]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("records       6");
    // Two of the three say the same about the same token: one grouped line with the count and record range.
    expect(r.out).toMatch(
      /error +2× CRC5 +#3-#4 \+0\.\d{6}s {2}IN token \(address 55 endpoint 7\) has a bad CRC5/,
    );
    expect(r.out).toContain("USB 2.0 §8.3.5.1");
    expect(r.out.match(/CRC5 /g)?.length).toBe(2);
    const all = await cli(["analyze", "--all", BAD_CRCS]);
    expect(all.out).toMatch(
      /error +CRC5 +#3 \+0\.\d{6}s {2}IN token \(address 55 endpoint 7\) has a bad CRC5/,
    );
    expect(all.out.match(/CRC5 /g)?.length).toBe(3);
  });
  it("--json prints the DESIGN.md document", async () => {
    const r = await cli(["analyze", "--json", BAD_CRCS]);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({
      file: BAD_CRCS,
      format: "pcap",
      linktype: 288,
      records: 6,
      summary: { errors: 3, warnings: 0, packets: 6 },
    });
    const crc5 = doc.findings.filter((f: { rule: string }) => f.rule === "CRC5");
    expect(crc5.map((f: { packet: number }) => f.packet)).toEqual([3, 4, 5]);
    expect(crc5[0]).toMatchObject({
      rule: "CRC5",
      severity: "error",
      packet: 3,
      spec: "USB 2.0 §8.3.5.1; WS-LL ei_wrong_crc5",
    });
    expect(crc5[0].time).toMatch(/^1970-01-01T00:00:14\.\d{9}Z$/);
    expect(Array.isArray(doc.devices) && Array.isArray(doc.controlTransfers)).toBe(true);
    expect(r.code).toBe(1);
  });
  it("reads stdin with -, and sniffs the format from the bytes, not the name", async () => {
    const r = await cli(["analyze", "--json", "-"], readFileSync(BAD_CRCS));
    expect(JSON.parse(r.out).summary.errors).toBe(3);
    const t = await cli(["analyze", "--json", "-"], readFileSync(TEXT));
    expect(JSON.parse(t.out).format).toBe("usbmon-text");
  });
  it("exits 0 on a capture with no error finding", async () => {
    const r = await cli(["analyze", path.join(publicDir, "real/288-hackrf-lpc4330-dfu-enum.pcap")]);
    expect(r.code).toBe(0);
  });
  it("exits 2 with one line for a missing file, an unknown format and an empty input", async () => {
    for (const [args, stdin, msg] of [
      [["analyze", "/nonexistent/x.pcap"], "", "cannot read /nonexistent/x.pcap: no such file"],
      [["analyze", "-"], "this is not a capture\n", "not a pcap, pcapng or usbmon text capture"],
      [["analyze", "-"], "", "empty input"],
    ] as const) {
      const r = await cli([...args], stdin);
      expect(r.code).toBe(2);
      expect(r.err).toContain(msg);
      expect(r.err.trim().split("\n")).toHaveLength(1);
      expect(r.out).toBe("");
    }
  });
  it("exits 2 on a usage error", async () => {
    expect((await cli(["analyze"])).code).toBe(2);
    expect((await cli(["frobnicate"])).code).toBe(2);
  });
});

describe("usbscope packets", () => {
  it("prints one line per record, as many as tshark has frames", async () => {
    const r = await cli(["packets", HS_MSC]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines.length).toBe(tsharkFields(HS_MSC, ["frame.number"]).length);
    expect(lines.some((l) => /^\s+\d+\s+\d+\.\d{9} SOF\s+frame \d+\s+3$/.test(l))).toBe(true);
  });
  it("--json prints NDJSON with index, time, pid, status, address, endpoint, frame, length", async () => {
    const r = await cli(["packets", "--json", BAD_CRCS]);
    const recs = r.out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(recs).toHaveLength(6);
    expect(recs[0]).toEqual({
      index: 0,
      time: recs[0].time,
      pid: "IN",
      status: "ok",
      address: 7,
      endpoint: 1,
      length: 3,
    });
    expect(recs[3]).toMatchObject({ index: 3, pid: "IN", status: "bad-crc5", address: 55, endpoint: 7 });
    expect(recs[5]).toMatchObject({ pid: "SOF", frame: 1723, status: "bad-crc5" });
  });
});

describe("usbscope packets on URB captures", () => {
  const SYNAPTICS = path.join(publicDir, "real/220-synaptics-fingerprint.pcapng");
  it("prints one line per URB event: S/C/E, bus.device.endpoint, direction, type, status, length; as many as tshark has frames", async () => {
    const r = await cli(["packets", SYNAPTICS]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    const frames = tsharkFields(SYNAPTICS, ["usb.urb_type", "usb.endpoint_address", "usb.urb_status"]);
    expect(lines).toHaveLength(frames.length);
    expect(lines[19]).toMatch(/^ +19 +0\.\d{9} S 1\.6\.0 +IN +control +- +18 GET_DESCRIPTOR DEVICE$/);
    expect(lines[127]).toMatch(/^ +127 +\d+\.\d{9} C 1\.6\.2 +IN +bulk +-2 ENOENT +0$/);
    // Event letters and statuses are tshark's, frame by frame.
    lines.forEach((l, i) => {
      const [type, , status] = frames[i]!;
      expect(l.split(/ +/)[3], `frame ${i + 1}`).toBe(type!.replace(/'/g, ""));
      if (type === "'C'" && status !== "0") expect(l, `frame ${i + 1}`).toContain(` ${status} `);
    });
  });
  it("reads usbmon text, as analyze does, and --hex dumps each payload under its line", async () => {
    const r = await cli(["packets", "--hex", TEXT]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    const i = lines.findIndex((l) => / C \d+\.\d+\.0 +IN +control +ok +18$/.test(l));
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lines[i + 1]).toMatch(/^ {10}0000 {2}12 01 (\w\w ){6} (\w\w ){8} \|.{16}\|$/);
    expect(lines[i + 2]).toMatch(/^ {10}0010 {2}\w\w \w\w {45}\|..\|$/);
  });
  it("--json --data adds the payload as hex; without --data the JSON stays small", async () => {
    const KEYBOARD = path.join(publicDir, "real/249-hid-keyboard-multi-device.pcapng");
    const plain = (await cli(["packets", "--json", KEYBOARD])).out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const withData = (await cli(["packets", "--json", "--data", KEYBOARD])).out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(plain.some((o) => "data" in o)).toBe(false);
    const report = withData.find((o) => o.urb === "C" && o.transferType === "interrupt" && o.length === 8);
    expect(report).toMatchObject({
      bus: 1,
      direction: "in",
      status: "USBD_STATUS_SUCCESS (0x00000000)",
      urbStatus: 0,
    });
    expect(report.data).toMatch(/^[0-9a-f]{16}$/);
    // tshark's usb.capdata of the same frame.
    const cap = tsharkFields(KEYBOARD, ["usb.capdata"], ["--disable-protocol", "usbhid"])[report.index]![0];
    expect(report.data).toBe(cap!.replace(/:/g, ""));
  });
});

describe("usbscope verify", () => {
  it("checks a batch, writes JUnit XML, and fails the batch on an error finding", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "usbscope-"));
    const junit = path.join(dir, "out.xml");
    const clean = path.join(publicDir, "real/288-hackrf-lpc4330-dfu-enum.pcap");
    const r = await cli(["verify", "--junit", junit, clean, BAD_CRCS]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ok\s+.*dfu-enum\.pcap: 0 errors/m);
    expect(r.out).toMatch(/^FAIL\s+.*bad-crcs\.pcap: 3 errors/m);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuites name="usbscope"');
    expect(xml).toMatch(
      /<testcase classname="[^"]*bad-crcs.pcap" name="CRC5"><failure message="3 CRC5 finding/,
    );
    expect((await cli(["verify", clean])).code).toBe(0);
  });
});

describe("usbscope transfers", () => {
  const DFU = path.join(publicDir, "real/288-hackrf-lpc4330-dfu-enum.pcap");
  it("prints the transfer → transaction → packet tree, folded by --depth", async () => {
    const d1 = await cli(["transfers", "--depth", "1", DFU]);
    expect(d1.code).toBe(0);
    const firsts = d1.out.trimEnd().split("\n");
    expect(firsts[0]).toBe(
      "Control transfer on 11.0 IN: GET_DESCRIPTOR DEVICE, 18 data bytes, ok [packet 8]",
    );
    expect(firsts.every((l) => !l.startsWith(" "))).toBe(true);
    const d2 = await cli(["transfers", DFU]);
    expect(d2.out).toContain("\n  SETUP DATA0 ACK, 8 bytes, ACK [transaction 0]\n");
    const d3 = await cli(["transfers", "--depth", "3", DFU]);
    expect(d3.out).toContain("\n    SETUP [packet 8]\n    DATA0 [packet 9]\n    ACK [packet 10]\n");
    expect((await cli(["transfers", "--depth", "4", DFU])).code).toBe(2);
  });
  it("--json prints one object per transfer, and URB captures list their control transfers", async () => {
    const r = await cli(["transfers", "--json", DFU]);
    const lines = r.out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      kind: "control",
      device: 11,
      endpoint: 0,
      direction: "in",
      request: "GET_DESCRIPTOR DEVICE",
      dataLength: 18,
      outcome: "ok",
    });
    const urb = await cli(["transfers", path.join(publicDir, "real/249-microbit-daplink-msc-cdc.pcapng")]);
    expect(urb.out.split("\n")[0]).toMatch(
      /^Control transfer on 6\.4\.0 IN: GET_DESCRIPTOR DEVICE, 18 bytes, ok, 350 µs \[records 0, 2\]: 12 01 10 02 /,
    );
  });
  it("lists a usbmon capture's bulk and interrupt traffic with its bytes, folded where it repeats; --hex, --max-bytes, --data", async () => {
    const SYNAPTICS = path.join(publicDir, "real/220-synaptics-fingerprint.pcapng");
    const r = await cli(["transfers", "--depth", "1", SYNAPTICS]);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines).toContain(
      "Bulk transfer on 1.5.1 IN: 38 of 40 bytes, ok, 63 µs [records 83, 84]: 00 00 47 51 2a 5f 27 f2 31 00 0a 01 01 41 01 c1 …",
    );
    expect(lines).toContain(
      "Interrupt transfer on 1.6.1 IN: 0 of 64 bytes, cancelled (-2 ENOENT (unlinked: URB killed synchronously by usb_kill_urb)), 2500.628 ms [records 16, 126]",
    );
    expect(
      lines.filter((l) => / repeated \d+ times over [\d.]+ s \[records \d+…\d+\]/.test(l)).length,
    ).toBeGreaterThan(0);
    const unfolded = (await cli(["transfers", "--depth", "1", "--no-fold", SYNAPTICS])).out
      .trimEnd()
      .split("\n");
    expect(unfolded.length).toBeGreaterThan(lines.length);
    expect(unfolded.some((l) => l.includes("repeated"))).toBe(false);
    // --hex under each transfer; --max-bytes caps it and says so.
    const hex = (await cli(["transfers", "--depth", "1", "--hex", "--max-bytes", "16", SYNAPTICS])).out.split(
      "\n",
    );
    const at = hex.findIndex((l) => l.startsWith("Bulk transfer on 1.5.1 IN: 38 of 40 bytes"));
    expect(hex.slice(at + 1, at + 3)).toEqual([
      "    0000  00 00 47 51 2a 5f 27 f2  31 00 0a 01 01 41 01 c1  |..GQ*_'.1....A..|",
      "    … 22 more bytes not shown (16 of 38)",
    ]);
    const json = (await cli(["transfers", "--json", "--data", SYNAPTICS])).out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const bulk = json.find((o) => o.kind === "bulk" && o.firstPacket === 83);
    expect(bulk).toMatchObject({
      source: "urb",
      bus: 1,
      device: 5,
      endpoint: 1,
      direction: "in",
      dataLength: 38,
      outcome: "ok",
      urb: { status: 0, statusText: "0 success", requestedLength: 40, actualLength: 38, latencyUs: 63 },
    });
    expect(bulk.data).toMatch(/^00004751/);
    expect(bulk.data).toHaveLength(76);
    expect(bulk).not.toHaveProperty("transactions");
    const small = (await cli(["transfers", "--json", SYNAPTICS])).out;
    expect(small).not.toContain('"data"');
    expect((await cli(["transfers", "--max-bytes", "x", SYNAPTICS])).code).toBe(2);
  });
  it("--hex on a raw capture dumps each transfer's data, and at --depth 3 each data packet's", async () => {
    const d1 = (await cli(["transfers", "--depth", "1", "--hex", DFU])).out.split("\n");
    expect(d1.slice(0, 3)).toEqual([
      "Control transfer on 11.0 IN: GET_DESCRIPTOR DEVICE, 18 data bytes, ok [packet 8]",
      "    0000  12 01 00 02 00 00 00 40  c9 1f 0c 00 00 01 01 02  |.......@........|",
      "    0010  03 01                                             |..|",
    ]);
    const d3 = (await cli(["transfers", "--depth", "3", "--hex", DFU])).out;
    expect(d3).toContain(
      "    SETUP [packet 8]\n    DATA0 [packet 9]\n      0000  80 06 00 01 00 00 12 00                           |........|\n    ACK [packet 10]\n",
    );
    const j = (await cli(["transfers", "--depth", "3", "--json", "--data", DFU])).out.split("\n")[0]!;
    expect(JSON.parse(j).transactions[0]).toMatchObject({
      pids: ["SETUP", "DATA0", "ACK"],
      data: "8006000100001200",
    });
  });
  it("puts a Cynthion capture's bus events between the transfers, as Packetry does (keepalives left out)", async () => {
    const KEYBOARD = path.join(publicDir, "real/288-ls-keyboard-keepalive-divided.pcapng");
    const lines = (await cli(["transfers", "--depth", "1", KEYBOARD])).out.trimEnd().split("\n");
    // Linux reads the device descriptor at address 0 (asking for 64 bytes), resets the bus, then sets the address.
    const first = lines.findIndex((l) => l.startsWith("Control transfer on 0.0 IN: GET_DESCRIPTOR DEVICE"));
    expect(lines.slice(first, first + 4)).toEqual([
      "Control transfer on 0.0 IN: GET_DESCRIPTOR DEVICE, 18 data bytes, ok [packet 68]",
      "Bus event: bus reset [record 158]",
      "Bus event: low-speed idle (J) line state [record 159]",
      "Control transfer on 0.0 OUT: SET_ADDRESS 58, 0 data bytes, ok [packet 222]",
    ]);
    expect(lines.some((l) => l.includes("keepalive"))).toBe(false);
    const json = (await cli(["transfers", "--json", KEYBOARD])).out
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(json.filter((o) => o.kind === "event" && o.event === "bus reset").map((o) => o.index)).toEqual([
      4, 158,
    ]);
  });
});

describe("usbscope descriptors", () => {
  it("prints an lsusb -v style tree with findings under their field, and JSON", async () => {
    const r = await cli(["descriptors", path.join(repoRoot, "captures/interface-appended/capture.pcap")]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Device 9: ID 1209:0002/);
    expect(r.out).toMatch(
      /bNumInterfaces\s+2\n\s+\^ E CFG_NUM_IFS: configuration 1: bNumInterfaces is 2 but 3 interfaces follow/,
    );
    const j = JSON.parse(
      (await cli(["descriptors", "--json", path.join(repoRoot, "captures/enumeration-ok/capture.pcapng")]))
        .out,
    );
    expect(j.devices[0].descriptors.device).toMatchObject({
      idVendor: 0x1209,
      idProduct: 1,
      bMaxPacketSize0: 64,
    });
    expect(j.devices[0].findings).toEqual([]);
  });
});

describe("summary of a sniffer capture with a log interface", () => {
  it("names the USB link type first even when the sniffer's log records outnumber the packets", async () => {
    const doc = JSON.parse((await cli(["analyze", "--json", HS_MSC])).out);
    expect(doc.linktype).toBe(295);
    expect(doc.linktypes).toEqual([295, 252]);
    expect(doc.records).toBe(4000);
    expect(doc.summary.packets).toBe(1825);
    expect(doc.summary.pids["0xef (bad PID check)"]).toBe(1);
  });
});
