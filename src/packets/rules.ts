// Packet-layer rules (RULES.md "rules every implementation needs" and A.2).
import type { RuleInfo } from "../usb/finding.js";

export const PID_INVALID: RuleInfo = {
  id: "PID_INVALID",
  severity: "error",
  spec: "USB 2.0 §8.3.1; WS-LL ei_invalid_pid",
  title: "PID check nibble is not the complement of the PID",
};
export const PID_RESERVED: RuleInfo = {
  id: "PID_RESERVED",
  severity: "error",
  spec: "USB 2.0 §8.3.1 Table 8-1",
  title: "the reserved PID 0x0 (byte 0xF0)",
};
export const CRC5: RuleInfo = {
  id: "CRC5",
  severity: "error",
  spec: "USB 2.0 §8.3.5.1; WS-LL ei_wrong_crc5",
  title: "token or SOF CRC5 wrong",
};
export const SPLIT_CRC5: RuleInfo = {
  id: "SPLIT_CRC5",
  severity: "error",
  spec: "USB 2.0 §8.4.2.2, §8.3.5.1; WS-LL ei_wrong_split_crc5",
  title: "SPLIT token CRC5 wrong",
};
export const CRC16: RuleInfo = {
  id: "CRC16",
  severity: "error",
  spec: "USB 2.0 §8.3.5.2; WS-LL ei_wrong_crc16",
  title:
    "data packet CRC16 wrong and no handshake followed: the receiver discarded it (ACKed ones are CRC16_SNIFFER_TAP)",
};
export const PACKET_LENGTH: RuleInfo = {
  id: "PACKET_LENGTH",
  severity: "error",
  spec: "USB 2.0 §8.4",
  title: "packet length impossible for its PID",
};
export const SOF_SEQUENCE: RuleInfo = {
  id: "SOF_SEQUENCE",
  severity: "info",
  note: "SOF frame numbers jump: the sniffer missed or folded SOFs, or the host restarted its frame counter; SOFs are the host's, so this says nothing about the device",
  spec: "USB 2.0 §8.4.3, §8.4.3.1",
  title: "SOF frame number does not advance by one per frame (per 8 microframes at high speed)",
};
/** usbscope's own: a record cut by the capture's snap length. */
export const FMT_PACKET_TRUNCATED: RuleInfo = {
  id: "FMT_PACKET_TRUNCATED",
  severity: "info",
  note: "the capture's snap length cut packets short: their data and CRCs past the cut were not checked",
  spec: "pcap/pcapng captured length < original length",
  title: "packet cut short by the capture's snap length",
};
/** usbscope's own: the file could not be framed to its end. */
export const FMT_FRAMING: RuleInfo = {
  id: "FMT_FRAMING",
  severity: "error",
  spec: "pcap (draft-ietf-opsawg-pcap), pcapng (draft-ietf-opsawg-pcapng)",
  title: "capture file damaged: framing stopped before the end",
};

/**
 * usbscope's own: timestamps a header can hold but no clock means (pcap ts_usec of a second or more, usbmon's
 * negative ts_usec, years past 9999 or before 0000), repaired so every time prints in one ISO 8601 form.
 * One finding per capture, with the count and the first record.
 */
export const FMT_TIMESTAMP: RuleInfo = {
  id: "FMT_TIMESTAMP",
  severity: "warning",
  spec: "pcap (draft-ietf-opsawg-pcap) §4 ts_usec < 10^6; pcapng §4.2 if_tsresol/if_tsoffset; usbmon.rst ts_usec; ISO 8601",
  title:
    "timestamp out of range (sub-second field of a second or more, or a year outside 0000..9999): repaired",
};

/**
 * usbscope's own: a data packet whose CRC16 is bad in the capture but that its receiver ACKed. The receiver
 * checked the CRC (§8.3.5.2) and found it good, so the packet crossed the bus intact and was corrupted only on
 * the sniffer's tap (its probe or cable): a capture note. Without a handshake it is CRC16 (really lost).
 */
export const CRC16_SNIFFER_TAP: RuleInfo = {
  id: "CRC16_SNIFFER_TAP",
  severity: "info",
  spec: "USB 2.0 §8.3.5.2 (a receiver ACKs only data with a good CRC16), §8.5.2",
  title: "bad CRC16 in the capture on a data packet its receiver ACKed: corrupted on the sniffer's tap",
  note: "data packets the receiver ACKed have a bad CRC16 in the capture: they crossed the bus intact and were corrupted on the sniffer's tap (its probe or cable), not between device and host",
};

/**
 * usbscope's own: a one-byte "packet" with an invalid PID right next to a bus event the sniffer logged (a
 * reset, a chirp or line-state change), or the capture's first record: the sniffer sampled the line while it
 * settled (ataradov's usb-sniffer shows 0xEF, 0xFF). A capture note, not a packet of the device's.
 */
export const CAPTURE_GLITCH: RuleInfo = {
  id: "CAPTURE_GLITCH",
  severity: "info",
  spec: "USB 2.0 §7.1.7.5 (reset, chirp), §8.3.1; ataradov/usb-sniffer line-state log",
  title:
    "one-byte packet with an invalid PID next to a logged bus event or at the capture's start: the sniffer's glitch",
  note: "one-byte glitches next to a bus reset, chirp or line-state change the sniffer logged (or at the capture's start) are the sniffer sampling a settling line, not packets: nothing of the device's is in them",
};

/**
 * usbscope's own: records of a link type no layer reads (a sniffer's log interface, macOS USB 266) beside
 * USB traffic, counted and skipped. A property of the capture, said once per link type; a capture with only
 * such records is an input error instead (the CLI exits 2).
 */
export const FMT_LINKTYPE_OTHER: RuleInfo = {
  id: "FMT_LINKTYPE_OTHER",
  severity: "info",
  spec: "tcpdump.org/linktypes.html",
  title: "records of a link type usbscope does not read: counted, not analysed",
};

export const packetRules: RuleInfo[] = [
  PID_INVALID,
  PID_RESERVED,
  CRC5,
  SPLIT_CRC5,
  CRC16,
  PACKET_LENGTH,
  SOF_SEQUENCE,
  FMT_PACKET_TRUNCATED,
  FMT_FRAMING,
  FMT_TIMESTAMP,
  CAPTURE_GLITCH,
  FMT_LINKTYPE_OTHER,
  CRC16_SNIFFER_TAP,
];
