// Simulated class devices for the class-decoding tests: a composite gadget with a CDC ACM function
// (IAD, communication and data interfaces), a HID boot keyboard, a Bulk-Only mass storage interface, a
// DFU runtime interface and a UAC1 speaker (IAD, audio control and streaming interfaces), with a BOS
// announcing WebUSB and Microsoft OS 2.0 vendor codes; a webcam (UVC video control and streaming); and a
// USB 2.0 hub. Class-specific descriptors follow CDC 1.2 §5.2.3, HID 1.11 §6.2.1, DFU 1.1 §4.1.3,
// Audio 1.0 §4.3.2 and §4.5, UVC 1.1 §3.7 and §3.9, WebUSB §3.2.1 and MS OS 2.0 Table 4.
import {
  bosDesc,
  concat,
  configuration,
  deviceDescriptor,
  endpointDesc,
  iadDesc,
  interfaceDesc,
} from "./descriptors.js";
import type { DeviceModel } from "./device.js";

const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];

/** WebUSB and MS OS 2.0 platform capability UUIDs, in descriptor byte order. */
const WEBUSB_UUID = [
  0x38, 0xb6, 0x08, 0x34, 0xa9, 0x09, 0xa0, 0x47, 0x8b, 0xfd, 0xa0, 0x76, 0x88, 0x15, 0xb6, 0x65,
];
const MSOS20_UUID = [
  0xdf, 0x60, 0xdd, 0xd8, 0x89, 0x45, 0xc7, 0x4c, 0x9c, 0xd2, 0x65, 0x9d, 0x9e, 0x64, 0x8a, 0x9f,
];

/** The gadget's vendor codes (bRequest of the vendor requests its BOS announces). */
export const WEBUSB_VENDOR_CODE = 0x22;
export const MSOS20_VENDOR_CODE = 0x21;

/** WebUSB platform capability (WebUSB §3.2.1 Table 1). */
export function webUsbCap(vendorCode: number, landingPage: number): Uint8Array {
  return Uint8Array.of(24, 0x10, 0x05, 0, ...WEBUSB_UUID, ...u16(0x0100), vendorCode, landingPage);
}

/** Microsoft OS 2.0 platform capability (MS OS 2.0 Table 4). */
export function msOs20Cap(vendorCode: number, setLength: number): Uint8Array {
  return Uint8Array.of(
    28,
    0x10,
    0x05,
    0,
    ...MSOS20_UUID,
    0x00,
    0x00,
    0x03,
    0x06,
    ...u16(setLength),
    vendorCode,
    0,
  );
}

/** An MS OS 2.0 descriptor set: the header and one compatible ID (MS OS 2.0 Tables 10, 13). */
export function msOs20DescriptorSet(compatibleId = "WINUSB"): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < Math.min(8, compatibleId.length); i++) id[i] = compatibleId.charCodeAt(i);
  const feature = Uint8Array.of(20, 0, 3, 0, ...id);
  const total = 10 + feature.length;
  return concat(Uint8Array.of(10, 0, 0, 0, 0x00, 0x00, 0x03, 0x06, ...u16(total)), feature);
}

/** A WebUSB URL descriptor (WebUSB §4.3.1): scheme 0 http://, 1 https://. */
export function webUsbUrl(url: string, scheme = 1): Uint8Array {
  const text = new TextEncoder().encode(url);
  return concat(Uint8Array.of(3 + text.length, 3, scheme), text);
}

/**
 * CDC functional descriptors of an ACM communication interface: Header, Call Management, ACM, and the
 * Union naming `union` (control interface, then subordinates; CDC 1.2 §5.2.3.2 Table 16).
 */
function cdcAcmFunctional(union: number[]): Uint8Array[] {
  return [
    Uint8Array.of(5, 0x24, 0x00, ...u16(0x0120)),
    Uint8Array.of(5, 0x24, 0x01, 0x00, union[1] ?? 0),
    Uint8Array.of(4, 0x24, 0x02, 0x06),
    Uint8Array.of(3 + union.length, 0x24, 0x06, ...union),
  ];
}

/** HID 1.11 §6.2.1: the HID descriptor naming one report descriptor of `reportLength` bytes. */
export function hidDescriptor(reportLength: number): Uint8Array {
  return Uint8Array.of(9, 0x21, ...u16(0x0111), 0, 1, 0x22, ...u16(reportLength));
}

