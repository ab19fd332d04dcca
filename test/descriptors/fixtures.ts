// Real descriptor bytes from the public captures (see each comment for the record), and builders for
// ControlTransfer objects.
import type { ControlStatus, ControlTransfer, SetupPacket } from "../../src/usb/model.js";
import { deviceAddr } from "../../src/usb/ids.js";

const h = (s: string) =>
  new Uint8Array(
    s
      .trim()
      .split(/\s+/)
      .map((x) => parseInt(x, 16)),
  );

/** BBC micro:bit DAPLink (0d28:0204), 249-microbit-daplink-bos-webusb-hub.pcapng frame 73. */
export const MICROBIT_DEVICE = h("12 01 10 02 ef 02 01 40 28 0d 04 02 00 10 01 02 03 01");
/** Same capture frame 79: configuration 1, 139 bytes: MSC, IAD + CDC ACM, HID (CMSIS-DAP), vendor (WebUSB). */
export const MICROBIT_CONFIG =
  h(`09 02 8b 00 05 01 00 80 fa 09 04 00 00 02 08 06 50 08 07 05 82 02 40 00 00 07 05 02 02 40 00 00
08 0b 01 02 02 02 01 04 09 04 01 00 01 02 02 01 04 05 24 00 10 01 05 24 01 03 02 04 24 02 06 05 24 06 01 02
07 05 83 03 10 00 20 09 04 02 00 02 0a 00 00 05 07 05 04 02 40 00 00 07 05 84 02 40 00 00 09 04 03 00 02 03
00 00 06 09 21 00 01 00 01 22 21 00 07 05 81 03 40 00 01 07 05 01 03 40 00 01 09 04 04 00 00 ff 03 00 07`);
/** Same capture frame 578: BOS with WebUSB and Microsoft OS 2.0 platform capabilities. */
export const MICROBIT_BOS =
  h(`05 0f 39 00 02 18 10 05 00 38 b6 08 34 a9 09 a0 47 8b fd a0 76 88 15 b6 65 00 01 21 00 1c 10 05 00 df
60 dd d8 89 45 c7 4c 9c d2 65 9d 9e 64 8a 9f 00 00 03 06 aa 00 20 00`);
/** Same capture frame 84: string 0 (LANGID 0x0409). */
export const MICROBIT_STRING0 = h("04 03 09 04");
/** Same capture frame 87: the start of string 1 "USB_MSC" as read with wLength 16. */
export const MICROBIT_STRING_PART = h("10 03 55 00 53 00 42 00 5f 00 4d 00 53 00 43 00");

/** Blue Pill CDC+MSC+DFU bootloader (1209:db42), 220-cdc-msc-dfu-bootloader-linux.pcapng frame 62. */
export const BOOTLOADER_CONFIG =
  h(`09 02 74 00 04 01 00 80 fa 09 04 00 00 00 fe 01 02 04 09 21 0b ff 00 00 01 10 01 09 04 01 00 02 08 06 50 05
07 05 01 02 40 00 00 07 05 82 02 40 00 00 08 0b 02 02 02 02 01 06 09 04 02 00 01 02 02 01 07 05 24 00 10 01
05 24 01 00 03 04 24 02 00 05 24 06 02 03 07 05 85 03 10 00 ff 09 04 03 00 02 0a 00 00 08 07 05 03 02 40 00
01 07 05 84 02 40 00 01`);
/** Same capture frame 66: string "DAPBoot DFU Bootloader". */
export const BOOTLOADER_STRING = h(
  "2e 03 44 00 41 00 50 00 42 00 6f 00 6f 00 74 00 20 00 44 00 46 00 55 00 20 00 42 00 6f 00 6f 00 74 00 6c 00 6f 00 61 00 64 00 65 00 72 00",
);

/** DigiTech (1210:000d) USB Audio 1.0 + MIDI, 249-usbpcap-official-sample-digitech.pcap frame 228 (352 bytes). */
export const DIGITECH_CONFIG =
  h(`09 02 60 01 05 01 00 80 fa 09 04 00 00 00 01 01 00 03 0a 24 01 00 01 34 00 02 01 02 0c 24 02 01 01 01 00 02
03 00 00 03 09 24 03 02 01 03 00 01 03 0c 24 02 03 03 06 00 02 03 00 00 03 09 24 03 04 01 01 00 03 03 09 04 01
00 00 01 02 00 03 09 04 01 01 01 01 02 00 03 07 24 01 01 01 01 00 0b 24 02 01 02 02 10 01 44 ac 00 09 05 01 0d
c0 00 01 00 00 07 25 01 01 01 00 00 09 04 01 02 01 01 02 00 03 07 24 01 01 01 01 00 0b 24 02 01 02 03 18 01 44
ac 00 09 05 01 0d 20 01 01 00 00 07 25 01 01 01 00 00 09 04 02 00 00 01 02 00 03 09 04 02 01 01 01 02 00 03 07
24 01 04 01 01 00 0b 24 02 01 02 02 10 01 44 ac 00 09 05 82 0d c0 00 01 00 00 07 25 01 01 01 00 00 09 04 02 02
01 01 02 00 03 07 24 01 04 01 01 00 0b 24 02 01 02 03 18 01 44 ac 00 09 05 82 0d 20 01 01 00 00 07 25 01 01 01
00 00 09 04 06 00 00 01 01 00 04 09 24 01 00 01 09 00 01 07 09 04 07 00 02 01 03 00 04 07 24 01 00 01 41 00 06
24 02 01 01 00 06 24 02 02 02 00 09 24 03 01 03 01 02 01 00 09 24 03 02 04 01 01 01 00 09 05 04 02 10 00 00 00
00 05 25 01 01 01 09 05 84 02 10 00 00 00 00 05 25 01 01 03`);

