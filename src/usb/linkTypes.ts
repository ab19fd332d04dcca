// pcap/pcapng link types usbscope reads, and their names (tcpdump.org/linktypes.html).
import { LinkType } from "../../as/shared/constants.js";
import type { Speed } from "./model.js";

/** LINKTYPE_USB_DARWIN: Apple's USB capture on macOS (tcpdump.org/linktypes.html); named, not read. */
export const LINKTYPE_USB_DARWIN = 266;

const NAMES: Record<number, string> = {
  [LinkType.USB_LINUX]: "USB Linux usbmon (48-byte header)",
  [LinkType.USB_LINUX_MMAPPED]: "USB Linux usbmon, memory-mapped (64-byte header)",
  [LinkType.USBPCAP]: "USBPcap",
  [LinkType.WIRESHARK_UPPER_PDU]: "Wireshark upper PDU (sniffer log)",
  [LinkType.USB_2_0]: "USB 2.0 packets, speed not given",
  [LinkType.USB_2_0_LOW_SPEED]: "USB 2.0 packets, low speed",
  [LinkType.USB_2_0_FULL_SPEED]: "USB 2.0 packets, full speed",
  [LinkType.USB_2_0_HIGH_SPEED]: "USB 2.0 packets, high speed",
  [LinkType.PCAPNG_CUSTOM_BLOCK]: "pcapng custom blocks",
  [LINKTYPE_USB_DARWIN]: "USB on macOS (Darwin)",
};

/** "USBPcap", "USB 2.0 packets, high speed", or "link type N". */
export function linktypeName(lt: number): string {
  return NAMES[lt] ?? `link type ${lt}`;
}

/** The bus speed a raw-packet link type states (293/294/295); "unknown" for 288; undefined for others. */
export function speedOfLinktype(linktype: number): Speed | undefined {
  switch (linktype) {
    case LinkType.USB_2_0_LOW_SPEED:
      return "low";
    case LinkType.USB_2_0_FULL_SPEED:
      return "full";
    case LinkType.USB_2_0_HIGH_SPEED:
      return "high";
    case LinkType.USB_2_0:
      return "unknown";
    default:
      return undefined;
  }
}

/** Host-side URB link types: usbmon (189, 220) and USBPcap (249). */
export function isUrbLinktype(lt: number): boolean {
  return lt === LinkType.USB_LINUX || lt === LinkType.USB_LINUX_MMAPPED || lt === LinkType.USBPCAP;
}

/** Link types usbscope reads, as the one-line error for a capture of none of them names them. */
export const READ_LINKTYPES = "usbmon 189/220, USBPcap 249, USB 2.0 packets 288/293/294/295";

/** A link type of USB traffic (raw packets or URBs), as opposed to a sniffer's log or custom blocks. */
export function isUsbLinktype(lt: number): boolean {
  return speedOfLinktype(lt) !== undefined || isUrbLinktype(lt);
}

/**
 * Link types whose records a layer reads: USB packets and URBs, a sniffer's log interface
 * (LINKTYPE_WIRESHARK_UPPER_PDU: ataradov's usb-sniffer, read for its bus events, src/packets/snifferLog.ts)
 * and pcapng custom blocks (Cynthion's bus events).
 */
export function isAnalysedLinktype(lt: number): boolean {
  return isUsbLinktype(lt) || lt === LinkType.WIRESHARK_UPPER_PDU || lt === LinkType.PCAPNG_CUSTOM_BLOCK;
}
