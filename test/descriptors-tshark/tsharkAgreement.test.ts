// Differential test (issue 4): on every public capture, every descriptor field Wireshark 4.0 dissects in a
// GET_DESCRIPTOR reply equals what usbscope's parsers read from the same transfer, and every reply usbscope
// parses is one tshark dissects too. Expected differences are in allowList.ts, each with its reason.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeFile } from "../../src/analyze.js";
import { publicCaptures, publicDir } from "../helpers/paths.js";
import { allowedBy, ALLOW_LIST } from "./allowList.js";
import {
  compareCapture,
  compareFrame,
  disagreementText,
  emptyComparison,
  type Comparison,
} from "./compare.js";
import { COMPARED_FIELDS, ourDescriptors } from "./ourDescriptors.js";
import { compareDeviceJson } from "./jsonCompare.js";
import { tsharkDescriptorFrames } from "./tsharkDescriptors.js";

/**
 * Fields compared (present on both sides) per capture, at least: what the run on 2026-11-21 compared (tshark 4.0.17). A capture
 * whose row is 0 has no descriptor reply at all, and both tools must agree on that.
 */
const MIN_COMPARED: Record<string, number> = {
  "real/220-cdc-msc-dfu-bootloader-linux.pcapng": 546,
  "real/220-egis0570-fingerprint-bulk.pcapng": 69,
  "real/220-elecom-mouse-usbmontools.pcap": 28,
  "real/220-km003c-usb-meter-vendor-bulk.pcapng": 206,
  "real/220-skype-handset-iso-audio.pcap": 28,
  "real/220-synaptics-fingerprint.pcapng": 807,
  "real/220-upek-fingerprint-dfu-if.pcapng": 2067,
  "real/249-cdc-msc-dfu-bootloader-windows.pcapng": 333,
  "real/249-hid-keyboard-multi-device.pcapng": 2154,
  "real/249-lofree-kbd-fw-upgrade-reenum.pcapng": 1504,
  "real/249-microbit-daplink-bos-webusb-hub.pcapng": 229,
  "real/249-microbit-daplink-msc-cdc.pcapng": 235,
  "real/249-usbpcap-official-sample-digitech.pcap": 467,
  "real/288-analyzer-testdev-bad-cable.pcap": 69,
  "real/288-bad-crcs.pcap": 0,
  "real/288-esp32s3-jtag-serial-cdc-badge.pcap": 694,
  "real/288-footswitch-split-enum-via-hub.pcap": 98,
  "real/288-hackrf-lpc4330-dfu-enum.pcap": 67,
  "real/288-hackrf-one-connect-enum.pcap": 92,
  "real/288-hackrf-restart-enum-failure.pcap": 0,
  "real/288-iphone-address-reuse.pcap": 623,
  "real/288-ksoloti-uac-iso.pcap": 448,
  "real/288-ls-keyboard-keepalive-divided.pcapng": 563,
  "real/288-sunplus-optical-mouse.pcap": 262,
  "real/288-uac-truncated-config-desc.pcap": 214,
  "real/293-ls-mouse-usbsniffer.pcapng": 192,
  "real/294-fs-cdc-vcp-usbsniffer.pcapng": 135,
  "real/295-hs-flash-drive-msc-usbsniffer.pcapng": 89,
  "packetry/address-reuse/capture.pcap": 623,
  "packetry/analyzer-test-bad-cable/capture.pcap": 69,
  "packetry/bad-crcs/capture.pcap": 0,
  "packetry/bad-descriptor-length/capture.pcap": 214,
  "packetry/double-setup/capture.pcap": 0,
  "packetry/emf2022-badge/capture.pcap": 694,
  "packetry/hackrf-connect/capture.pcap": 92,
  "packetry/hackrf-dfu-enum/capture.pcap": 67,
  "packetry/hackrf-restart-failure/capture.pcap": 0,
  "packetry/iso-ambiguous/capture.pcap": 0,
  "packetry/iso-unambiguous/capture.pcap": 448,
  "packetry/ksolti-core-enum/capture.pcap": 445,
  "packetry/ls-keepalive-divided-transaction/capture.pcapng": 77,
  "packetry/ls-keepalive-more-divided-transactions/capture.pcapng": 563,
  "packetry/mouse/capture.pcap": 262,
  "packetry/split-enum/capture.pcap": 98,
  "packetry/split-nyet/capture.pcap": 1344,
  "packetry/split-poll/capture.pcap": 0,
};

const captures = publicCaptures().map((file) => ({ file, id: path.relative(publicDir, file) }));

/** One comparison per capture for the whole run (tshark output is cached by file content as well). */
const memo = new Map<string, Promise<Comparison>>();
function comparison(file: string): Promise<Comparison> {
  let p = memo.get(file);
  if (!p) memo.set(file, (p = compareCapture(file)));
  return p;
}

