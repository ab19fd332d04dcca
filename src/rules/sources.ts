// The short source tags the rules cite in brackets (`K-CFG`, `AXL-T`, `ELL TD9.8`...), spelled out: what
// each names and where to read it (RULES.md's abbreviations and source lists). `usbscope rules --sources`
// prints them; every tag a rule cites is here, and the other references name a file or a page themselves
// (test/rules/registry.test.ts).

export interface SourceTag {
  tag: string;
  /** What the tag names, in words. */
  what: string;
  /** Where to read it. */
  where: string;
}

export const SOURCE_TAGS: readonly SourceTag[] = [
  {
    tag: "USB 2.0",
    what: "Universal Serial Bus Specification, Revision 2.0 (§ sections)",
    where: "usb.org/document-library/usb-20-specification",
  },
  {
    tag: "USB 3.2",
    what: "Universal Serial Bus 3.2 Specification (§ sections)",
    where: "usb.org/document-library/usb-32-revision-11-june-2022",
  },
  {
    tag: "IAD ECN",
    what: "USB 2.0 Interface Association Descriptor engineering change notice",
    where: "usb.org (USB 2.0 specification package, ecn_iad)",
  },
  {
    tag: "WS-LL",
    what: "Wireshark's USB link-layer dissector (expert info names: ei_wrong_crc16...)",
    where: "wireshark/wireshark epan/dissectors/packet-usbll.c",
  },
  {
    tag: "WS-USB",
    what: "Wireshark's USB dissector (descriptors, URBs)",
    where: "wireshark/wireshark epan/dissectors/packet-usb.c",
  },
  {
    tag: "K-CFG",
    what: "Linux drivers/usb/core/config.c: how Linux parses and rejects configuration descriptors",
    where: "torvalds/linux drivers/usb/core/config.c",
  },
  {
    tag: "K-HUB",
    what: "Linux drivers/usb/core/hub.c: enumeration (hub_port_init, usb_enumerate_device)",
    where: "torvalds/linux drivers/usb/core/hub.c",
  },
  {
    tag: "K-MSG",
    what: "Linux drivers/usb/core/message.c: control requests, string descriptors",
    where: "torvalds/linux drivers/usb/core/message.c",
  },
  {
    tag: "K-GEN",
    what: "Linux drivers/usb/core/generic.c: choosing a configuration, bus power",
    where: "torvalds/linux drivers/usb/core/generic.c",
  },
  {
    tag: "K-TEST",
    what: "Linux drivers/usb/misc/usbtest.c: the kernel's USB device test driver",
    where: "torvalds/linux drivers/usb/misc/usbtest.c",
  },
  {
    tag: "K-CH9",
    what: "Linux include/uapi/linux/usb/ch9.h: chapter 9 constants",
    where: "torvalds/linux include/uapi/linux/usb/ch9.h",
  },
  {
    tag: "K-MON",
    what: "Linux usbmon: its documentation and the text and binary readers",
    where: "torvalds/linux Documentation/usb/usbmon.rst, drivers/usb/mon/mon_text.c, mon_bin.c",
  },
  {
    tag: "Linux",
    what: "Linux kernel documentation",
    where: "torvalds/linux Documentation/driver-api/usb/error-codes.rst (URB status codes)",
  },
  {
    tag: "WDK",
    what: "Windows Driver Kit headers: USBD_STATUS codes",
    where: "usb.h in the Windows Driver Kit",
  },
  {
    tag: "ELL",
    what: "Ellisys USB Explorer 280 manual: the USB-IF chapter 9 test assertions (TD 9.x)",
    where: "manualslib.com/manual/1243732/Ellisys-Usb-Explorer-280.html?page=110 (also pp. 113, 117)",
  },
  {
    tag: "KEIL-C",
    what: "Keil MDK USB middleware: control transfers",
    where: "keil.com/pack/doc/mw/USB/html/_u_s_b__control__transfers.html",
  },
  {
    tag: "KEIL-S",
    what: "Keil MDK USB middleware: string descriptors",
    where: "keil.com/pack/doc/mw/USB/html/_u_s_b__string__descriptor.html",
  },
  {
    tag: "AXL-T",
    what: "Jan Axelson, USB Complete: data toggles",
    where: "issuhub.com/view/index?id=4450&pageIndex=345",
  },
  {
    tag: "AXL-I",
    what: "Jan Axelson, USB Complete: interrupt endpoint intervals",
    where: "studmed.ru/view/jan-axelson-usb-complete_e3d341ce489.html?page=14",
  },
  {
    tag: "MS-D",
    what: "Microsoft hardware certification: USB device descriptor and request tests",
    where: "learn.microsoft.com (hck hh998204)",
  },
  {
    tag: "MS-IAD",
    what: "Microsoft: USB Interface Association Descriptor",
    where: "learn.microsoft.com/en-us/windows-hardware/drivers/usbcon/usb-interface-association-descriptor",
  },
  {
    tag: "MS-CCGP",
    what: "Microsoft: the USB generic parent driver (usbccgp) and how it groups a composite device's interfaces",
    where:
      "learn.microsoft.com/en-us/windows-hardware/drivers/usbcon/usb-common-class-generic-parent-driver; …/usbcon/support-for-interface-collections",
  },
  {
    tag: "S553",
    what: "USB 2.0 §5.5.3 (control transfer packet sizes) as quoted and discussed",
    where: "catircservices.org",
  },
  {
    tag: "S967",
    what: "USB 2.0 §9.6.7 (string descriptor zero, LANGIDs) as quoted and discussed",
    where: "86ic.net/xinpin/yuanjian/233053.html",
  },
  {
    tag: "TIM",
    what: "USB request timing (§9.2.6) measured and explained",
    where: "qshino.hatenablog.com/entry/2019/03/24/151415",
  },
  {
    tag: "WWH",
    what: "USB Mass Storage (book), Table 3-2: configuration attributes and power",
    where: "what-when-how.com",
  },
  {
    tag: "libopencm3",
    what: "libopencm3's USB stack: the zero-length packet fix",
    where: "libopencm3 lib/usb (git.jcsmith.fr/jackcartersmith/blackmagic)",
  },
  {
    tag: "desowin",
    what: "USBPcap's capture format and driver",
    where: "desowin.org/usbpcap/captureformat.html; desowin/usbpcap USBPcapDriver/USBPcapBuffer.h",
  },
  { tag: "pcap", what: "The pcap file format", where: "draft-ietf-opsawg-pcap" },
  { tag: "pcapng", what: "The pcapng file format", where: "draft-ietf-opsawg-pcapng" },
  { tag: "ISO 8601", what: "Date and time format", where: "ISO 8601" },
];

/** The tag a source reference starts with (`K-CFG (EP_BINTERVAL_RANGE)` → K-CFG), or undefined. */
export function sourceTagOf(reference: string): SourceTag | undefined {
  const r = reference.trim();
  return SOURCE_TAGS.find((s) => r === s.tag || r.startsWith(`${s.tag} `) || r.startsWith(`${s.tag}/`));
}
