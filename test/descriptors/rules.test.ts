import { describe, expect, it } from "vitest";
import type { ControlTransfer, Speed } from "../../src/usb/model.js";
import { descriptorRules, type RuleHit } from "../../src/rules/descriptor/index.js";
import { DeviceTracker } from "../../src/devices/tracker.js";
import { guessSpeed } from "../../src/devices/speed.js";
import { parseConfiguration } from "../../src/descriptors/configuration.js";
import {
  configSet,
  ct,
  enumeration,
  ep,
  getDescriptor,
  hex,
  iface,
  MICROBIT_BOS,
  MICROBIT_CONFIG,
  MICROBIT_DEVICE,
  setAddress,
  setConfiguration,
  stringDescriptor,
} from "./fixtures.js";

function run(id: string, transfers: ControlTransfer[], speed: Speed): RuleHit[] {
  const rule = descriptorRules.find((r) => r.info.id === id);
  if (!rule) throw new Error(`no rule ${id}`);
  const t = new DeviceTracker();
  for (const c of transfers) t.onControlTransfer(c);
  return t.devices.flatMap((d) =>
    rule.check({ device: d, speed: guessSpeed(d, speed).speed, linkSpeed: speed }),
  );
}

/** A copy of `b` with bytes at `at` replaced. */
function patch(b: Uint8Array, at: number, ...v: number[]): Uint8Array {
  const c = new Uint8Array(b);
  c.set(v, at);
  return c;
}

const parsed = parseConfiguration(MICROBIT_CONFIG);
const epOffset = (addr: number) =>
  parsed.interfaces.flatMap((i) => i.endpoints).find((e) => e.bEndpointAddress === addr)!.offset;
const unionOffset = parsed.interfaces.flatMap((i) => i.extra).find((d) => d.kind === "cdc-union")!.offset;
const ifOffset = (n: number) => parsed.interfaces.find((i) => i.bInterfaceNumber === n)!.offset;
const dev = (at: number, ...v: number[]) => patch(MICROBIT_DEVICE, at, ...v);
const cfg = (at: number, ...v: number[]) => patch(MICROBIT_CONFIG, at, ...v);
const A = { address: 5 };
/** A one-interface configuration at address 5 in a clean enumeration with a class 0 device. */
const single = (...subs: number[][]) =>
  enumeration({ device: dev(4, 0, 0, 0), config: configSet({ bNumInterfaces: 1 }, ...subs) });

interface Case {
  id: string;
  when: string;
  transfers: () => ControlTransfer[];
  speed?: Speed;
  says: string;
  severity?: "error" | "warning" | "info";
}

