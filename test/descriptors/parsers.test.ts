import { describe, expect, it } from "vitest";
import { parseDeviceDescriptor, parseDeviceQualifier } from "../../src/descriptors/device.js";
import { parseConfiguration, walkedLength } from "../../src/descriptors/configuration.js";
import { parseStringDescriptor } from "../../src/descriptors/string.js";
import { parseBos, MS_OS_20_UUID, WEBUSB_UUID } from "../../src/descriptors/bos.js";
import { parseHidDescriptor } from "../../src/descriptors/hid.js";
import {
  className,
  massStorageProtocolName,
  massStorageSubclassName,
  interfaceClassText,
} from "../../src/descriptors/classes.js";
import { endpointType } from "../../src/descriptors/endpoint.js";
import { parseAudioInterface } from "../../src/descriptors/audio.js";
import { parseHidReportDescriptor } from "../../src/descriptors/hidReport.js";
import {
  BOOTLOADER_CONFIG,
  BOOTLOADER_STRING,
  DIGITECH_CONFIG,
  hex,
  MICROBIT_BOS,
  MICROBIT_CONFIG,
  MICROBIT_DEVICE,
  MICROBIT_STRING0,
  MICROBIT_STRING_PART,
} from "./fixtures.js";

describe("device descriptor", () => {
  it("decodes the micro:bit device descriptor", () => {
    const d = parseDeviceDescriptor(MICROBIT_DEVICE);
    expect(d).toMatchObject({
      bLength: 18,
      bDescriptorType: 1,
      bcdUSB: 0x0210,
      bDeviceClass: 0xef,
      bDeviceSubClass: 2,
      bDeviceProtocol: 1,
      bMaxPacketSize0: 64,
      idVendor: 0x0d28,
      idProduct: 0x0204,
      bcdDevice: 0x1000,
      iManufacturer: 1,
      iProduct: 2,
      iSerialNumber: 3,
      bNumConfigurations: 1,
    });
    expect(d.truncated).toBeUndefined();
  });
  it("keeps an 8-byte first read as a truncated descriptor with bMaxPacketSize0", () => {
    const d = parseDeviceDescriptor(MICROBIT_DEVICE.subarray(0, 8));
    expect(d.truncated).toBe(true);
    expect(d.length).toBe(8);
    expect(d.bMaxPacketSize0).toBe(64);
    expect(d.idVendor).toBe(0);
  });
  it("decodes a device qualifier", () => {
    const q = parseDeviceQualifier(hex("0a 06 00 02 00 00 00 40 01 00"));
    expect(q).toMatchObject({
      bLength: 10,
      bDescriptorType: 6,
      bcdUSB: 0x0200,
      bMaxPacketSize0: 64,
      bNumConfigurations: 1,
      bReserved: 0,
    });
  });
});