/** HID 1.11 Appendix B.1: the boot keyboard report descriptor. */
export const BOOT_KEYBOARD_REPORT = Uint8Array.of(
  0x05,
  0x01,
  0x09,
  0x06,
  0xa1,
  0x01,
  0x05,
  0x07,
  0x19,
  0xe0,
  0x29,
  0xe7,
  0x15,
  0x00,
  0x25,
  0x01,
  0x75,
  0x01,
  0x95,
  0x08,
  0x81,
  0x02,
  0x95,
  0x01,
  0x75,
  0x08,
  0x81,
  0x01,
  0x95,
  0x05,
  0x75,
  0x01,
  0x05,
  0x08,
  0x19,
  0x01,
  0x29,
  0x05,
  0x91,
  0x02,
  0x95,
  0x01,
  0x75,
  0x03,
  0x91,
  0x01,
  0x95,
  0x06,
  0x75,
  0x08,
  0x15,
  0x00,
  0x25,
  0x65,
  0x05,
  0x07,
  0x19,
  0x00,
  0x29,
  0x65,
  0x81,
  0x00,
  0xc0,
);

/** DFU 1.1 §4.1.3: the DFU functional descriptor (can download and upload, will detach). */
export function dfuFunctional(transferSize = 64): Uint8Array {
  return Uint8Array.of(9, 0x21, 0x0b, ...u16(1000), ...u16(transferSize), ...u16(0x0110));
}

/** Audio 1.0 §4.3.2: an AC header, input terminal 1, feature unit 2 (master mute, channel volume), output terminal 3. */
function audioControlDescriptors(streaming: number[]): Uint8Array[] {
  const it = Uint8Array.of(12, 0x24, 0x02, 1, ...u16(0x0101), 0, 2, ...u16(3), 0, 0);
  const fu = Uint8Array.of(10, 0x24, 0x06, 2, 1, 1, 0x01, 0x02, 0x02, 0);
  const ot = Uint8Array.of(9, 0x24, 0x03, 3, ...u16(0x0301), 0, 2, 0);
  const n = streaming.length;
  const total = 8 + n + it.length + fu.length + ot.length;
  const header = Uint8Array.of(8 + n, 0x24, 0x01, ...u16(0x0100), ...u16(total), n, ...streaming);
  return [header, it, fu, ot];
}

/** Audio 2.0 §4.7.2 Table 4-5: the AC header (desktop speaker) and clock source 4 (Table 4-6), internal fixed. */
function audioControlV2(): Uint8Array[] {
  const clock = Uint8Array.of(8, 0x24, 0x0a, 4, 0x01, 0x01, 0, 0);
  return [Uint8Array.of(9, 0x24, 0x01, ...u16(0x0200), 0x01, ...u16(9 + clock.length), 0), clock];
}

/**
 * Audio 1.0 §4.5: the streaming interface `number` of the speaker: alternate setting 0 without endpoints
 * (zero bandwidth), alternate setting 1 with its AS general descriptor (terminal link 1, PCM), a type I
 * format (2 channels, 16 bits, 48 kHz; Audio Data Formats 1.0 §2.2.5) and the 9-byte isochronous OUT
 * endpoint 0x05 of 192 bytes (one 1 ms frame) with its class-specific endpoint descriptor (§4.6.1).
 * `uac2`: the Audio 2.0 forms instead (§4.9.2 Table 4-27, Formats 2.0 Table 2-2, a 7-byte endpoint,
 * §4.10.1.2 Table 4-34).
 */
