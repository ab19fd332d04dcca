// Rule facts of CDC traffic (CDC 1.2 §6.3): notifications on the communication interface's interrupt IN endpoint.
import type { RuleInfo } from "../usb/finding.js";

export const CDC_NOTIFY_MPS: RuleInfo = {
  id: "CDC_NOTIFY_MPS",
  severity: "warning",
  spec: "CDC 1.2 §6.3 Table 20; PSTN 1.2 §6.5.4; USB 2.0 §5.7.3, §9.6.6; Linux drivers/net/usb/cdc_ether.c",
  title:
    "a CDC notification (8-byte header and its wLength data bytes) longer than its interrupt IN endpoint's wMaxPacketSize: it takes more than one packet",
};

export const cdcRules: readonly RuleInfo[] = [CDC_NOTIFY_MPS];