const CASES: Case[] = [
  {
    id: "DEV_BLENGTH",
    when: "bLength is 17",
    transfers: () => enumeration({ device: dev(0, 17) }),
    says: "bLength is 17, must be 18",
  },
  {
    id: "DEV_BCDUSB",
    when: "bcdUSB is not BCD",
    transfers: () => enumeration({ device: dev(2, 0x1a, 0x02) }),
    says: "bcdUSB is 0x021a",
  },
  {
    id: "DEV_BCDUSB_BOS",
    when: "bcdUSB 2.10 and BOS STALLs",
    transfers: () => enumeration({ bos: "stall" }),
    says: "GET_DESCRIPTOR(BOS) was STALLed",
  },
  {
    id: "DEV_SUBCLASS_ZERO",
    when: "class 0 with subclass 2",
    transfers: () => enumeration({ device: dev(4, 0, 2, 0) }),
    says: "bDeviceSubClass is 2",
  },
  {
    id: "DEV_MPS0",
    when: "bMaxPacketSize0 is 24",
    transfers: () => enumeration({ device: dev(7, 24) }),
    says: "bMaxPacketSize0 is 24",
  },
  {
    id: "DEV_MPS0",
    when: "a high-speed device has bMaxPacketSize0 32",
    transfers: () => enumeration({ device: dev(7, 32) }),
    speed: "high",
    says: "on a high-speed device; it must be 64",
  },
  {
    id: "DEV_NUM_CONFIGS",
    when: "bNumConfigurations is 0",
    transfers: () => enumeration({ device: dev(17, 0) }),
    says: "bNumConfigurations is 0",
  },
  {
    id: "DEV_IAD_CLASS",
    when: "a device with an IAD has class 00/00/00",
    transfers: () => enumeration({ device: dev(4, 0, 0, 0) }),
    says: "not EF/02/01",
    severity: "warning",
  },
  {
    id: "QUALIFIER",
    when: "the qualifier bLength is 9",
    transfers: () =>
      enumeration({
        extra: (a) => [getDescriptor(6, 0, 10, hex("09 06 00 02 00 00 00 40 01 00"), { address: a })],
      }),
    says: "bLength is 9, must be 10",
  },
  {
    id: "QUALIFIER",
    when: "a high-speed device STALLs the qualifier",
    transfers: () =>
      enumeration({
        device: dev(7, 64),
        extra: (a) => [getDescriptor(6, 0, 10, [], { address: a, status: "stall" })],
      }),
    speed: "high",
    says: "runs at high speed",
  },
  {
    id: "CFG_BLENGTH",
    when: "the configuration bLength is 10",
    transfers: () => enumeration({ config: cfg(0, 10) }),
    says: "bLength is 10, must be 9",
  },
  {
    id: "CFG_TOTAL_LENGTH_MISMATCH",
    when: "wTotalLength is 130 but 139 bytes of descriptors are returned",
    transfers: () => [...enumeration(), getDescriptor(2, 0, 255, cfg(2, 130), A)],
    says: "wTotalLength is 130",
  },
  {
    id: "CFG_TOTAL_LENGTH_MISMATCH",
    when: "a read for wTotalLength returns fewer bytes",
    transfers: () => [
      ...enumeration({ unconfigured: true }),
      getDescriptor(2, 0, 255, MICROBIT_CONFIG.subarray(0, 128), A),
    ],
    says: "but 128 bytes were returned",
  },
  {
    id: "CFG_ATTR_D7",
    when: "bmAttributes is 0x40",
    transfers: () => enumeration({ config: cfg(7, 0x40) }),
    says: "bit 7 must be set",
    severity: "warning",
  },
  {
    id: "CFG_ATTR_RESERVED",
    when: "bmAttributes is 0x81",
    transfers: () => enumeration({ config: cfg(7, 0x81) }),
    says: "reserved bits 4..0 are 0x01",
  },
  {
    id: "CFG_MAXPOWER",
    when: "bMaxPower is 251",
    transfers: () => enumeration({ config: cfg(8, 251) }),
    says: "502 mA",
    severity: "warning",
  },
  {
    id: "CFG_CONTENTS",
    when: "a DEVICE descriptor sits inside the configuration",
    transfers: () => single(iface(0, 0, 0), Array.from(MICROBIT_DEVICE)),
    says: "contains a DEVICE descriptor",
  },
  {
    id: "CFG_NUM_IFS",
    when: "bNumInterfaces is 4 but 5 interfaces follow",
    transfers: () => enumeration({ config: cfg(4, 4) }),
    says: "bNumInterfaces is 4 but 5 interfaces follow (0, 1, 2, 3, 4)",
  },
  {
    id: "IF_NUMBERING",
    when: "interface 4 is numbered 5",
    transfers: () => enumeration({ config: cfg(ifOffset(4) + 2, 5) }),
    says: "has no interface number 4",
  },
  {
    id: "IF_NUMBERING",
    when: "an alternate setting appears twice",
    transfers: () => single(iface(0, 0, 0), iface(0, 0, 0)),
    says: "appears twice",
  },
  {
    id: "IF_NUM_EPS",
    when: "interface 0 says 3 endpoints but has 2",
    transfers: () => enumeration({ config: cfg(ifOffset(0) + 4, 3) }),
    says: "bNumEndpoints is 3 but 2 endpoint descriptors follow",
  },
  {
    id: "IF_BLENGTH",
    when: "an interface descriptor is 8 bytes",
    transfers: () => single([8, 4, 0, 0, 0, 0xff, 0, 0]),
    says: "has bLength 8",
  },
  {
    id: "IAD_PLACEMENT",
    when: "the IAD names interface 2 but interface 1 follows",
    transfers: () => enumeration({ config: cfg(parsed.associations[0]!.offset + 2, 2) }),
    says: "not directly followed by interface 2",
  },
  {
    id: "IAD_MISSING",
    when: "the micro:bit's IAD names interfaces 3..4 instead of its CDC function's 1..2",
    transfers: () => enumeration({ config: cfg(parsed.associations[0]!.offset + 2, 3) }),
    says: "the CDC function on interfaces 1 (communication) and 2 (data), joined by its Union descriptor, has no interface association descriptor",
    severity: "warning",
  },
  {
    id: "IAD_COVERAGE",
    when: "the micro:bit's CDC IAD counts one interface",
    transfers: () => enumeration({ config: cfg(parsed.associations[0]!.offset + 3, 1) }),
    says: "interface 2 (data) is outside it",
    severity: "warning",
  },
  {
    id: "CDC_UNION_INTERFACE",
    when: "the micro:bit's Union names interface 9 as its data interface",
    transfers: () => enumeration({ config: cfg(unionOffset + 4, 9) }),
    says: "names interface 9 as its subordinate interface",
  },
  {
    id: "EP_BLENGTH",
    when: "a vendor interface has a 9-byte endpoint",
    transfers: () => single(iface(0, 0, 1), [9, 5, 0x81, 2, 64, 0, 0, 0, 0]),
    says: "bLength is 9, must be 7",
  },
  {
    id: "EP_ADDR",
    when: "an endpoint address has bit 4 set",
    transfers: () => single(iface(0, 0, 1), ep(0x91, 2, 64, 0)),
    says: "reserved bits 6..4 are set",
  },
  {
    id: "EP_ATTR_RESERVED",
    when: "a bulk endpoint has synchronization bits",
    transfers: () => enumeration({ config: cfg(epOffset(0x82) + 3, 0x06) }),
    says: "bits 5..2 are 0x01 on a bulk endpoint",
  },
  {
    id: "EP_MPS_RESERVED",
    when: "a full-speed interrupt endpoint sets additional-transaction bits",
    transfers: () => enumeration({ config: cfg(epOffset(0x83) + 4, 0x10, 0x08) }),
    says: "bits 12..11",
  },
  {
    id: "EP_MPS_LIMITS",
    when: "a full-speed bulk endpoint has 48 bytes",
    transfers: () => enumeration({ config: cfg(epOffset(0x82) + 4, 48, 0) }),
    says: "wMaxPacketSize 48: full-speed bulk max packet size must be 8, 16, 32 or 64",
  },
  {
    id: "EP_MPS_LIMITS",
    when: "a high-speed bulk endpoint has 64 bytes",
    transfers: () => enumeration(),
    speed: "high",
    says: "high-speed bulk max packet size must be 512",
  },
  {
    id: "EP_MPS_LIMITS",
    when: "a low-speed device has a bulk endpoint",
    transfers: () => single(iface(0, 0, 1), ep(0x81, 2, 8, 0)),
    speed: "low",
    says: "not allowed at low speed",
  },
  {
    id: "EP_MPS_ZERO",
    when: "a bulk endpoint has wMaxPacketSize 0",
    transfers: () => enumeration({ config: cfg(epOffset(0x82) + 4, 0, 0) }),
    says: "wMaxPacketSize is 0",
    severity: "warning",
  },
  {
    id: "EP_BINTERVAL",
    when: "an interrupt endpoint has bInterval 0",
    transfers: () => enumeration({ config: cfg(epOffset(0x83) + 6, 0) }),
    says: "bInterval 0 is 0",
  },
  {
    id: "EP_BINTERVAL",
    when: "a low-speed interrupt endpoint polls every 5 ms",
    transfers: () => single(iface(0, 0, 1, 3), ep(0x81, 3, 8, 5)),
    speed: "low",
    says: "below 10 ms",
    severity: "warning",
  },
  {
    id: "EP_BINTERVAL_HS_MS",
    when: "a high-speed interrupt endpoint has bInterval 32",
    transfers: () => enumeration({ device: dev(7, 64) }),
    speed: "high",
    says: "bInterval is 32, above 16",
    severity: "warning",
  },
  {
    id: "EP_ISO_ALT0",
    when: "an isochronous endpoint reserves bandwidth in alt 0",
    transfers: () => single(iface(0, 0, 1, 1, 2), [9, 5, 0x01, 0x0d, 192, 0, 1, 0, 0]),
    says: "should reserve no bandwidth",
    severity: "warning",
  },
  {
    id: "EP_DUPLICATE",
    when: "two interfaces use endpoint 0x81",
    transfers: () => enumeration({ config: cfg(epOffset(0x84) + 2, 0x81) }),
    says: "endpoint 0x81 is used by interface 2 and interface 3",
  },
  {
    id: "EP_DUPLICATE",
    when: "an interface added at run time reuses endpoint 0x82 and interface number 1 (MicroPython beside CDC)",
    transfers: () =>
      enumeration({
        device: dev(4, 0, 0, 0),
        config: configSet(
          { bNumInterfaces: 2 },
          iface(0, 0, 1, 2, 2, 1),
          ep(0x81, 3, 8, 16),
          iface(1, 0, 2, 0x0a),
          ep(0x82, 2, 64, 0),
          ep(0x02, 2, 64, 0),
          iface(1, 0, 1, 0xff), // the runtime interface: number 1 again, alternate 0 again
          ep(0x82, 2, 64, 0),
        ),
      }),
    says: "endpoint 0x82 is used by interface 1 and a second interface numbered 1 (its interface number collides too)",
  },
  {
    id: "DESC_BLENGTH_INVALID",
    when: "a sub-descriptor has bLength 0",
    transfers: () => single(iface(0, 0, 0), [0, 0x24, 0]),
    says: "has bLength 0",
  },
  {
    id: "CFG_EXCESS_BYTES",
    when: "one byte follows the last descriptor",
    transfers: () => single(iface(0, 0, 0), [0x42]),
    says: "1 excess byte",
    severity: "warning",
  },
  {
    id: "CFG_READ_FAIL",
    when: "the 9-byte configuration read STALLs",
    transfers: () => [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(2, 0, 9, [], { ...A, status: "stall" }),
    ],
    says: "the first read of configuration index 0 was STALLed",
  },
  {
    id: "ENUM_CONFIG_FAIL",
    when: "the full configuration never arrives",
    transfers: () => [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(2, 0, 9, MICROBIT_CONFIG, A),
      getDescriptor(2, 0, 139, MICROBIT_CONFIG.subarray(0, 64), { ...A, status: "incomplete" }),
    ],
    says: "never returned whole (best read: 64 of 139 bytes)",
  },
  {
    id: "LINUX_LIMITS",
    when: "bNumConfigurations is 9",
    transfers: () => enumeration({ device: dev(17, 9) }),
    says: "Linux uses at most 8",
    severity: "warning",
  },
  {
    id: "BOS_INVALID",
    when: "a capability has descriptor type 0x11",
    transfers: () => enumeration({ bos: patch(MICROBIT_BOS, 6, 0x11) }),
    says: "must be 0x10 (DEVICE_CAPABILITY)",
  },
  {
    id: "STR0_FORMAT",
    when: "string 0 has bLength 3",
    transfers: () =>
      enumeration().map((c) => (c.setup.wValue === 0x300 ? getDescriptor(3, 0, 255, [3, 3, 9], A) : c)),
    says: "string descriptor 0 reply is 3 bytes",
  },
  {
    id: "STR_NO_LANGID",
    when: "string 0 STALLs while iProduct is 2",
    transfers: () => [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(1, 0, 18, MICROBIT_DEVICE, A),
      getDescriptor(3, 0, 255, [], { ...A, status: "stall" }),
    ],
    says: "iProduct = 2",
  },
  {
    id: "STR_FORMAT",
    when: "string 2 has descriptor type 4",
    transfers: () =>
      enumeration({
        extra: (a) => [getDescriptor(3, 2, 255, patch(stringDescriptor("X"), 1, 4), { address: a })],
      }).filter((c) => !(c.setup.wValue === 0x302 && c.data[1] === 3)),
    says: "string 2: bDescriptorType is 0x4",
  },
  {
    id: "STR_FORMAT",
    when: "a string carries a NUL",
    transfers: () =>
      enumeration({ extra: (a) => [getDescriptor(3, 1, 255, stringDescriptor("ab\u0000"), { address: a })] }),
    says: "contains a NUL character",
  },
  {
    id: "STR_DANGLING_INDEX",
    when: "iManufacturer 1 STALLs",
    transfers: () =>
      enumeration({ extra: (a) => [getDescriptor(3, 1, 255, [], { address: a, status: "stall" })] }),
    says: "iManufacturer is 1 but GET_DESCRIPTOR(STRING 1) was STALLed",
  },
  {
    id: "ENUM_DEVDESC_PROBE_FAIL",
    when: "the 64-byte probe returns a CONFIGURATION descriptor",
    transfers: () => [getDescriptor(1, 0, 64, MICROBIT_CONFIG)],
    says: "returned a descriptor of type 0x2, not DEVICE",
  },
  {
    id: "CFG_READ_FAIL",
    when: "the read of the whole set is STALLed after the 9-byte header",
    transfers: () => [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(2, 0, 9, MICROBIT_CONFIG.subarray(0, 9), A),
      getDescriptor(2, 0, 139, [], { ...A, status: "stall" }),
    ],
    says: "read of the whole configuration index 0 (wLength 139)",
  },
  {
    id: "DEV_MPS0",
    when: "only the 64-byte probe has a bad bMaxPacketSize0",
    transfers: () => [
      getDescriptor(1, 0, 64, dev(7, 7)),
      setAddress(5),
      getDescriptor(1, 0, 18, MICROBIT_DEVICE, A),
    ],
    says: "bMaxPacketSize0 is 7",
  },
  {
    id: "ENUM_DEVDESC_PROBE_FAIL",
    when: "the 64-byte probe STALLs",
    transfers: () => [getDescriptor(1, 0, 64, [], { status: "stall" })],
    says: "was STALLed",
  },
  {
    id: "ENUM_DEVDESC_ALL_FAIL",
    when: "the 18-byte read returns 12 bytes",
    transfers: () => [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(1, 0, 18, MICROBIT_DEVICE.subarray(0, 12), A),
    ],
    says: "returned only 12",
  },
  {
    id: "ENUM_SET_ADDRESS_FAIL",
    when: "three SET_ADDRESS tries fail",
    transfers: () => [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5, { status: "stall" }),
      setAddress(5, { status: "stall" }),
      setAddress(5, { status: "error", detail: "timeout" }),
    ],
    says: "failed on all 3 tries",
  },
  {
    id: "ENUM_EP0_MPS_CHANGED",
    when: "bMaxPacketSize0 changes from 64 to 8",
    transfers: () => [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(1, 0, 18, dev(7, 8), A),
    ],
    says: "changed from 64",
  },
  {
    id: "ENUM_GAVE_UP",
    when: "the device never takes an address",
    transfers: () => [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5, { status: "error" }),
      getDescriptor(1, 0, 64, [], { status: "stall" }),
    ],
    says: "never reached the configured state",
  },
  {
    id: "ENUM_NO_TT",
    when: "a high-speed hub reports bDeviceProtocol 0",
    transfers: () => enumeration({ device: dev(4, 0x09, 0, 0, 64) }),
    speed: "high",
    says: "no transaction translator",
  },
  {
    id: "ENUM_NOT_TOP_SPEED",
    when: "a high-speed capable device runs at full speed",
    transfers: () =>
      enumeration({
        extra: (a) => [getDescriptor(6, 0, 10, hex("0a 06 00 02 00 00 00 40 01 00"), { address: a })],
      }),
    says: "connect it to a high-speed port",
    severity: "warning",
  },
  {
    id: "CTRL_DESC_TRUNCATION",
    when: "a string reply is shorter than its bLength",
    transfers: () =>
      enumeration({
        extra: (a) => [
          getDescriptor(3, 1, 255, stringDescriptor("ARM mbed").subarray(0, 10), { address: a }),
        ],
      }),
    says: "asked for 255 bytes of a 18-byte descriptor but got 10",
  },
  {
    id: "CTRL_DESC_TRUNCATION",
    when: "the device descriptor has extra bytes",
    transfers: () =>
      enumeration({
        extra: (a) => [getDescriptor(1, 0, 64, new Uint8Array([...MICROBIT_DEVICE, 0, 0]), { address: a })],
      }),
    says: "returned 20 bytes for a 18-byte descriptor",
  },
  {
    id: "GETDESC_IF_EP",
    when: "GET_DESCRIPTOR(INTERFACE) is answered",
    transfers: () => enumeration({ extra: (a) => [getDescriptor(4, 0, 9, iface(0, 0, 2), { address: a })] }),
    says: "instead of a STALL",
  },
  {
    id: "STD_GET_RESPONSES",
    when: "GET_CONFIGURATION returns 0 after SET_CONFIGURATION 1",
    transfers: () => [
      ...enumeration(),
      ct({ bmRequestType: 0x80, bRequest: 8, wValue: 0, wIndex: 0, wLength: 1 }, [0], A),
    ],
    says: "returned 0 but the host set configuration 1",
  },
  {
    id: "STD_GET_RESPONSES",
    when: "GET_STATUS returns 1 byte",
    transfers: () => [
      ...enumeration(),
      ct({ bmRequestType: 0x80, bRequest: 0, wValue: 0, wIndex: 0, wLength: 2 }, [1], A),
    ],
    says: "GET_STATUS returned 1 byte",
  },
  {
    id: "HID_LOGICAL_RANGE",
    when: "a report descriptor's field has Logical Minimum -10 and Logical Maximum -20",
    transfers: () => [...enumeration(), hidReportRead([0x15, 0xf6, 0x25, 0xec, 0x75, 0x08, 0x95, 0x04])],
    says: "Logical Minimum -10 and Logical Maximum 0xec (1 byte), which reads signed as -20",
    severity: "warning",
  },
  {
    id: "HID_LOGICAL_RANGE",
    when: "0..255 is written with a 1-byte Logical Maximum 0xFF (info: Linux reads it unsigned)",
    transfers: () => [...enumeration(), hidReportRead([0x15, 0x00, 0x25, 0xff, 0x75, 0x08, 0x95, 0x04])],
    says: "reads signed as -1; Linux reads it as 255 because Logical Minimum is not negative",
    severity: "info",
  },
  {
    id: "HID_FIELD_SIZE",
    when: "a report descriptor has a 33-bit data field",
    transfers: () => [...enumeration(), hidReportRead([0x15, 0x00, 0x25, 0x01, 0x75, 0x21, 0x95, 0x01])],
    says: "Report Size 33, wider than 32 bits",
    severity: "warning",
  },
];

