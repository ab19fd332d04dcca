// The URB layer's rules (RULES.md: implicit rules table, A.3 and D). One const per rule.

import type { RuleInfo } from "../usb/finding.js";

export const URB_ERROR: RuleInfo = {
  id: "URB_ERROR",
  severity: "warning",
  otherSeverities: ["info"], // statuses that tell nothing against the device (status.ts harmlessReason)
  spec: "Linux Documentation/driver-api/usb/error-codes.rst; WDK usb.h USBD_STATUS",
  title: "a URB completed with an error status (host-cancelled URBs are reported as info)",
};

export const FMT_MON_TRUNCATED: RuleInfo = {
  id: "FMT_MON_TRUNCATED",
  severity: "info",
  note: "the capture holds fewer data bytes than the URBs moved (usbmon's len_cap or the snap length cut them): the bytes past the cut were not checked",
  spec: "K-MON usbmon.rst struct usbmon_packet (len_cap); mon_bin.c",
  title:
    "usbmon record holds fewer data bytes than the URB length (len_cap < length, or cut by the snap length)",
};

export const FMT_TEXT_TS_WRAP: RuleInfo = {
  id: "FMT_TEXT_TS_WRAP",
  severity: "warning",
  spec: "K-MON mon_text.c mon_get_timestamp (tv_sec & 0xFFF)",
  title: "usbmon text timestamp went backwards (it wraps every 4096 s); unwrapped",
};

export const FMT_TEXT_DATA_TRUNC: RuleInfo = {
  id: "FMT_TEXT_DATA_TRUNC",
  severity: "info",
  note: "usbmon text shows at most 32 data bytes of a URB: descriptors and payloads past them were not checked",
  spec: "K-MON mon_text.c DATA_MAX 32",
  title: "usbmon text shows fewer data bytes than the URB length (at most 32): payload checks skipped",
};

/**
 * A text line that is not a usbmon event (not in RULES.md yet: proposed ID). The line is skipped;
 * the finding carries its line number and byte offset.
 */
export const FMT_TEXT_MALFORMED: RuleInfo = {
  id: "FMT_TEXT_MALFORMED",
  severity: "warning",
  spec: 'K-MON usbmon.rst "Data Format"; mon_text.c',
  title: "a usbmon text line that does not parse as an event",
};

export const FMT_URB_UNPAIRED: RuleInfo = {
  id: "FMT_URB_UNPAIRED",
  severity: "info",
  note: "URBs whose submission or completion is not in the capture (it started or stopped while they were in flight, or the capture tool dropped the record): what they moved was not checked",
  spec: "K-MON usbmon.rst (every S has a C or E with the same tag)",
  title: "a submission without a completion, or a completion without a submission",
};

export const FMT_USBPCAP_HDRLEN: RuleInfo = {
  id: "FMT_USBPCAP_HDRLEN",
  severity: "error",
  spec: "desowin.org/usbpcap/captureformat.html; USBPcapBuffer.h",
  title: "USBPcap headerLen below 27, not 28 for control, or not 39 + 12 x numberOfPackets for isochronous",
};

export const URB_SETUP_NON_CONTROL: RuleInfo = {
  id: "URB_SETUP_NON_CONTROL",
  severity: "error",
  spec: "WS-USB ei_usb_invalid_setup",
  title: "setup packet present (flag_setup 0) on a URB that is not a control transfer",
};

export const URB_BAD_LENGTH: RuleInfo = {
  id: "URB_BAD_LENGTH",
  severity: "error",
  spec: "WS-USB ei_usb_bad_length",
  title:
    "URB header lengths inconsistent with the record (data length past the record end, or a record shorter than its header)",
};

/**
 * The capture tool's transfer type for an endpoint disagrees with the endpoint descriptor (not in
 * RULES.md yet: proposed ID). usbmon and USBPcap take the type from the host's endpoint table, which the
 * host built from the descriptors; a disagreement means the host's view of the device is not what the
 * device described (a descriptor changed without a re-enumeration, or a corrupt capture).
 */
export const URB_TYPE_MISMATCH: RuleInfo = {
  id: "URB_TYPE_MISMATCH",
  severity: "warning",
  spec: "USB 2.0 §9.6.6 bmAttributes bits 1..0; K-MON mon_bin.c xfer_to_pipe; desowin USBPcap transfer",
  title: "a URB's transfer type differs from the type its endpoint descriptor gives",
};

/**
 * A usbmon binary record whose event type is not 'S', 'C' or 'E' (nor '@', mon_bin.c's filler): not an event,
 * so it is reported and counted, never silently dropped (not in RULES.md yet: proposed ID).
 */
export const URB_UNKNOWN_TYPE: RuleInfo = {
  id: "URB_UNKNOWN_TYPE",
  severity: "error",
  spec: "K-MON usbmon.rst struct usbmon_packet (type: 'S', 'C', 'E'); mon_bin.c PKT_TYPE filler '@'",
  title: "usbmon record whose event type is not S, C or E (nor mmap filler): not analysed",
};

/** IDs this layer uses that RULES.md does not list yet (proposed additions). */
export const PROPOSED_RULE_IDS: readonly string[] = [
  FMT_TEXT_MALFORMED.id,
  URB_TYPE_MISMATCH.id,
  URB_UNKNOWN_TYPE.id,
];

export const urbRules: readonly RuleInfo[] = [
  URB_ERROR,
  FMT_MON_TRUNCATED,
  FMT_TEXT_TS_WRAP,
  FMT_TEXT_DATA_TRUNC,
  FMT_TEXT_MALFORMED,
  FMT_URB_UNPAIRED,
  FMT_USBPCAP_HDRLEN,
  URB_SETUP_NON_CONTROL,
  URB_BAD_LENGTH,
  URB_TYPE_MISMATCH,
  URB_UNKNOWN_TYPE,
];