describe("configuration set", () => {
  it("decodes the micro:bit configuration: MSC, IAD, CDC functional descriptors, HID and a vendor interface in order", () => {
    const c = parseConfiguration(MICROBIT_CONFIG);
    expect(c).toMatchObject({
      wTotalLength: 139,
      bNumInterfaces: 5,
      bConfigurationValue: 1,
      bmAttributes: 0x80,
      bMaxPower: 250,
      excess: 0,
    });
    expect(c.truncated).toBeUndefined();
    expect(walkedLength(c)).toBe(139);
    expect(c.interfaces.map((i) => [i.bInterfaceNumber, i.bInterfaceClass, i.endpoints.length])).toEqual([
      [0, 8, 2],
      [1, 2, 1],
      [2, 0x0a, 2],
      [3, 3, 2],
      [4, 0xff, 0],
    ]);
    expect(c.associations[0]).toMatchObject({
      bFirstInterface: 1,
      bInterfaceCount: 2,
      bFunctionClass: 2,
      bFunctionSubClass: 2,
      iFunction: 4,
    });
    const cdc = c.interfaces[1]!.extra;
    expect(cdc.map((d) => d.kind)).toEqual(["cdc-header", "cdc-call-management", "cdc-acm", "cdc-union"]);
    expect(cdc[0]).toMatchObject({ bcdCDC: 0x0110 });
    expect(cdc[1]).toMatchObject({ bmCapabilities: 3, bDataInterface: 2 });
    expect(cdc[3]).toMatchObject({ bControlInterface: 1, bSubordinateInterface: [2] });
    const hid = c.interfaces[3]!.extra[0]!;
    expect(hid).toMatchObject({
      kind: "hid",
      bcdHID: 0x0100,
      bNumDescriptors: 1,
      descriptors: [{ bDescriptorType: 0x22, wDescriptorLength: 33 }],
    });
    const e = c.interfaces[1]!.endpoints[0]!;
    expect(e).toMatchObject({ bEndpointAddress: 0x83, bmAttributes: 3, wMaxPacketSize: 16, bInterval: 32 });
    expect(endpointType(e.bmAttributes)).toBe("interrupt");
  });

  it("decodes the DFU functional descriptor of the Blue Pill bootloader", () => {
    const c = parseConfiguration(BOOTLOADER_CONFIG);
    expect(c.wTotalLength).toBe(116);
    expect(walkedLength(c)).toBe(116);
    expect(c.interfaces[0]).toMatchObject({
      bInterfaceClass: 0xfe,
      bInterfaceSubClass: 1,
      bInterfaceProtocol: 2,
    });
    expect(c.interfaces[0]!.extra[0]).toMatchObject({
      kind: "dfu-functional",
      bmAttributes: 0x0b,
      wDetachTimeOut: 255,
      wTransferSize: 256,
      bcdDFUVersion: 0x0110,
    });
  });

  it("decodes USB Audio 1.0 control and streaming descriptors and 9-byte audio endpoints of the DigiTech device", () => {
    const c = parseConfiguration(DIGITECH_CONFIG);
    expect(c.wTotalLength).toBe(352);
    expect(walkedLength(c)).toBe(352);
    const ac = c.interfaces[0]!;
    expect(ac.extra[0]).toMatchObject({
      kind: "audio-ac-header",
      bcdADC: 0x0100,
      wTotalLength: 52,
      bInCollection: 2,
      baInterfaceNr: [1, 2],
    });
    expect(ac.extra[1]).toMatchObject({
      kind: "audio-input-terminal",
      bTerminalID: 1,
      wTerminalType: 0x0101,
      bNrChannels: 2,
    });
    expect(ac.extra[2]).toMatchObject({
      kind: "audio-output-terminal",
      bTerminalID: 2,
      wTerminalType: 0x0301,
      bSourceID: 1,
    });
    const as = c.interfaces.find((i) => i.bInterfaceNumber === 1 && i.bAlternateSetting === 1)!;
    expect(as.extra[0]).toMatchObject({
      kind: "audio-as-general",
      bTerminalLink: 1,
      bDelay: 1,
      wFormatTag: 1,
    });
    expect(as.extra[1]).toMatchObject({
      kind: "audio-format-type",
      bFormatType: 1,
      bNrChannels: 2,
      bSubframeSize: 2,
      bBitResolution: 16,
      bSamFreqType: 1,
      tSamFreq: [44100],
    });
    const e = as.endpoints[0]!;
    expect(e).toMatchObject({
      bLength: 9,
      bEndpointAddress: 0x01,
      bmAttributes: 0x0d,
      wMaxPacketSize: 192,
      bInterval: 1,
      bRefresh: 0,
      bSynchAddress: 0,
    });
    expect(e.extra[0]).toMatchObject({
      kind: "audio-ep-general",
      bmAttributes: 1,
      bLockDelayUnits: 1,
      wLockDelay: 0,
    });
    const midi = c.interfaces.find((i) => i.bInterfaceNumber === 7)!;
    expect(midi.extra.map((x) => x.kind)).toEqual([
      "midi-header",
      "midi-in-jack",
      "midi-in-jack",
      "midi-out-jack",
      "midi-out-jack",
    ]);
    expect(midi.endpoints[1]!.extra[0]).toMatchObject({
      kind: "midi-ep-general",
      bNumEmbMIDIJack: 1,
      baAssocJackID: [3],
    });
    expect(c.descriptors.some((d) => d.truncated || d.short)).toBe(false);
  });

  it("decodes USB Audio 2.0 clock source and header by the interface protocol", () => {
    const header = hex("09 24 01 00 02 08 40 00 00");
    expect(parseAudioInterface(header, 0, 1, 0x20)).toMatchObject({
      kind: "audio-ac-header",
      bcdADC: 0x0200,
      bCategory: 8,
      wTotalLength: 64,
    });
    expect(parseAudioInterface(hex("08 24 0a 28 01 07 00 00"), 0, 1, 0x20)).toMatchObject({
      kind: "audio-clock-source",
      bClockID: 0x28,
      bmAttributes: 1,
      bmControls: 7,
    });
  });

  it("keeps a set cut short as truncated and stops at a descriptor with bLength < 2", () => {
    const short = parseConfiguration(MICROBIT_CONFIG.subarray(0, 62));
    expect(short.truncated).toBe(true);
    expect(short.wTotalLength).toBe(139);
    expect(short.descriptors[short.descriptors.length - 1]!.truncated).toBe(true);
    const bad = parseConfiguration(hex("09 02 0d 00 01 01 00 80 32 00 04 00 00"));
    expect(bad.invalidAt).toEqual({ offset: 9, bLength: 0 });
  });

  it("tells a descriptor whose bLength is too small for its fields (short) from one cut off by the end of the bytes (truncated)", () => {
    const c = parseConfiguration(
      hex("09 02 19 00 01 01 00 80 32 09 04 00 00 01 ff 00 00 00 06 05 81 02 40 00 07"),
    );
    const e = c.interfaces[0]!.endpoints[0]!;
    expect(e.short).toBe(true);
    expect(e.truncated).toBeUndefined();
    expect(e.bInterval).toBe(0);
  });

  it("keeps unknown descriptors with their type and bytes", () => {
    const c = parseConfiguration(hex("09 02 10 00 01 01 00 80 32 07 41 01 02 03 04 05"));
    expect(c.descriptors[0]).toMatchObject({
      kind: "unknown",
      bDescriptorType: 0x41,
      raw: [7, 0x41, 1, 2, 3, 4, 5],
    });
  });

  it("never throws on random bytes", () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 300; n++) {
      const b = new Uint8Array(rnd() % 80).map(() => rnd());
      if (b.length > 1 && n % 2) b[1] = 2;
      expect(() => {
        parseConfiguration(b);
        parseDeviceDescriptor(b);
        parseBos(b);
        parseStringDescriptor(b, n % 3);
        parseHidReportDescriptor(b);
      }).not.toThrow();
    }
  });
});