/** GET_DESCRIPTOR(HID_REPORT) of interface 0 (HID 1.11 §7.1.1): a vendor collection with one input item. */
function hidReportRead(globals: number[]): ControlTransfer {
  const d = [0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01, 0x09, 0x02, ...globals, 0x81, 0x02, 0xc0];
  return ct({ bmRequestType: 0x81, bRequest: 6, wValue: 0x2200, wIndex: 0, wLength: d.length + 64 }, d, A);
}

describe("descriptor rules", () => {
  it("every rule in the registry has a firing case here, and IDs are unique", () => {
    const ids = descriptorRules.map((r) => r.info.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...new Set(CASES.map((c) => c.id))].sort()).toEqual([...ids].sort());
  });

  for (const c of CASES) {
    it(`${c.id} fires when ${c.when}`, () => {
      const hits = run(c.id, c.transfers(), c.speed ?? "full");
      expect(hits.length).toBeGreaterThan(0);
      const h = hits.find((x) => x.finding.message.includes(c.says));
      expect(h, hits.map((x) => x.finding.message).join("\n")).toBeDefined();
      expect(h!.finding.rule).toBe(c.id);
      expect(h!.finding.severity).toBe(c.severity ?? "error");
      expect(typeof h!.finding.packet).toBe("number");
      expect(h!.finding.spec).toBeTruthy();
    });
  }

  for (const rule of descriptorRules) {
    it(`${rule.info.id} stays silent on the clean micro:bit enumeration`, () => {
      expect(run(rule.info.id, enumeration(), "full").map((h) => h.finding.message)).toEqual([]);
    });
  }

  it("names the record of the transfer that carried the descriptor and the device's address", () => {
    const transfers = enumeration({ config: cfg(4, 4) });
    const full = transfers.find((c) => c.setup.wValue === 0x200 && c.data.length === 139)!;
    const [h] = run("CFG_NUM_IFS", transfers, "full");
    expect(h!.finding.packet).toBe(full.firstPacket);
    expect(h!.finding.device).toBe(5);
    expect(h!.where).toEqual({ descriptor: "configuration", config: 0, offset: 0, field: "bNumInterfaces" });
  });

  it("stays silent on a high-speed bulk endpoint of 512 and a 9-byte endpoint in an audio interface", () => {
    const hs = single(iface(0, 0, 1), ep(0x81, 2, 512, 0));
    expect(run("EP_MPS_LIMITS", hs, "high")).toEqual([]);
    expect(
      run(
        "EP_BLENGTH",
        single(iface(0, 0, 0, 1, 2), iface(0, 1, 1, 1, 2), [9, 5, 0x01, 0x0d, 192, 0, 1, 0, 0]),
        "full",
      ),
    ).toEqual([]);
  });

  it("lets a USB 3 device give an interrupt endpoint a usage type, but not a USB 2.0 device", () => {
    const withUsage = (bcd: number) =>
      enumeration({
        device: dev(2, bcd & 0xff, bcd >> 8, 0, 0, 0, 64),
        config: configSet({ bNumInterfaces: 1 }, iface(0, 0, 1), ep(0x81, 0x13, 8, 10)),
      });
    expect(run("EP_ATTR_RESERVED", withUsage(0x0300), "full")).toEqual([]);
    expect(run("EP_ATTR_RESERVED", withUsage(0x0200), "full")).toHaveLength(1);
  });

  it("DEV_MPS0 accepts the SuperSpeed exponent 9 only from a device with bcdUSB 3.x", () => {
    const mps9 = (bcd: number) => enumeration({ device: dev(2, bcd & 0xff, bcd >> 8, 0, 0, 0, 9) });
    expect(run("DEV_MPS0", mps9(0x0310), "unknown")).toEqual([]);
    expect(run("DEV_MPS0", mps9(0x0200), "unknown").map((h) => h.finding.message)).toEqual([
      "bMaxPacketSize0 is 9; it must be 8, 16, 32 or 64",
    ]);
  });

  it("CTRL_DESC_TRUNCATION says, as info, when a configuration set was never read whole because the host asked for less", () => {
    const t = [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(2, 0, 9, MICROBIT_CONFIG, A),
      getDescriptor(2, 0, 100, MICROBIT_CONFIG, A),
    ];
    const hits = run("CTRL_DESC_TRUNCATION", t, "full");
    expect(hits.map((h) => [h.finding.severity, h.finding.packet])).toEqual([["info", t[3]!.firstPacket]]);
    expect(hits[0]!.finding.message).toContain(
      "only 100 of its wTotalLength 139 bytes were read (the largest request asked for 100)",
    );
    expect(run("CTRL_DESC_TRUNCATION", [...t, getDescriptor(2, 0, 255, MICROBIT_CONFIG, A)], "full")).toEqual(
      [],
    );
  });

  it("ENUM_NO_TT stays silent for a single-TT high-speed hub", () => {
    expect(run("ENUM_NO_TT", enumeration({ device: dev(4, 0x09, 0, 1, 64) }), "high")).toEqual([]);
  });

  it("lets a device without strings STALL string 0", () => {
    const noStrings = dev(14, 0, 0, 0);
    expect(
      run(
        "STR_NO_LANGID",
        [
          getDescriptor(1, 0, 64, noStrings),
          setAddress(5),
          getDescriptor(1, 0, 18, noStrings, A),
          getDescriptor(3, 0, 255, [], { ...A, status: "stall" }),
        ],
        "full",
      ),
    ).toEqual([]);
  });

  it("does not blame the configuration when the host itself asked for fewer bytes than wTotalLength", () => {
    const t = [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(2, 0, 64, MICROBIT_CONFIG, A),
    ];
    expect(run("ENUM_CONFIG_FAIL", t, "full")).toEqual([]);
    expect(run("DESC_BLENGTH_INVALID", t, "full")).toEqual([]);
  });

  it("does not count the 64-byte probe cut short by a reset as a probe failure", () => {
    const probe = getDescriptor(1, 0, 64, MICROBIT_DEVICE.subarray(0, 8), {
      status: "incomplete",
      detail: "bus reset",
    });
    expect(
      run(
        "ENUM_DEVDESC_PROBE_FAIL",
        [probe, setAddress(5), getDescriptor(1, 0, 18, MICROBIT_DEVICE, A), setConfiguration(1, A)],
        "full",
      ),
    ).toEqual([]);
  });
});