function audioStreaming(number: number, uac2 = false): Uint8Array[] {
  const f = {
    bInterfaceNumber: number,
    bInterfaceClass: 1,
    bInterfaceSubClass: 2,
    bInterfaceProtocol: uac2 ? 0x20 : 0,
  };
  const iso = uac2
    ? [
        Uint8Array.of(16, 0x24, 0x01, 1, 0, 1, 1, 0, 0, 0, 2, 3, 0, 0, 0, 0),
        Uint8Array.of(6, 0x24, 0x02, 1, 2, 16),
        endpointDesc({ bEndpointAddress: 0x05, bmAttributes: 0x09, wMaxPacketSize: 192, bInterval: 1 }),
        Uint8Array.of(8, 0x25, 0x01, 0, 0, 0, ...u16(0)),
      ]
    : [
        Uint8Array.of(7, 0x24, 0x01, 1, 1, ...u16(0x0001)),
        Uint8Array.of(11, 0x24, 0x02, 1, 2, 2, 16, 1, 0x80, 0xbb, 0x00),
        Uint8Array.of(9, 0x05, 0x05, 0x09, ...u16(192), 1, 0, 0),
        Uint8Array.of(7, 0x25, 0x01, 0, 0, ...u16(0)),
      ];
  return [interfaceDesc(f), interfaceDesc({ ...f, bAlternateSetting: 1 }, iso)];
}

/** The gadget's interfaces. */
export const GadgetInterface = {
  CDC_COMM: 0,
  CDC_DATA: 1,
  HID: 2,
  MSC: 3,
  DFU: 4,
  AUDIO: 5,
  AUDIO_STREAMING: 6,
} as const;

/** What a test changes in the composite gadget to make it faulty (each default is the healthy gadget). */
export interface GadgetOptions {
  address?: number;
  /** false leaves out the CDC function's interface association descriptor. */
  iad?: boolean;
  /** The CDC IAD's bInterfaceCount (2: communication and data). */
  cdcIadCount?: number;
  /** false leaves out the audio function's interface association descriptor. */
  audioIad?: boolean;
  /**
   * The audio function is UAC2 (bInterfaceProtocol 0x20): an Audio 2.0 §4.7.2 AC header and clock source
   * instead of the UAC1 descriptors (a sketch: no terminals, no class-specific streaming descriptors).
   */
  uac2?: boolean;
  /** The interfaces the Union descriptor names: control, then subordinates ([0, 1]). */
  union?: number[];
  /** The streaming interfaces the audio control header lists ([6]). */
  audioStreaming?: number[];
  /** wMaxPacketSize of the CDC notification endpoint 0x83 (16). */
  notifyMps?: number;
}

/**
 * The composite gadget (full speed): CDC ACM on interfaces 0-1 (notifications on 0x83, data on 0x04/0x84),
 * a HID boot keyboard on 2 (0x81), mass storage on 3 (0x02/0x82), DFU runtime on 4, a UAC1 speaker on 5
 * (audio control) and 6 (audio streaming, isochronous OUT 0x05 in alternate setting 1). The CDC and audio
 * functions each have their IAD, as a composite device needs for Windows to bind their class drivers.
 */
export function compositeGadget(o: GadgetOptions = {}): DeviceModel {
  const union = o.union ?? [0, 1];
  const parts: Uint8Array[] = [];
  if (o.iad !== false) parts.push(iadDesc(0, o.cdcIadCount ?? 2, 2, 2, 1));
  parts.push(
    interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 2, bInterfaceSubClass: 2, bInterfaceProtocol: 1 }, [
      ...cdcAcmFunctional(union),
      endpointDesc({
        bEndpointAddress: 0x83,
        bmAttributes: 3,
        wMaxPacketSize: o.notifyMps ?? 16,
        bInterval: 16,
      }),
    ]),
    interfaceDesc({ bInterfaceNumber: 1, bInterfaceClass: 0x0a }, [
      endpointDesc({ bEndpointAddress: 0x04, bmAttributes: 2, wMaxPacketSize: 64 }),
      endpointDesc({ bEndpointAddress: 0x84, bmAttributes: 2, wMaxPacketSize: 64 }),
    ]),
    interfaceDesc({ bInterfaceNumber: 2, bInterfaceClass: 3, bInterfaceSubClass: 1, bInterfaceProtocol: 1 }, [
      hidDescriptor(BOOT_KEYBOARD_REPORT.length),
      endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 }),
    ]),
    interfaceDesc(
      { bInterfaceNumber: 3, bInterfaceClass: 8, bInterfaceSubClass: 6, bInterfaceProtocol: 0x50 },
      [
        endpointDesc({ bEndpointAddress: 0x02, bmAttributes: 2, wMaxPacketSize: 64 }),
        endpointDesc({ bEndpointAddress: 0x82, bmAttributes: 2, wMaxPacketSize: 64 }),
      ],
    ),
    interfaceDesc(
      { bInterfaceNumber: 4, bInterfaceClass: 0xfe, bInterfaceSubClass: 1, bInterfaceProtocol: 1 },
      [dfuFunctional()],
    ),
  );
  const protocol = o.uac2 ? 0x20 : 0;
  if (o.audioIad !== false) parts.push(o.uac2 ? iadDesc(5, 2, 1, 0, 0x20) : iadDesc(5, 2, 1, 1, 0));
  parts.push(
    interfaceDesc(
      { bInterfaceNumber: 5, bInterfaceClass: 1, bInterfaceSubClass: 1, bInterfaceProtocol: protocol },
      o.uac2 ? audioControlV2() : audioControlDescriptors(o.audioStreaming ?? [6]),
    ),
    ...audioStreaming(6, o.uac2),
  );
  return {
    speed: "full",
    address: o.address ?? 7,
    deviceDescriptor: deviceDescriptor({
      bcdUSB: 0x0210,
      bDeviceClass: 0xef,
      bDeviceSubClass: 2,
      bDeviceProtocol: 1,
      bMaxPacketSize0: 64,
    }),
    configDescriptor: configuration({}, parts),
    bos: bosDesc([
      webUsbCap(WEBUSB_VENDOR_CODE, 1),
      msOs20Cap(MSOS20_VENDOR_CODE, msOs20DescriptorSet().length),
    ]),
  };
}

