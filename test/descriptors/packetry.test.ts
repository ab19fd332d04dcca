// Packetry's device trees (devices-reference.txt) as a peer's decoding: the raw captures of its test suite go
// through the packet layer into the DescriptorLayer, and the device, configuration, interface and endpoint
// fields we decode agree with what Packetry prints.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readCapture } from "../transfers/helpers/pcapReader.js";
import { runRecords } from "../transfers/helpers/context.js";
import { DescriptorLayer } from "../../src/devices/descriptorLayer.js";
import type { UsbDevice } from "../../src/devices/device.js";
import { publicDir } from "../helpers/paths.js";
import { descriptorRules } from "../../src/rules/descriptor/index.js";

const ROOT = path.join(publicDir, "packetry");
const CASES = readFileSync(path.join(ROOT, "tests.txt"), "utf8").split("\n").filter(Boolean);

interface RefDevice {
  address: number;
  fields: Record<string, number>;
  strings: Record<number, string>;
  configs: { totalLength: number; numInterfaces: number; value: number; endpoints: number[] }[];
}

/** The parts of Packetry's device tree we compare: ids, sizes and counts, string texts, endpoint addresses. */
function parseDevices(text: string): RefDevice[] {
  const out: RefDevice[] = [];
  let dev: RefDevice | undefined;
  for (const line of text.split("\n")) {
    const t = line.trim();
    let m = /^Device (\d+):/.exec(t);
    if (m && line.startsWith(" Device")) {
      dev = { address: Number(m[1]), fields: {}, strings: {}, configs: [] };
      out.push(dev);
      continue;
    }
    if (!dev) continue;
    if ((m = /^Vendor ID: 0x([0-9A-F]{4})/.exec(t))) dev.fields["idVendor"] = parseInt(m[1]!, 16);
    else if ((m = /^Product ID: 0x([0-9A-F]{4})/.exec(t))) dev.fields["idProduct"] = parseInt(m[1]!, 16);
    else if ((m = /^Max EP0 packet size: (\d+)/.exec(t))) dev.fields["bMaxPacketSize0"] = Number(m[1]);
    else if ((m = /^(?:Manufacturer|Product|Serial|Configuration|Interface) string: #(\d+) '(.*)'$/.exec(t)))
      dev.strings[Number(m[1])] = m[2]!;
    else if ((m = /^Configuration (\d+)$/.exec(t)))
      dev.configs.push({ value: Number(m[1]), totalLength: -1, numInterfaces: -1, endpoints: [] });
    else if ((m = /^Total length: (\d+)/.exec(t)))
      dev.configs[dev.configs.length - 1]!.totalLength = Number(m[1]);
    else if ((m = /^Number of interfaces: (\d+)/.exec(t)))
      dev.configs[dev.configs.length - 1]!.numInterfaces = Number(m[1]);
    else if ((m = /^Endpoint address: 0x([0-9A-F]{2})/.exec(t)))
      dev.configs[dev.configs.length - 1]?.endpoints.push(parseInt(m[1]!, 16));
  }
  return out;
}

/** The nth of our devices that ended at `address` with a device descriptor (an address reused after re-enumeration is a new device). */
function ours(devices: UsbDevice[], address: number, nth: number): UsbDevice | undefined {
  return devices.filter((d) => d.address === address && d.device && d.device.descriptor.length >= 12)[nth];
}

describe("descriptor decoding agrees with Packetry's device trees", () => {
  for (const name of CASES) {
    const dir = path.join(ROOT, name);
    const capture = ["capture.pcap", "capture.pcapng"].map((f) => path.join(dir, f)).find(existsSync);
    const refPath = path.join(dir, "devices-reference.txt");
    if (!capture || !existsSync(refPath)) continue;
    const ref = parseDevices(readFileSync(refPath, "utf8")).filter((d) => d.fields["idVendor"] !== undefined);
    if (ref.length === 0) continue;
    it(`${name}: ${ref.length} device(s)`, () => {
      const rec = runRecords(readCapture(capture), {
        speed: "unknown",
        learnEndpointTypes: true,
        batchSize: 4096,
      });
      const layer = new DescriptorLayer("unknown", descriptorRules);
      for (const ct of rec.controls) layer.onControlTransfer(ct);
      const r = layer.finish();
      const seen = new Map<number, number>();
      for (const rd of ref) {
        const nth = seen.get(rd.address) ?? 0;
        seen.set(rd.address, nth + 1);
        const d = ours(r.tracked, rd.address, nth);
        expect(d, `device ${rd.address}`).toBeDefined();
        const dd = d!.device!.descriptor as unknown as Record<string, number>;
        for (const [k, v] of Object.entries(rd.fields)) expect(dd[k], `device ${rd.address} ${k}`).toBe(v);
        for (const [i, text] of Object.entries(rd.strings)) {
          if (text.includes("\\u{")) continue;
          expect(d!.strings.get(Number(i))?.descriptor.text, `device ${rd.address} string ${i}`).toBe(text);
        }
        for (const rc of rd.configs) {
          const c = [...d!.configurations.values()].find(
            (h) => h.descriptor.bConfigurationValue === rc.value,
          )?.descriptor;
          expect(c, `device ${rd.address} configuration ${rc.value}`).toBeDefined();
          expect(c!.wTotalLength).toBe(rc.totalLength);
          expect(c!.bNumInterfaces).toBe(rc.numInterfaces);
          expect(c!.interfaces.flatMap((i) => i.endpoints.map((e) => e.bEndpointAddress))).toEqual(
            rc.endpoints,
          );
        }
      }
    });
  }
});
