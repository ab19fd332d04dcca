// A data field that spans more than 4 bytes of its report (HID 1.11 §8.4: "An item field cannot span more than
// 4 bytes in a report"): a Report Size above 32, or a 32-bit-ish field that does not start where it fits.
// Linux extracts at most 32 bits per value (hid-core.c hid_field_extract warns and reads nothing more).
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { hidDataFields } from "./helpers.js";

export const info: RuleInfo = {
  id: "HID_FIELD_SIZE",
  severity: "warning",
  spec: "HID 1.11 §8.4",
  title: "a report data field wider than 32 bits, or one that spans more than 4 bytes of the report",
};

const MAX_PER_DESCRIPTOR = 4;

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const { iface, transfer, fields } of hidDataFields(ctx.device)) {
    const bad = fields.filter((f) => f.count > 0 && (f.size > 32 || (f.bitOffset % 8) + f.size > 32));
    for (const f of bad.slice(0, MAX_PER_DESCRIPTOR))
      out.push(
        hit(
          info,
          ctx,
          transfer,
          `interface ${iface} report descriptor: the ${f.type} item at offset ${f.offset} has Report Size ${f.size}${f.size > 32 ? ", wider than 32 bits" : `, starting at bit ${f.bitOffset % 8} of a byte so it spans 5 bytes`}${bad.length > MAX_PER_DESCRIPTOR ? ` (${bad.length} fields like it)` : ""}`,
          { descriptor: "hidReport", index: iface, offset: f.offset },
        ),
      );
  }
  return out;
}
