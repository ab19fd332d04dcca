// Expected disagreements between usbscope and Wireshark 4.0 (tshark 4.0.17) on the public captures, each with
// why it is expected and which side is right. An entry matches a disagreement on capture, frame, usbscope's
// descriptor kind and one of its fields; every frame listed must be hit (a stale entry fails the test).
// Capture ids are paths under ../shared/captures-public; packetry/*/capture.pcap files that are byte-for-byte
// copies of real/288-* files are listed together.

export interface AllowEntry {
  captures: readonly string[];
  frames: readonly number[];
  /** usbscope's descriptor kind ("-" when usbscope has no descriptor there). */
  kind: string;
  /** tshark fields, or "descriptor" when one side has a whole descriptor (or reply) the other lacks. */
  fields: readonly string[];
  reason: string;
}

/** The UVC VS Input Header's bEndpointAddress and the two bit fields tshark splits out of it. */
const UVC_HEADER_ENDPOINT = [
  "usb.bEndpointAddress",
  "usb.bEndpointAddress.direction",
  "usb.bEndpointAddress.number",
];

const HIGH_BANDWIDTH_SIZE =
  "wMaxPacketSize 0x1400 (USB 2.0 §9.6.6: bits 10..0 = 1024 bytes, bits 12..11 = 2 additional transactions) of a high-speed isochronous webcam endpoint. Wireshark 4.0 masks Maximum Packet Size with 0x03ff and shows 0; bits 10..0 are the size, so usbscope's 1024 (maxPacketBytes) is right and Wireshark is wrong.";

const MULTI_BYTE_USAGE =
  "Multi-byte Usage / Usage Page / Usage Maximum item data: HID 1.11 §5.8 and §6.2.2.2 make item data little-endian and up to 4 bytes, and usbscope reads it whole. Wireshark 4.0 keeps only 8 bits of it in the field (0xff02 → 0x02) and reads a 2-byte local Usage big-endian (0A 38 02 shows 'Instance 14338 (0x3802)' for 0x0238). Wireshark is wrong.";