describe("string descriptors", () => {
  it("reads string 0 as a LANGID list", () => {
    expect(parseStringDescriptor(MICROBIT_STRING0, 0).langIds).toEqual([0x0409]);
  });
  it("decodes UTF-16LE text", () => {
    expect(parseStringDescriptor(BOOTLOADER_STRING, 5).text).toBe("DAPBoot DFU Bootloader");
    expect(parseStringDescriptor(MICROBIT_STRING_PART, 1).text).toBe("USB_MSC");
  });
  it("marks a reply shorter than bLength as truncated and decodes what is there", () => {
    const s = parseStringDescriptor(BOOTLOADER_STRING.subarray(0, 9), 5);
    expect(s.truncated).toBe(true);
    expect(s.text).toBe("DAP");
  });
});

describe("BOS", () => {
  it("decodes the WebUSB and Microsoft OS 2.0 platform capabilities of the micro:bit", () => {
    const b = parseBos(MICROBIT_BOS);
    expect(b).toMatchObject({ wTotalLength: 57, bNumDeviceCaps: 2 });
    expect(b.capabilities[0]).toMatchObject({
      bDevCapabilityType: 5,
      PlatformCapabilityUUID: WEBUSB_UUID,
      name: "Platform (WebUSB)",
      bcdVersion: 0x0100,
      bVendorCode: 0x21,
      iLandingPage: 0,
    });
    expect(b.capabilities[1]).toMatchObject({
      PlatformCapabilityUUID: MS_OS_20_UUID,
      dwWindowsVersion: 0x06030000,
      wMSOSDescriptorSetTotalLength: 170,
      bMS_VendorCode: 0x20,
      bAltEnumCode: 0,
    });
  });
  it("decodes USB 2.0 extension (LPM) and container ID capabilities", () => {
    const b = parseBos(
      hex("05 0f 1f 00 02 07 10 02 06 00 00 00 14 10 04 00 00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff"),
    );
    expect(b.capabilities[0]).toMatchObject({ name: "USB 2.0 Extension", bmAttributes: 6, LPM: true });
    expect(b.capabilities[1]).toMatchObject({
      name: "Container ID",
      ContainerID: "33221100-5544-7766-8899-aabbccddeeff",
    });
  });
});

describe("class names", () => {
  it("names classes and mass storage subclass/protocol from the spec", () => {
    expect(className(0x08)).toBe("Mass Storage");
    expect(className(0xef)).toBe("Miscellaneous Device");
    expect(massStorageSubclassName(6)).toBe("SCSI transparent command set");
    expect(massStorageProtocolName(0x50)).toBe("Bulk-Only Transport");
    expect(interfaceClassText(8, 6, 0x50)).toBe(
      "Mass Storage, SCSI transparent command set, Bulk-Only Transport",
    );
  });
  it("parses a HID descriptor that lists a report and a physical descriptor", () => {
    const h = parseHidDescriptor(hex("0c 21 11 01 00 02 22 3f 00 23 10 00"), 0);
    expect(h.descriptors).toEqual([
      { bDescriptorType: 0x22, wDescriptorLength: 63 },
      { bDescriptorType: 0x23, wDescriptorLength: 16 },
    ]);
  });
});