export function hex(s: string): Uint8Array {
  return h(s);
}

/** UTF-16LE string descriptor for `text`. */
export function stringDescriptor(text: string): Uint8Array {
  const b = new Uint8Array(2 + text.length * 2);
  b[0] = b.length;
  b[1] = 3;
  for (let i = 0; i < text.length; i++) {
    b[2 + 2 * i] = text.charCodeAt(i) & 0xff;
    b[3 + 2 * i] = text.charCodeAt(i) >> 8;
  }
  return b;
}

/** A configuration set from sub-descriptors: the header's wTotalLength is computed unless given. */
export function configSet(
  header: { bNumInterfaces: number; bmAttributes?: number; bMaxPower?: number; wTotalLength?: number },
  ...subs: number[][]
): Uint8Array {
  const body = subs.flat();
  const total = header.wTotalLength ?? 9 + body.length;
  return new Uint8Array([
    9,
    2,
    total & 0xff,
    total >> 8,
    header.bNumInterfaces,
    1,
    0,
    header.bmAttributes ?? 0x80,
    header.bMaxPower ?? 50,
    ...body,
  ]);
}

export const iface = (
  num: number,
  alt: number,
  eps: number,
  cls = 0xff,
  sub = 0,
  proto = 0,
  iInterface = 0,
) => [9, 4, num, alt, eps, cls, sub, proto, iInterface];
export const ep = (addr: number, attr: number, mps: number, interval: number) => [
  7,
  5,
  addr,
  attr,
  mps & 0xff,
  mps >> 8,
  interval,
];

let order = 0;

export interface CtOptions {
  address?: number;
  status?: ControlStatus;
  bus?: number;
  source?: "packets" | "urb";
  detail?: string;
}

/** A control transfer from its setup fields and the data seen; indices and times advance per call. */
export function ct(setup: SetupPacket, data: Uint8Array | number[] = [], o: CtOptions = {}): ControlTransfer {
  const i = order++;
  const t = { sec: 1_700_000_000, nsec: i * 1_000_000 };
  const c: ControlTransfer = {
    index: i,
    source: o.source ?? "packets",
    address: deviceAddr(o.address ?? 0),
    setup,
    request: "",
    data: data instanceof Uint8Array ? data : new Uint8Array(data),
    status: o.status ?? "ok",
    firstPacket: i * 10,
    lastPacket: i * 10 + 5,
    start: t,
    end: { sec: t.sec, nsec: t.nsec + 500_000 },
  };
  if (o.bus !== undefined) c.bus = o.bus;
  if (o.detail) c.detail = o.detail;
  return c;
}

/** GET_DESCRIPTOR(type, index) to the device; the reply is clipped to wLength like a real device would. */
export function getDescriptor(
  type: number,
  index: number,
  wLength: number,
  reply: Uint8Array | number[],
  o: CtOptions = {},
  wIndex = type === 3 ? 0x0409 : 0,
): ControlTransfer {
  const b = reply instanceof Uint8Array ? reply : new Uint8Array(reply);
  return ct(
    {
      bmRequestType: 0x80,
      bRequest: 6,
      wValue: (type << 8) | index,
      wIndex: index === 0 && type === 3 ? 0 : wIndex,
      wLength,
    },
    b.subarray(0, Math.min(b.length, wLength)),
    o,
  );
}

export function setAddress(to: number, o: CtOptions = {}): ControlTransfer {
  return ct({ bmRequestType: 0, bRequest: 5, wValue: to, wIndex: 0, wLength: 0 }, [], o);
}

export function setConfiguration(value: number, o: CtOptions = {}): ControlTransfer {
  return ct({ bmRequestType: 0, bRequest: 9, wValue: value, wIndex: 0, wLength: 0 }, [], o);
}

export interface EnumerationParts {
  device?: Uint8Array;
  config?: Uint8Array;
  bos?: Uint8Array | "stall";
  address?: number;
  /** Skip SET_CONFIGURATION. */
  unconfigured?: boolean;
  /** Extra transfers to the addressed device, before SET_CONFIGURATION. */
  extra?: (address: number) => ControlTransfer[];
}

/** A Linux-style enumeration: 64-byte probe at 0, SET_ADDRESS, device, config header and set, BOS, strings, SET_CONFIGURATION. */
export function enumeration(p: EnumerationParts = {}): ControlTransfer[] {
  const dev = p.device ?? MICROBIT_DEVICE;
  const cfg = p.config ?? MICROBIT_CONFIG;
  const a = p.address ?? 5;
  const at = { address: a };
  const out = [
    getDescriptor(1, 0, 64, dev),
    setAddress(a),
    getDescriptor(1, 0, 18, dev, at),
    getDescriptor(2, 0, 9, cfg, at),
    getDescriptor(2, 0, cfg[2]! | (cfg[3]! << 8), cfg, at),
  ];
  if (p.bos === "stall") out.push(getDescriptor(0x0f, 0, 5, [], { ...at, status: "stall" }));
  else {
    const bos = p.bos ?? MICROBIT_BOS;
    out.push(getDescriptor(0x0f, 0, 5, bos, at), getDescriptor(0x0f, 0, bos[2]! | (bos[3]! << 8), bos, at));
  }
  out.push(
    getDescriptor(3, 0, 255, MICROBIT_STRING0, at),
    getDescriptor(3, 2, 255, stringDescriptor("DAPLink CMSIS-DAP"), at),
  );
  if (p.extra) out.push(...p.extra(a));
  if (!p.unconfigured) out.push(setConfiguration(1, at));
  return out;
}