describe("EP_DUPLICATE across interfaces whose numbers collide", () => {
  const config = (...runtime: number[][]) =>
    configSet(
      { bNumInterfaces: 2 },
      iface(0, 0, 1, 2, 2, 1),
      ep(0x81, 3, 8, 16),
      iface(1, 0, 2, 0x0a),
      ep(0x82, 2, 64, 0),
      ep(0x02, 2, 64, 0),
      ...runtime,
    );
  const messages = (c: Uint8Array) =>
    run("EP_DUPLICATE", enumeration({ device: dev(4, 0, 0, 0), config: c }), "full").map(
      (h) => h.finding.message,
    );

  it("stays silent when the runtime interface with a colliding number has endpoints of its own", () => {
    expect(messages(config(iface(1, 0, 1, 0xff), ep(0x83, 2, 64, 0)))).toEqual([]);
  });
  it("stays silent on the alternate settings of one interface that share an endpoint", () => {
    expect(messages(config(iface(1, 1, 1, 0x0a), ep(0x82, 2, 64, 0)))).toEqual([]);
  });
  it("fires once for the reused endpoint when the number collides too", () => {
    expect(messages(config(iface(1, 0, 1, 0xff), ep(0x82, 2, 64, 0)))).toEqual([
      expect.stringMatching(/endpoint 0x82 is used by interface 1 and a second interface numbered 1/),
    ]);
  });
});
