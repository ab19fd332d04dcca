// A GET_DESCRIPTOR that asks for at least the descriptor's size gets exactly the descriptor (USB 2.0 §9.4.3:
// "if the descriptor is shorter than wLength, only the initial bytes of the descriptor are returned"; MS-D).
// Device (size 18; the 18-byte read is ENUM_DEVDESC_ALL_FAIL), qualifier (10), string (bLength; also STR_FORMAT's
// "bLength ≠ bytes returned") and configuration headers; whole configuration sets are CFG_TOTAL_LENGTH_MISMATCH.
import type { RuleInfo } from "../../usb/finding.js";
import { descriptorTypeName, DescriptorType } from "../../usb/descriptorTypes.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { Recipient, recipientBits } from "../../usb/requests.js";

export const info: RuleInfo = {
  id: "CTRL_DESC_TRUNCATION",
  severity: "error",
  otherSeverities: ["info"], // a configuration set only partly read: what was not read is not checked
  spec: "USB 2.0 §9.4.3; MS-D",
  title: "a descriptor read returns the whole descriptor, and nothing more",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const r of ctx.device.reads) {
    const ct = r.transfer;
    if (
      recipientBits(ct.setup.bmRequestType) !== Recipient.DEVICE ||
      ct.status !== "ok" ||
      ct.data.length < 2
    )
      continue;
    const n = ct.data.length;
    const w = ct.setup.wLength;
    let size: number;
    if (r.type === DescriptorType.DEVICE) {
      if (w === 18) continue;
      size = 18;
    } else if (r.type === DescriptorType.DEVICE_QUALIFIER) size = 10;
    else if (r.type === DescriptorType.STRING) size = ct.data[0]!;
    else if (r.type === DescriptorType.CONFIGURATION || r.type === DescriptorType.OTHER_SPEED_CONFIGURATION) {
      if (w < 9 || n >= 9) continue;
      size = 9;
    } else continue;
    if (size < 2) continue;
    const name = `${descriptorTypeName(r.type)}${r.type === 3 ? ` ${r.index}` : ""}`;
    if (w >= size && n < size)
      out.push(
        hit(
          info,
          ctx,
          ct,
          `GET_DESCRIPTOR(${name}) asked for ${w} bytes of a ${size}-byte descriptor but got ${n}`,
          {
            descriptor:
              r.type === 3
                ? "string"
                : r.type === 6
                  ? "qualifier"
                  : r.type === 1
                    ? "device"
                    : "configuration",
            index: r.index,
          },
        ),
      );
    else if (n > size && n <= w)
      out.push(
        hit(
          info,
          ctx,
          ct,
          `GET_DESCRIPTOR(${name}) returned ${n} bytes for a ${size}-byte descriptor (${n - size} extra)`,
          {
            descriptor:
              r.type === 3
                ? "string"
                : r.type === 6
                  ? "qualifier"
                  : r.type === 1
                    ? "device"
                    : "configuration",
            index: r.index,
          },
        ),
      );
  }
  out.push(...neverReadWhole(ctx));
  return out;
}

/**
 * A configuration set the capture never shows whole because every request asked for less than
 * wTotalLength (e.g. Windows' first 255-byte read of a larger set). Not a device fault, so info:
 * but the user must know the descriptors past the cut were not checked.
 */
function neverReadWhole(ctx: DescriptorRuleContext): RuleHit[] {
  const out: RuleHit[] = [];
  for (const [index, held] of ctx.device.configurations) {
    const c = held.descriptor;
    const ct = held.transfer;
    if (ct.data.length < 9 || ct.data.length >= c.wTotalLength || ct.dataTruncated) continue;
    const asked = Math.max(
      ...ctx.device.reads
        .filter((r) => r.type === DescriptorType.CONFIGURATION && r.index === index)
        .map((r) => r.transfer.setup.wLength),
    );
    if (asked >= c.wTotalLength || ct.data.length < ct.setup.wLength) continue; // a short answer to a big enough request is CFG_TOTAL_LENGTH_MISMATCH's
    const cut = lastDescriptorCut(ct.data);
    const tail = cut
      ? `; the last descriptor (type 0x${cut.type.toString(16).padStart(2, "0")}) is cut at ${cut.have} of its ${cut.bLength} bytes`
      : "";
    out.push(
      hit(
        info,
        ctx,
        ct,
        `configuration index ${index}: only ${ct.data.length} of its wTotalLength ${c.wTotalLength} bytes were read (the largest request asked for ${asked})${tail}; the descriptors past byte ${ct.data.length} are not in the capture and were not checked`,
        { descriptor: "configuration", index },
        "info",
      ),
    );
  }
  return out;
}

function lastDescriptorCut(b: Uint8Array): { type: number; bLength: number; have: number } | undefined {
  let pos = 0;
  while (pos + 2 <= b.length) {
    const bLength = b[pos]!;
    if (bLength < 2) return undefined;
    if (pos + bLength > b.length) return { type: b[pos + 1]!, bLength, have: b.length - pos };
    pos += bLength;
  }
  return undefined;
}
