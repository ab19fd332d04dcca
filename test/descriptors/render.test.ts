import { describe, expect, it } from "vitest";
import { escapeHtml, sanitizeTerminal } from "../../src/report/sanitize.js";
import { renderDevice } from "../../src/report/descriptorTree.js";
import { DeviceTracker } from "../../src/devices/tracker.js";
import { DescriptorLayer } from "../../src/devices/descriptorLayer.js";
import type { Finding } from "../../src/usb/finding.js";
import { ct, enumeration, getDescriptor, MICROBIT_CONFIG, stringDescriptor } from "./fixtures.js";
import { descriptorRules } from "../../src/rules/descriptor/index.js";
import { descriptorsJson } from "../../src/report/deviceJson.js";

describe("hostile strings", () => {
  it("strips ESC sequences, C0 and C1 controls and bidi overrides for the terminal", () => {
    expect(sanitizeTerminal("Evil\u001b[2J\u001b[31mCorp\u0007")).toBe("EvilCorp");
    expect(sanitizeTerminal("a\u001b]0;title\u0007b")).toBe("ab");
    expect(sanitizeTerminal("x\u009b31my\r\nz\u0000")).toBe("xyz");
    expect(sanitizeTerminal("abc\u202edef")).toBe("abcdef");
    expect(sanitizeTerminal("Ünïcødé ✓")).toBe("Ünïcødé ✓");
  });
  it("escapes HTML", () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe(
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;",
    );
  });
});

describe("lsusb-style rendering", () => {
  function device(extra: ReturnType<typeof getDescriptor>[] = [], config?: Uint8Array) {
    const t = new DeviceTracker();
    for (const c of enumeration({ config, extra: () => extra })) t.onControlTransfer(c);
    return t.devices[0]!;
  }

  it("renders the device, configuration, interface, endpoint, class and BOS descriptors", () => {
    const out = renderDevice(device());
    expect(out).toContain("Device 5: ID 0d28:0204 DAPLink CMSIS-DAP");
    expect(out).toMatch(/idVendor\s+0x0d28/);
    expect(out).toMatch(/bcdUSB\s+2\.10/);
    expect(out).toMatch(/bDeviceClass\s+239 Miscellaneous Device/);
    expect(out).toMatch(/bMaxPower\s+500mA/);
    expect(out).toMatch(
      /bInterfaceClass\s+8 Mass Storage, SCSI transparent command set, Bulk-Only Transport/,
    );
    expect(out).toMatch(/bEndpointAddress\s+0x82 EP 2 IN/);
    expect(out).toContain("CDC Union:");
    expect(out).toContain("HID Device Descriptor:");
    expect(out).toContain("Platform (WebUSB) Capability:");
    expect(out).toContain("0: LANGIDs 0x0409 English (United States)");
  });

  it("lists HID report descriptor items like lsusb -v", () => {
    const report = [0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x75, 0x08, 0x95, 0x08, 0x81, 0x02, 0xc0];
    const t = new DeviceTracker();
    for (const c of enumeration({
      extra: (a) => [
        ct({ bmRequestType: 0x81, bRequest: 6, wValue: 0x2200, wIndex: 3, wLength: 13 }, report, {
          address: a,
        }),
      ],
    }))
      t.onControlTransfer(c);
    const out = renderDevice(t.devices[0]!);
    expect(out).toContain("HID Report Descriptor (interface 3, 7 items):");
    expect(out).toContain("Item(Global): Usage Page, data= [ 0x01 ] Generic Desktop");
    expect(out).toContain("Item(Main  ): Input, data= [ 0x02 ] Data,Var,Abs");
    expect(out).toContain("input report: 8 bytes");
  });

  it("shows a finding under the field it concerns", () => {
    const cfg = new Uint8Array(MICROBIT_CONFIG);
    cfg[4] = 4;
    const layer = new DescriptorLayer("full", descriptorRules);
    for (const c of enumeration({ config: cfg })) layer.onControlTransfer(c);
    const r = layer.finish();
    expect(r.hitsByDevice[0]).toEqual(r.hits);
    const out = renderDevice(r.tracked[0]!, r.hitsByDevice[0]);
    const lines = out.split("\n");
    const at = lines.findIndex((l) => /bNumInterfaces\s+4/.test(l));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toContain(
      "^ E CFG_NUM_IFS: configuration 1: bNumInterfaces is 4 but 5 interfaces follow",
    );
  });

  it("neutralises control characters in device strings and in unplaced findings", () => {
    const d = device([getDescriptor(3, 2, 255, stringDescriptor("Pwn\u001b[31med\u0007"), { address: 5 })]);
    const f: Finding = { rule: "X", severity: "warning", message: "bad \u001b[2J thing" };
    const out = renderDevice(d, [{ finding: f }]);
    // eslint-disable-next-line no-control-regex -- the point: no control character may survive
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(out).toContain("Pwned");
    expect(out).toContain("Findings:");
    expect(out).toContain("^ W X: bad  thing");
  });
});

describe("DescriptorLayer", () => {
  it("adds each finding once, returns devices with descriptors, timeline and diagnosis, and answers endpoint types", () => {
    const cfg = new Uint8Array(MICROBIT_CONFIG);
    cfg[4] = 4;
    const layer = new DescriptorLayer("full", descriptorRules);
    for (const c of enumeration({ config: cfg })) layer.onControlTransfer(c);
    expect(layer.endpointType(5, 0x82)).toBe("bulk");
    const added: Finding[] = [];
    const sink = { add: (f: Finding) => added.push(f) };
    const r = layer.finish(sink);
    layer.finish(sink);
    expect(added.filter((f) => f.rule === "CFG_NUM_IFS")).toHaveLength(1);
    expect(added.length).toBe(r.hits.length);
    expect(r.devices[0]).toMatchObject({
      address: 5,
      addresses: [0, 5],
      speed: "full",
      state: "configured",
      configuration: 1,
    });
    expect((descriptorsJson(r.tracked[0]!) as any).device.idVendor).toBe(0x0d28);
    expect(r.devices[0]!.timeline[0]!.step).toBe("GET_DESCRIPTOR DEVICE (wLength 64)");
    expect(r.diagnoses[0]!.ok).toBe(false);
  });

  it("finds nothing to report on a clean enumeration", () => {
    const layer = new DescriptorLayer("full", descriptorRules);
    for (const c of enumeration()) layer.onControlTransfer(c);
    const r = layer.finish();
    expect(r.hits.map((h) => h.finding.message)).toEqual([]);
    expect(r.diagnoses[0]!.ok).toBe(true);
  });
});
