// A simulated HID device for the report tests (HID 1.11): interface 0 a boot keyboard (Appendix B.1 report
// descriptor, interrupt IN 0x81), interface 1 a mouse and media keys with report IDs (ID 1 mouse: buttons,
// X, Y, wheel; ID 2 a Consumer Control array; ID 3 a vendor feature report; interrupt IN 0x82), interface 2
// a vendor device whose 20-byte input report spans three 8-byte packets (interrupt IN 0x83, OUT 0x03).
import { concat, configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "./descriptors.js";
import { BOOT_KEYBOARD_REPORT, hidDescriptor } from "./classDevices.js";
import type { DeviceModel } from "./device.js";

/** Report IDs 1 (mouse, 4 data bytes), 2 (consumer, 2 bytes) and 3 (vendor feature, 4 bytes). */
export const MOUSE_MEDIA_REPORT = concat(
  // Generic Desktop Mouse, report ID 1: 3 buttons, 5 bits padding, X, Y, Wheel (-127..127).
  Uint8Array.of(0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x01, 0x09, 0x01, 0xa1, 0x00),
  Uint8Array.of(
    0x05,
    0x09,
    0x19,
    0x01,
    0x29,
    0x03,
    0x15,
    0x00,
    0x25,
    0x01,
    0x95,
    0x03,
    0x75,
    0x01,
    0x81,
    0x02,
  ),
  Uint8Array.of(0x95, 0x01, 0x75, 0x05, 0x81, 0x01),
  Uint8Array.of(
    0x05,
    0x01,
    0x09,
    0x30,
    0x09,
    0x31,
    0x09,
    0x38,
    0x15,
    0x81,
    0x25,
    0x7f,
    0x75,
    0x08,
    0x95,
    0x03,
  ),
  Uint8Array.of(0x81, 0x06, 0xc0, 0xc0),
  // Consumer Control, report ID 2: one 16-bit array slot, usages 0..0x23C.
  Uint8Array.of(0x05, 0x0c, 0x09, 0x01, 0xa1, 0x01, 0x85, 0x02, 0x19, 0x00, 0x2a, 0x3c, 0x02, 0x15, 0x00),
  Uint8Array.of(0x26, 0x3c, 0x02, 0x75, 0x10, 0x95, 0x01, 0x81, 0x00, 0xc0),
  // Vendor page 0xFF00, report ID 3: a 4-byte feature report.
  Uint8Array.of(
    0x06,
    0x00,
    0xff,
    0x09,
    0x01,
    0xa1,
    0x01,
    0x85,
    0x03,
    0x09,
    0x02,
    0x15,
    0x00,
    0x26,
    0xff,
    0x00,
  ),
  Uint8Array.of(0x75, 0x08, 0x95, 0x04, 0xb1, 0x02, 0xc0),
);

/** Vendor page 0xFF00, no report IDs: a 20-byte input report and a 20-byte output report. */
export const VENDOR_LONG_REPORT = Uint8Array.of(
  0x06,
  0x00,
  0xff,
  0x09,
  0x01,
  0xa1,
  0x01,
  0x09,
  0x02,
  0x15,
  0x00,
  0x26,
  0xff,
  0x00,
  0x75,
  0x08,
  0x95,
  0x14,
  0x81,
  0x02,
  0x09,
  0x03,
  0x95,
  0x14,
  0x91,
  0x02,
  0xc0,
);

/** The report descriptors by interface, as GET_DESCRIPTOR(HID_REPORT) returns them (HID 1.11 §7.1.1). */
export const HID_REPORTS: readonly Uint8Array[] = [
  BOOT_KEYBOARD_REPORT,
  MOUSE_MEDIA_REPORT,
  VENDOR_LONG_REPORT,
];

/** The full-speed HID device: interfaces 0..2 as above, every interrupt endpoint 8 bytes. */
export function hidDevice(address = 5, o: { reports?: readonly Uint8Array[] } = {}): DeviceModel {
  const reports = o.reports ?? HID_REPORTS;
  const ep = (a: number) =>
    endpointDesc({ bEndpointAddress: a, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 });
  return {
    speed: "full",
    address,
    deviceDescriptor: deviceDescriptor({ bMaxPacketSize0: 64 }),
    configDescriptor: configuration({}, [
      interfaceDesc(
        { bInterfaceNumber: 0, bInterfaceClass: 3, bInterfaceSubClass: 1, bInterfaceProtocol: 1 },
        [hidDescriptor(reports[0]!.length), ep(0x81)],
      ),
      interfaceDesc({ bInterfaceNumber: 1, bInterfaceClass: 3 }, [
        hidDescriptor(reports[1]!.length),
        ep(0x82),
      ]),
      interfaceDesc({ bInterfaceNumber: 2, bInterfaceClass: 3 }, [
        hidDescriptor(reports[2]!.length),
        ep(0x83),
        ep(0x03),
      ]),
    ]),
  };
}
