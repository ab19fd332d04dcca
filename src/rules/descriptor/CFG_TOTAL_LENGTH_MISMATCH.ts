// wTotalLength is "the combined length of all descriptors returned for this configuration" (USB 2.0 §9.6.3),
// and a read asking for at least wTotalLength bytes returns exactly that many (§9.4.3). Covers Linux config.c
// CFG_TOTAL_SHORT ("config index %d descriptor too short") and usbtest "bogus config descriptor read size".
import type { RuleInfo } from "../../usb/finding.js";
import { walkedLength } from "../../descriptors/configuration.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "CFG_TOTAL_LENGTH_MISMATCH",
  severity: "error",
  spec: "USB 2.0 §9.6.3, §9.4.3; ELL; K-CFG (CFG_TOTAL_SHORT); K-TEST",
  title: "wTotalLength matches the descriptors that follow and the bytes returned",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const { index, config: c, transfer } of configs(ctx.device)) {
    const where = { descriptor: "configuration", config: index, offset: 0, field: "wTotalLength" };
    // Reads that asked for the whole set but got a different amount.
    for (const r of ctx.device.reads) {
      const ct = r.transfer;
      if (r.type !== DescriptorType.CONFIGURATION || r.index !== index || ct.data.length < 9) continue;
      if (
        ct.setup.wLength >= c.wTotalLength &&
        ct.data.length !== c.wTotalLength &&
        ct.data.length <= ct.setup.wLength
      ) {
        out.push(
          hit(
            info,
            ctx,
            ct,
            `${cfgName(c)}: GET_DESCRIPTOR asked for ${ct.setup.wLength} bytes and wTotalLength is ${c.wTotalLength}, but ${ct.data.length} bytes were returned`,
            where,
          ),
        );
      }
    }
    if (c.length >= c.wTotalLength && !c.invalidAt) {
      const walked = walkedLength(c) + c.excess;
      if (walked !== c.wTotalLength) {
        const last = c.descriptors[c.descriptors.length - 1];
        out.push({
          ...hit(
            info,
            ctx,
            transfer,
            `${cfgName(c)}: wTotalLength is ${c.wTotalLength} but the header and ${c.descriptors.length} descriptors that follow add up to ${walked} bytes${last && last.truncated ? ` (the last one, at offset ${last.offset}, runs past the end)` : ""}`,
            where,
          ),
          cause: {
            verdict: `${cfgName(c)}: wTotalLength is ${c.wTotalLength} but the descriptors that follow add up to ${walked} bytes; the host reads wTotalLength bytes and parses a different set than the firmware meant`,
            evidence: `configuration index ${index}: ${c.length} bytes, wTotalLength ${c.wTotalLength}, sum of bLength ${walked}`,
          },
        });
      }
    }
  }
  return out;
}
