// The first read of each configuration (9 bytes, USB_DT_CONFIG_SIZE) must succeed with at least 4 bytes
// (wTotalLength) (Linux config.c usb_get_configuration: "unable to read config index %d descriptor/start"),
// and the read of the whole set must not fail either ("unable to read config index %d descriptor/all").
import type { RuleInfo } from "../../usb/finding.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { statusText } from "./helpers.js";
import { DescriptorType } from "../../usb/descriptorTypes.js";

export const info: RuleInfo = {
  id: "CFG_READ_FAIL",
  severity: "error",
  spec: "USB 2.0 §9.4.3; K-CFG",
  title: "the first configuration read succeeds with at least 4 bytes",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  const seen = new Set<number>();
  for (const r of ctx.device.reads) {
    if (r.type !== DescriptorType.CONFIGURATION) continue;
    const ct = r.transfer;
    if (seen.has(r.index)) {
      // A later read (the whole set) that the device STALLs or that ends in an error.
      if (ct.status === "stall" || ct.status === "error")
        out.push(
          hit(
            info,
            ctx,
            ct,
            `the read of the whole configuration index ${r.index} (wLength ${ct.setup.wLength}) ${statusText(ct)}; Linux gives up on the configuration ("unable to read config index ${r.index} descriptor/all")`,
            { descriptor: "configuration", config: r.index, offset: 0 },
          ),
        );
      continue;
    }
    seen.add(r.index);
    if (ct.status !== "ok")
      out.push(
        hit(
          info,
          ctx,
          ct,
          `the first read of configuration index ${r.index} ${statusText(ct)}${ct.data.length ? ` after ${ct.data.length} bytes` : ""}`,
          { descriptor: "configuration", config: r.index, offset: 0 },
        ),
      );
    else if (ct.data.length < 4)
      out.push(
        hit(
          info,
          ctx,
          ct,
          `the first read of configuration index ${r.index} returned ${ct.data.length} bytes, too few to hold wTotalLength`,
          { descriptor: "configuration", config: r.index, offset: 0 },
        ),
      );
  }
  return out;
}
