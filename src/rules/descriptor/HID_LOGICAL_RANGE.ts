// A data field's Logical Maximum below its Logical Minimum (HID 1.11 §6.2.2.7: both are signed): typically
// 0..255 written as `25 FF`, a 1-byte Logical Maximum that reads as -1. Linux reads it as 255 because Logical
// Minimum is not negative (hid-core.c hid_parser_global), and hosts tolerate it (the ESP32-S3 TinyUSB badge in
// the public captures does it): info then. A range no reading makes valid (a negative minimum) is a warning.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { hidDataFields } from "./helpers.js";

export const info: RuleInfo = {
  id: "HID_LOGICAL_RANGE",
  severity: "warning",
  spec: "HID 1.11 §5.8, §6.2.2.7",
  title:
    "a report field whose Logical Maximum, read signed as the spec says, is below its Logical Minimum (info when reading it unsigned, as Linux does, makes the range valid)",
  otherSeverities: ["info"],
};

/** Fields named per descriptor, at most (one mistake is usually repeated through the descriptor). */
const MAX_PER_DESCRIPTOR = 4;

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const { iface, transfer, fields } of hidDataFields(ctx.device)) {
    const bad = fields.filter((f) => f.logicalMax < f.logicalMin);
    for (const f of bad.slice(0, MAX_PER_DESCRIPTOR)) {
      const raw = `0x${f.logicalMaxUnsigned.toString(16).padStart(2 * f.logicalMaxSize, "0")}`;
      const tolerated = f.logicalMin >= 0 && f.logicalMaxUnsigned >= f.logicalMin;
      const unsigned = !tolerated
        ? ""
        : `; Linux reads it as ${f.logicalMaxUnsigned} because Logical Minimum is not negative${f.logicalMaxSize < 4 ? `, a ${f.logicalMaxSize === 1 ? 2 : 4}-byte item says ${f.logicalMaxUnsigned} to every parser` : ""}`;
      out.push(
        hit(
          info,
          ctx,
          transfer,
          `interface ${iface} report descriptor: the ${f.type} item at offset ${f.offset} has Logical Minimum ${f.logicalMin} and Logical Maximum ${raw} (${f.logicalMaxSize} byte${f.logicalMaxSize === 1 ? "" : "s"}), which reads signed as ${f.logicalMax}${unsigned}${bad.length > MAX_PER_DESCRIPTOR ? ` (${bad.length} fields like it)` : ""}`,
          { descriptor: "hidReport", index: iface, offset: f.offset },
          tolerated ? "info" : info.severity,
        ),
      );
    }
  }
  return out;
}
