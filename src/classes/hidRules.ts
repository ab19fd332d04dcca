// Rule facts of HID report data (HID 1.11 §5.6, §6.2.2.7, §7.2.5, §8.4, Appendix B): reports checked
// against the interface's report descriptor and, in boot protocol, against the boot layout.
import type { RuleInfo } from "../usb/finding.js";

export const HID_REPORT_ID: RuleInfo = {
  id: "HID_REPORT_ID",
  severity: "error",
  spec: "HID 1.11 §5.6, §6.2.2.7, §8.1",
  title:
    "a report whose first byte is no report ID the report descriptor declares for its type (the host drops it)",
};
export const HID_REPORT_SIZE: RuleInfo = {
  id: "HID_REPORT_SIZE",
  severity: "warning",
  spec: "HID 1.11 §5.6, §6.2.2.7, §8.4",
  title:
    "a report shorter than the report descriptor declares for its ID (warning: fields lost), or longer (info: bytes ignored)",
  otherSeverities: ["info"],
};
export const HID_REPORT_MPS: RuleInfo = {
  id: "HID_REPORT_MPS",
  severity: "warning",
  spec: "HID 1.11 §5.6, §8.4; USB 2.0 §5.7.3",
  title:
    "an interrupt IN transfer longer than wMaxPacketSize while the report descriptor declares no input report that long (no multi-packet report)",
};
export const HID_BOOT_LAYOUT: RuleInfo = {
  id: "HID_BOOT_LAYOUT",
  severity: "error",
  spec: "HID 1.11 §4.2, §7.2.6, Appendix B.1, B.2",
  title:
    "in boot protocol, a boot keyboard report that is not 8 bytes or a boot mouse report shorter than 3 (BIOS hosts read them blind)",
};

export const hidRules: readonly RuleInfo[] = [
  HID_REPORT_ID,
  HID_REPORT_SIZE,
  HID_REPORT_MPS,
  HID_BOOT_LAYOUT,
];
