// The host needs each configuration set whole before it can configure the device (Linux hub.c
// "can't read configurations"). Fires when no read ever returned the whole of configuration index 0 and the
// device was never configured.
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "ENUM_CONFIG_FAIL",
  severity: "error",
  spec: "K-HUB usb_enumerate_device; K-CFG",
  title: "the host obtained the whole configuration set",
};

/** An outcome: silent when the failed requests it rests on are told by their own rules (DescriptorRule.outcome). */
export const outcome = true;

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const d = ctx.device;
  if (d.state === "configured") return [];
  const reads = d.reads.filter((r) => r.type === DescriptorType.CONFIGURATION && r.index === 0);
  if (reads.length === 0) return [];
  const held = d.configurations.get(0);
  if (held && held.descriptor.length >= 9 && !held.descriptor.truncated) return [];
  // The host must have asked for the whole set (or failed to get even the header): a capture that ends after a
  // partial read the host chose (wLength < wTotalLength) shows nothing wrong.
  const total = held && held.descriptor.length >= 4 ? held.descriptor.wTotalLength : undefined;
  const askedAll = reads.some((r) =>
    total !== undefined ? r.transfer.setup.wLength >= total : r.transfer.status !== "ok",
  );
  if (!askedAll) return [];
  const last = reads[reads.length - 1]!.transfer;
  const got = held
    ? `${held.descriptor.length} of ${held.descriptor.length >= 4 ? held.descriptor.wTotalLength : "?"} bytes`
    : "no bytes";
  return [
    hit(
      info,
      ctx,
      last,
      `configuration index 0 was requested ${reads.length} time${reads.length === 1 ? "" : "s"} but never returned whole (best read: ${got}); the device was not configured`,
      { descriptor: "configuration", config: 0, offset: 0 },
    ),
  ];
}