/**
 * A webcam (high speed, class EF/02/01): UVC 1.1 video control on interface 0 (VC header listing the
 * streaming interface, §3.7.2 Table 3-3) and video streaming on 1 (input header, bulk IN 0x81, §3.9.2.1),
 * with the IAD UVC 1.1 §3.6 requires; a vendor-specific firmware update interface on 2 makes it composite.
 * `iad: false` leaves out the IAD.
 */
export function webcam(o: { address?: number; iad?: boolean } = {}): DeviceModel {
  const vcHeader = Uint8Array.of(13, 0x24, 0x01, ...u16(0x0110), ...u16(13), 0x80, 0x8d, 0x5b, 0x00, 1, 1);
  const vsHeader = Uint8Array.of(14, 0x24, 0x01, 1, ...u16(14), 0x81, 0, 0, 0, 0, 0, 1, 0);
  const parts: Uint8Array[] = [];
  if (o.iad !== false) parts.push(iadDesc(0, 2, 0x0e, 0x03, 0));
  parts.push(
    interfaceDesc({ bInterfaceNumber: 0, bInterfaceClass: 0x0e, bInterfaceSubClass: 1 }, [vcHeader]),
    interfaceDesc({ bInterfaceNumber: 1, bInterfaceClass: 0x0e, bInterfaceSubClass: 2 }, [
      vsHeader,
      endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 2, wMaxPacketSize: 512 }),
    ]),
    interfaceDesc({ bInterfaceNumber: 2, bInterfaceClass: 0xff }, [
      endpointDesc({ bEndpointAddress: 0x02, bmAttributes: 2, wMaxPacketSize: 512 }),
    ]),
  );
  return {
    speed: "high",
    address: o.address ?? 9,
    deviceDescriptor: deviceDescriptor({
      bcdUSB: 0x0200,
      bDeviceClass: 0xef,
      bDeviceSubClass: 2,
      bDeviceProtocol: 1,
      bMaxPacketSize0: 64,
    }),
    configDescriptor: configuration({}, parts),
  };
}

/** A USB 2.0 hub (bDeviceClass 9, §11.23.1) with its status change endpoint. */
export function hubDevice(address = 1): DeviceModel {
  return {
    speed: "full",
    address,
    deviceDescriptor: deviceDescriptor({ bDeviceClass: 9, bMaxPacketSize0: 64 }),
    configDescriptor: configuration({ bmAttributes: 0xe0 }, [
      interfaceDesc({ bInterfaceClass: 9 }, [
        endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 1, bInterval: 255 }),
      ]),
    ]),
  };
}

/** §11.23.2.1: a hub descriptor of `ports` ports, individual port power, 100 ms power-on to power-good. */
export function hubDescriptorBytes(ports = 4): Uint8Array {
  return Uint8Array.of(9, 0x29, ports, 0x09, 0x00, 50, 100, 0x00, 0xff);
}