export const ALLOW_LIST: readonly AllowEntry[] = [
  {
    captures: ["real/220-cdc-msc-dfu-bootloader-linux.pcapng"],
    frames: [50, 52, 1260, 1262],
    kind: "bos",
    fields: ["descriptor"],
    reason:
      "Wireshark 4.0 has no BOS dissector: the GET_DESCRIPTOR(BOS) reply shows as raw data with no usb.bLength. usbscope parses the BOS and its capabilities (USB 3.2 §9.6.2); checked by test/descriptors parser tests instead.",
  },
  {
    captures: ["real/249-cdc-msc-dfu-bootloader-windows.pcapng"],
    frames: [480, 492],
    kind: "bos",
    fields: ["descriptor"],
    reason: "Wireshark 4.0 does not dissect the GET_DESCRIPTOR(BOS) reply (see the first entry).",
  },
  {
    captures: ["real/249-microbit-daplink-bos-webusb-hub.pcapng"],
    frames: [570, 579],
    kind: "bos",
    fields: ["descriptor"],
    reason: "Wireshark 4.0 does not dissect the GET_DESCRIPTOR(BOS) reply (WebUSB platform capability here).",
  },
  {
    captures: ["real/249-microbit-daplink-msc-cdc.pcapng"],
    frames: [117, 132],
    kind: "bos",
    fields: ["descriptor"],
    reason: "Wireshark 4.0 does not dissect the GET_DESCRIPTOR(BOS) reply.",
  },
  {
    captures: ["real/288-iphone-address-reuse.pcap", "packetry/address-reuse/capture.pcap"],
    frames: [8311, 8341],
    kind: "bos",
    fields: ["descriptor"],
    reason:
      "Wireshark 4.0 does not dissect the GET_DESCRIPTOR(BOS) reply (usbll reassembly shows it as data).",
  },
  {
    captures: ["real/249-cdc-msc-dfu-bootloader-windows.pcapng"],
    frames: [3],
    kind: "device",
    fields: ["descriptor"],
    reason:
      "USBPcap logged these three requests as URB_FUNCTION_GET_DESCRIPTOR_FROM_DEVICE with endpoint byte 0x00 (direction OUT) although bmRequestType is 0x80. Wireshark takes the direction from the endpoint byte and leaves the reply (frame 2, 18 bytes) as 'Leftover Capture Data'; usbscope follows bmRequestType bit 7 (USB 2.0 §9.3.1) and parses it. usbscope is right.",
  },
  {
    captures: ["real/249-cdc-msc-dfu-bootloader-windows.pcapng"],
    frames: [6, 9],
    kind: "configuration",
    fields: ["descriptor"],
    reason:
      "Same USBPcap endpoint-0x00 GET_DESCRIPTOR_FROM_DEVICE records as frame 3: Wireshark leaves the configuration replies (frames 5 and 8) undissected.",
  },
  {
    captures: ["real/220-synaptics-fingerprint.pcapng"],
    frames: [69],
    kind: "unknown",
    fields: UVC_HEADER_ENDPOINT,
    reason:
      "UVC VideoStreaming Input Header (UVC 1.5 §3.9.2.1, CS_INTERFACE subtype 0x01) carries a bEndpointAddress at offset 6; Wireshark's usbvideo dissector shows it as usb.bEndpointAddress. usbscope does not decode video class descriptors (kind unknown: only bLength and bDescriptorType are compared, and agree).",
  },
  {
    captures: ["real/220-upek-fingerprint-dfu-if.pcapng"],
    frames: [6, 36, 295],
    kind: "unknown",
    fields: UVC_HEADER_ENDPOINT,
    reason:
      "UVC VideoStreaming Input Header's bEndpointAddress (webcam on the same bus), as for the synaptics capture.",
  },
  {
    captures: ["real/249-lofree-kbd-fw-upgrade-reenum.pcapng"],
    frames: [16],
    kind: "unknown",
    fields: UVC_HEADER_ENDPOINT,
    reason:
      "UVC VideoStreaming Input Header's bEndpointAddress (webcam on the same root hub), as for the synaptics capture.",
  },
  {
    captures: ["real/249-hid-keyboard-multi-device.pcapng"],
    frames: [52, 76],
    kind: "unknown",
    fields: UVC_HEADER_ENDPOINT,
    reason:
      "UVC VideoStreaming Input Header's bEndpointAddress (two webcams in this capture), as for the synaptics capture.",
  },
  {
    captures: ["real/249-hid-keyboard-multi-device.pcapng"],
    frames: [64, 70, 76, 82],
    kind: "unknown",
    fields: ["usb.bmAttributes"],
    reason:
      "SuperSpeed Endpoint Companion descriptors (type 0x30, USB 3.2 §9.6.7) of USB 3 devices: Wireshark shows their bmAttributes as usb.bmAttributes. usbscope is a USB 2.0 analyzer and keeps them undecoded (header compared, agrees).",
  },
  {
    captures: ["real/220-synaptics-fingerprint.pcapng"],
    frames: [69],
    kind: "endpoint",
    fields: ["usb.wMaxPacketSize.size"],
    reason: HIGH_BANDWIDTH_SIZE,
  },
  {
    captures: ["real/220-upek-fingerprint-dfu-if.pcapng"],
    frames: [6, 36, 295],
    kind: "endpoint",
    fields: ["usb.wMaxPacketSize.size"],
    reason: HIGH_BANDWIDTH_SIZE,
  },
  {
    captures: ["real/249-hid-keyboard-multi-device.pcapng"],
    frames: [52, 76],
    kind: "endpoint",
    fields: ["usb.wMaxPacketSize.size"],
    reason: HIGH_BANDWIDTH_SIZE,
  },
  {
    captures: ["real/220-km003c-usb-meter-vendor-bulk.pcapng"],
    frames: [307],
    kind: "string",
    fields: ["usb.bString"],
    reason:
      'The device pads the string with U+0000 inside bLength ("APP\\0\\0"); USB 2.0 §9.6.7 strings are not NUL-terminated. Wireshark\'s FT_STRING display stops at the first NUL; usbscope keeps every code unit so the NUL can be reported. usbscope shows what the device sent.',
  },
  {
    captures: ["real/288-esp32s3-jtag-serial-cdc-badge.pcap", "packetry/emf2022-badge/capture.pcap"],
    frames: [178, 187],
    kind: "string",
    fields: ["usb.bString"],
    reason:
      "The ESP32-S3's NUL-terminated strings (known defect, see the manifest): Wireshark stops at the NUL, usbscope keeps it.",
  },
  {
    captures: ["real/249-usbpcap-official-sample-digitech.pcap"],
    frames: [242, 248, 254, 260, 266, 276],
    kind: "string",
    fields: ["usb.bString"],
    reason:
      "bLength is 45, odd (USB 2.0 §9.6.7 strings are 16-bit code units): the last byte (0x00) is half a code unit. usbscope drops it (src/descriptors/string.ts); Wireshark decodes it as a broken UTF-16 unit and appends U+FFFD. The characters before it agree.",
  },
  {
    captures: ["real/288-uac-truncated-config-desc.pcap", "packetry/bad-descriptor-length/capture.pcap"],
    frames: [94],
    kind: "audio-ep-general",
    fields: ["descriptor"],
    reason:
      "GET_DESCRIPTOR(CONFIGURATION) with wLength 255 < wTotalLength 285 (known defect): the reply ends 3 bytes into the last descriptor (08 25 01: bLength 8, CS_ENDPOINT). usbscope keeps it, marked truncated; Wireshark shows the 3 bytes as 'Leftover Capture Data'.",
  },
  {
    captures: ["real/249-microbit-daplink-bos-webusb-hub.pcapng"],
    frames: [156],
    kind: "hid-item Usage Page",
    fields: ["descriptor"],
    reason:
      "Windows asked GET_DESCRIPTOR(REPORT) with wIndex 0, the Mass Storage interface (the CMSIS-DAP HID interface is 3) and DAPLink answered with its report descriptor. Wireshark routes interface-recipient requests by the class of interface wIndex, so the Mass Storage dissector gets it and shows the 33 bytes as 'CONTROL response data'; usbscope parses the reply by the request's descriptor type (HID 1.11 §7.1.1).",
  },
  {
    captures: ["real/249-microbit-daplink-msc-cdc.pcapng"],
    frames: [69],
    kind: "hid-item Usage Page",
    fields: ["descriptor"],
    reason:
      "The same GET_DESCRIPTOR(REPORT) to interface 0 (Mass Storage) as in the bos-webusb-hub capture: Wireshark leaves the report descriptor undissected.",
  },
  {
    captures: ["real/249-lofree-kbd-fw-upgrade-reenum.pcapng"],
    frames: [62, 7252],
    kind: "hid-item Usage Page",
    fields: ["usbhid.item.global.usage"],
    reason: MULTI_BYTE_USAGE,
  },
  {
    captures: ["real/249-lofree-kbd-fw-upgrade-reenum.pcapng"],
    frames: [62, 7252],
    kind: "hid-item Usage Maximum",
    fields: ["usbhid.item.local.usage_max"],
    reason: MULTI_BYTE_USAGE,
  },
  {
    captures: ["real/249-lofree-kbd-fw-upgrade-reenum.pcapng"],
    frames: [7260],
    kind: "hid-item Usage",
    fields: ["usbhid.item.local.usage"],
    reason: MULTI_BYTE_USAGE,
  },
  {
    captures: ["real/288-esp32s3-jtag-serial-cdc-badge.pcap", "packetry/emf2022-badge/capture.pcap"],
    frames: [1750],
    kind: "hid-item Usage",
    fields: ["usbhid.item.local.usage"],
    reason: MULTI_BYTE_USAGE,
  },
  {
    captures: [
      "real/288-ls-keyboard-keepalive-divided.pcapng",
      "packetry/ls-keepalive-more-divided-transactions/capture.pcapng",
    ],
    frames: [2266],
    kind: "hid-item Usage",
    fields: ["usbhid.item.local.usage"],
    reason: MULTI_BYTE_USAGE + " (34 consumer-page usages of this keyboard's media keys)",
  },
  {
    captures: ["real/288-sunplus-optical-mouse.pcap", "packetry/mouse/capture.pcap"],
    frames: [310],
    kind: "hid-item Usage",
    fields: ["usbhid.item.local.usage"],
    reason: MULTI_BYTE_USAGE + " (0A 38 02: AC Pan, the horizontal wheel)",
  },
  {
    captures: ["real/288-esp32s3-jtag-serial-cdc-badge.pcap", "packetry/emf2022-badge/capture.pcap"],
    frames: [1750],
    kind: "hid-item Logical Maximum",
    fields: ["usbhid.item.global.log_max"],
    reason:
      "Logical Maximum 25 FF after Logical Minimum 0. Read as a signed byte (HID 1.11 §6.2.2.7, Wireshark) it is -1, below the minimum; usbscope reads Logical Maximum unsigned (src/descriptors/hidReport.ts signs only Logical and Physical Minimum), as Linux hid-core.c does when Logical Minimum >= 0, giving the 255 the firmware meant. An interpretation difference, not a parse error.",
  },
];

/** The allow-list entry covering a disagreement, if any. */
export function allowedBy(
  capture: string,
  frame: number,
  kind: string,
  field: string,
): AllowEntry | undefined {
  return ALLOW_LIST.find(
    (e) =>
      e.captures.includes(capture) && e.frames.includes(frame) && e.kind === kind && e.fields.includes(field),
  );
}
