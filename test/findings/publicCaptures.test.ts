// Healthy devices give no error and no warning, in every format usbscope reads (issue 11): the bundled
// captures and the public captures from other people's benches. Each capture is listed with the errors and
// warnings its device really earns (a firmware fault seen in its bytes), so the checks are held both ways: a
// healthy capture must stay quiet, and a faulty one must still be flagged for its fault and nothing else.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { existsSync } from "node:fs";
import { analyzeFile } from "../../src/analyze.js";
import { publicDir, repoRoot } from "../helpers/paths.js";

const real = (f: string) => path.join(publicDir, "real", f);
const bundled = (f: string) => path.join(repoRoot, "captures", f);

/** File → the loud rules (error or warning) its device earns; [] is a healthy device. */
const EXPECTED: Record<string, string[]> = {
  // Bundled: healthy enumerations (raw pcapng, USBPcap).
  [bundled("enumeration-ok/capture.pcapng")]: [],
  [bundled("usbpcap-enumeration-ok/capture.pcap")]: [],
  // usbmon binary (220): host captures of working devices. Their STALLed DEVICE_QUALIFIER reads (§9.6.2),
  // cancelled URBs, short reads with URB_SHORT_NOT_OK and URBs cut by the capture's start are info.
  [real("220-cdc-msc-dfu-bootloader-linux.pcapng")]: [],
  [real("220-elecom-mouse-usbmontools.pcap")]: [],
  [real("220-skype-handset-iso-audio.pcap")]: [],
  [real("220-synaptics-fingerprint.pcapng")]: [],
  [real("220-upek-fingerprint-dfu-if.pcapng")]: [],
  // A 17-byte answer to GET_DESCRIPTOR(DEVICE): the device's fault.
  [real("220-egis0570-fingerprint-bulk.pcapng")]: ["error CTRL_DESC_TRUNCATION"],
  // A NUL inside a string descriptor (§9.6.7: strings are not NUL-terminated).
  [real("220-km003c-usb-meter-vendor-bulk.pcapng")]: ["error STR_FORMAT"],
  // USBPcap (249): Windows captures of working devices; IRP-information records and host-side statuses are info.
  [real("249-cdc-msc-dfu-bootloader-windows.pcapng")]: [],
  [real("249-lofree-kbd-fw-upgrade-reenum.pcapng")]: [],
  [real("249-microbit-daplink-bos-webusb-hub.pcapng")]: [],
  [real("249-microbit-daplink-msc-cdc.pcapng")]: [],
  // Interface numbers past bNumInterfaces (§9.6.3, §9.6.5): the devices' descriptors are wrong.
  [real("249-hid-keyboard-multi-device.pcapng")]: ["error IF_NUMBERING"],
  [real("249-usbpcap-official-sample-digitech.pcap")]: ["error IF_NUMBERING", "error STR_FORMAT"],
  // usbmon text: 32 bytes of each URB shown is a capture note, not a finding.
  [real("text-usbmon-film-scanner-bulk-err.mon")]: [],
  [real("text-usbmon-film-scanner-enum.usbmon")]: [],
  [real("text-usbmon-film-scanner-fw-update.mon")]: [],
  // Raw captures (Cynthion / Packetry, LINKTYPE 288) of working devices; SOF gaps are capture notes.
  [real("288-footswitch-split-enum-via-hub.pcap")]: [],
  [real("288-hackrf-lpc4330-dfu-enum.pcap")]: [],
  [real("288-hackrf-one-connect-enum.pcap")]: [],
  [real("288-hackrf-restart-enum-failure.pcap")]: [],
  [real("288-iphone-address-reuse.pcap")]: [],
  // Faulty: bad CRC5s, NUL-terminated strings, low-speed bInterval 1 (§9.6.6).
  // Its bad CRC16s were all ACKed by the host: corrupted on the sniffer's tap (CRC16_SNIFFER_TAP, a note).
  [real("288-analyzer-testdev-bad-cable.pcap")]: [],
  [real("288-bad-crcs.pcap")]: ["error CRC5"],
  [real("288-esp32s3-jtag-serial-cdc-badge.pcap")]: ["error STR_FORMAT"],
  [real("288-ls-keyboard-keepalive-divided.pcapng")]: ["warning EP_BINTERVAL"],
  [real("288-ksoloti-uac-iso.pcap")]: ["error PID_SEQUENCE"],
  [real("288-uac-truncated-config-desc.pcap")]: [],
  // Its first record is a lone 0xFF byte: the sniffer's glitch (CAPTURE_GLITCH, a note).
  [real("288-sunplus-optical-mouse.pcap")]: [],
  // ataradov's usb-sniffer (293/294/295 with its LINKTYPE 252 log interface).
  [real("293-ls-mouse-usbsniffer.pcapng")]: [],
  [real("294-fs-cdc-vcp-usbsniffer.pcapng")]: [],
  // A lone 0xEF byte among the reset's line-state log lines: the sniffer's glitch (CAPTURE_GLITCH, a note).
  [real("295-hs-flash-drive-msc-usbsniffer.pcapng")]: [],
};

describe("errors and warnings on real captures are the device's own", () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${path.basename(path.dirname(file)) === "real" ? "" : `${path.basename(path.dirname(file))}/`}${path.basename(file)}: ${expected.length ? expected.join(", ") : "healthy: no error, no warning"}`, async () => {
      expect(existsSync(file), `${file} is missing: the public captures are in ../shared`).toBe(true);
      const r = await analyzeFile(file);
      const loud = [
        ...new Set(
          r.findings
            .sorted()
            .filter((f) => f.severity !== "info")
            .map((f) => `${f.severity} ${f.rule}`),
        ),
      ].sort();
      expect(loud).toEqual([...expected].sort());
    });
  }
});