describe("tshark agrees with usbscope on every descriptor field of the public captures", () => {
  it("has a minimum-count row for every public capture", () => {
    expect(captures.map((c) => c.id).sort()).toEqual(Object.keys(MIN_COMPARED).sort());
  });

  for (const { file, id } of captures) {
    it(id, async () => {
      const c = await comparison(file);
      const used = new Set<string>();
      const unexpected: string[] = [];
      for (const d of c.disagreements) {
        const e = allowedBy(id, d.frame, d.kind, d.field);
        if (e) used.add(`${ALLOW_LIST.indexOf(e)}:${d.frame}`);
        else unexpected.push(disagreementText(d));
      }
      expect(unexpected, `unexpected disagreements in ${id}:\n${unexpected.join("\n")}`).toEqual([]);
      // No stale allow-list entry: every frame an entry lists for this capture still disagrees.
      const stale: string[] = [];
      ALLOW_LIST.forEach((e, i) => {
        if (!e.captures.includes(id)) return;
        for (const f of e.frames)
          if (!used.has(`${i}:${f}`)) stale.push(`frame ${f} ${e.kind} ${e.fields.join(",")}`);
      });
      expect(stale, `stale allow-list frames for ${id}`).toEqual([]);

      // What usbscope reports per device (the tracker's kept reads, as JSON) agrees with tshark on those reads.
      const j = compareDeviceJson(c);
      const jsonUnexpected = j.disagreements
        .filter((d) => !allowedBy(id, d.frame, d.kind, d.field))
        .map(disagreementText);
      expect(
        jsonUnexpected,
        `devices[].descriptors of ${id} disagree:\n${jsonUnexpected.join("\n")}`,
      ).toEqual([]);

      const min = MIN_COMPARED[id]!;
      if (min === 0) {
        expect(j.compared).toBe(0);
        // Nothing to compare must mean neither side found a descriptor reply.
        expect(c.frames).toBe(0);
        expect(c.oursParsed).toBe(0);
        expect(c.compared).toBe(0);
        return;
      }
      expect(c.compared).toBeGreaterThanOrEqual(min);
      expect(j.compared).toBeGreaterThan(0);
      expect(c.descriptors).toBeGreaterThan(0);
      // Where tshark puts the dissected reply, relative to ControlTransfer.lastPacket: usbmon's completion record
      // is the transfer's last record; USBPcap logs the data-stage completion, then (newer USBPcap) a status
      // record; usbll reassembles the data stage in its last DATA packet, before the status stage.
      const deltas = [...c.lastPacketMinusFrame];
      if (c.linktype === 220) expect(deltas).toEqual([0]);
      else if (c.linktype === 249) expect(deltas.filter((d) => d !== 0 && d !== 1)).toEqual([]);
      else expect(Math.min(...deltas)).toBeGreaterThan(0);
    });
  }

  it("compares every field it knows on some capture: standard, string, IAD, HID (class and report items), DFU, CDC, audio and MIDI", async () => {
    const byField = new Map<string, number>();
    const byKind = new Map<string, number>();
    for (const { file } of captures) {
      const c = await comparison(file);
      for (const [k, n] of c.byField) byField.set(k, (byField.get(k) ?? 0) + n);
      for (const [k, n] of c.byKind) byKind.set(k, (byKind.get(k) ?? 0) + n);
    }
    expect([...COMPARED_FIELDS].filter((f) => !(byField.get(f)! > 0))).toEqual([]);
    // No public capture holds a device qualifier reply (the three that ask get a STALL from full-speed devices).
    const kinds = [
      "device",
      "configuration",
      "interface",
      "endpoint",
      "interface-association",
      "string",
      "hid",
      "dfu-functional",
    ];
    kinds.push(
      "cdc-header",
      "cdc-call-management",
      "cdc-acm",
      "cdc-union",
      "audio-ac-header",
      "audio-input-terminal",
      "audio-output-terminal",
    );
    kinds.push(
      "audio-feature-unit",
      "audio-clock-source",
      "audio-as-general",
      "audio-format-type",
      "audio-ep-general",
      "midi-header",
      "midi-in-jack",
      "midi-out-jack",
      "midi-ep-general",
    );
    expect(kinds.filter((k) => !(byKind.get(k)! > 0))).toEqual([]);
  });
});

describe("the comparison itself", () => {
  const file = path.join(publicDir, "real/288-hackrf-one-connect-enum.pcap");

  async function deviceReply() {
    const result = await analyzeFile(file);
    const ct = result.descriptors.tracked
      .flatMap((d) => d.reads)
      .find((r) => r.type === 1 && r.transfer.data.length === 18)!.transfer;
    const frames = tsharkDescriptorFrames(file);
    const frame = [...frames.keys()].find((f) => f - 1 > ct.firstPacket && f - 1 <= ct.lastPacket)!;
    return { ct, frame, groups: frames.get(frame)!.descriptors };
  }

  it("finds nothing to report on a device descriptor both read the same", async () => {
    const { ct, frame, groups } = await deviceReply();
    const out = emptyComparison();
    compareFrame(frame, ourDescriptors(ct)!, groups, out);
    expect(out.disagreements).toEqual([]);
    expect(out.compared).toBe(14);
  });

  it("reports a field whose value differs, by frame and field", async () => {
    const { ct, frame, groups } = await deviceReply();
    const ours = ourDescriptors(ct)!;
    ours[0]!.fields.find((f) => f.name === "usb.idVendor")!.value = 0x1d51;
    const out = emptyComparison();
    compareFrame(frame, ours, groups, out);
    expect(out.disagreements.map(disagreementText)).toEqual([
      `frame ${frame} @0 device usb.idVendor: usbscope 7505 (0x1d51), tshark "0x1d50"`,
    ]);
  });

  it("reports a field or a descriptor only one side has", async () => {
    const { ct, frame, groups } = await deviceReply();
    const ours = ourDescriptors(ct)!;
    ours[0]!.fields = ours[0]!.fields.filter((f) => f.name !== "usb.bcdDevice");
    const out = emptyComparison();
    compareFrame(frame, [...ours, { kind: "interface", offset: 18, fields: [] }], groups, out);
    expect(out.disagreements.map((d) => `${d.field} ${d.kind}`)).toEqual([
      "usb.bcdDevice device",
      "descriptor interface",
    ]);
  });
});
