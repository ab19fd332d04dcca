// Enumeration diagnosis: where a device stopped on the way to the configured state (USB 2.0 §9.1.2) and the most
// likely firmware reason, with the records and bytes that show it.
import type { ControlTransfer, Speed } from "../usb/model.js";
import type { UsbDevice } from "./device.js";
import type { RuleHit } from "./descriptorRule.js";
import { descriptorTypeName, DescriptorType } from "../usb/descriptorTypes.js";
import { hex2, hexBytes } from "../usb/bytes.js";
import { requestText } from "./timeline.js";
import {
  Request,
  RequestType,
  STANDARD_DEVICE_OUT,
  STANDARD_DEVICE_IN,
  requestTypeBits,
} from "../usb/requests.js";

export type Reached = "configured" | "addressed" | "default";

export interface Evidence {
  packet: number;
  text: string;
}

export interface Diagnosis {
  /** Device address (last one used). */
  device: number;
  bus?: number;
  /** The step the enumeration stopped at (or "configured"). */
  stage: string;
  reached: Reached;
  /** Plain words: what happened and the most likely reason. */
  verdict: string;
  evidence: Evidence[];
  /** True when the device enumerated without a problem this diagnosis recognises. */
  ok: boolean;
}

interface Problem {
  /** Lower is more likely the root cause. */
  rank: number;
  verdict: string;
  evidence: Evidence[];
}

function endText(ct: ControlTransfer): string {
  if (ct.status === "stall") return "then STALLed";
  if (ct.status === "incomplete")
    return `then stopped sending (${ct.detail ?? "NAKed until the host gave up or reset"})`;
  if (ct.status === "error") return `then failed (${ct.detail ?? "error"})`;
  return "and ended the transfer short";
}

function isStdGetDescriptor(ct: ControlTransfer): boolean {
  return ct.setup.bmRequestType === STANDARD_DEVICE_IN && ct.setup.bRequest === Request.GET_DESCRIPTOR;
}

/** Size the descriptor in a reply says it has: bLength, or wTotalLength for configuration and BOS sets. */
function declaredSize(type: number, b: Uint8Array): number | undefined {
  if (b.length < 2) return undefined;
  if (
    (type === DescriptorType.CONFIGURATION ||
      type === DescriptorType.OTHER_SPEED_CONFIGURATION ||
      type === DescriptorType.BOS) &&
    b.length >= 4
  )
    return b[2]! | (b[3]! << 8);
  return b[0]!;
}

function allSame(b: Uint8Array, v: number): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== v) return false;
  return true;
}

/**
 * How likely each rule's cause is the root of a failed enumeration, against the diagnosis' own problems
 * (1: descriptor from unreadable memory … 9: a must-answer request that never completed). Lower first.
 */
const CAUSE_RANK: Record<string, number> = {
  CFG_TOTAL_LENGTH_MISMATCH: 5,
  CFG_NUM_IFS: 5.1,
  IF_NUMBERING: 6,
  EP_DUPLICATE: 6.1,
  GETDESC_IF_EP: 8,
};

/**
 * The diagnosis of one device: where its enumeration got to and the most likely firmware reason, from its
 * control transfers and the `hits` the descriptor rules made on it.
 */
export function diagnose(d: UsbDevice, speed: Speed = "unknown", hits: readonly RuleHit[] = []): Diagnosis {
  const silent = neverAnswered(d);
  if (silent) return silent;
  const problems: Problem[] = [];
  const mps0 =
    d.device &&
    d.device.descriptor.length >= 8 &&
    [8, 16, 32, 64].includes(d.device.descriptor.bMaxPacketSize0)
      ? d.device.descriptor.bMaxPacketSize0
      : speed === "low"
        ? 8
        : 64;

  for (const ct of d.transfers) {
    const s = ct.setup;
    if (isStdGetDescriptor(ct)) {
      const type = s.wValue >> 8;
      const b = ct.data;
      const name = `GET_DESCRIPTOR(${descriptorTypeName(type)}${type === DescriptorType.STRING || type === DescriptorType.CONFIGURATION ? ` ${s.wValue & 0xff}` : ""})`;
      // Descriptors kept where the USB DMA cannot read them (flash behind a bus the peripheral does not master):
      // the peripheral sends zeros or 0xFF instead of the table.
      if (b.length >= 2 && (allSame(b, 0) || allSame(b, 0xff)) && type !== DescriptorType.STRING) {
        problems.push({
          rank: 1,
          verdict: `the ${descriptorTypeName(type)} descriptor arrived as ${b.length} bytes of 0x${hex2(b[0]!)}: the firmware most likely hands the USB peripheral a descriptor in memory it cannot read (e.g. flash not reachable by the USB DMA), so the bytes sent are not the descriptor`,
          evidence: [{ packet: ct.firstPacket, text: `${name} returned ${hexBytes(b, 24)}` }],
        });
        continue;
      }
      const size = declaredSize(type, b);
      const probe =
        type === DescriptorType.DEVICE &&
        ct.address === 0 &&
        s.wLength === 64 &&
        ct.status === "incomplete" &&
        b.length >= 8;
      if (
        size !== undefined &&
        !probe &&
        b.length < Math.min(size, s.wLength) &&
        b.length > 0 &&
        b.length % mps0 === 0 &&
        s.wLength > b.length
      ) {
        if (b.length === mps0) {
          problems.push({
            rank: 2,
            verdict: `the device returns only the first packet of a control read: it sent ${b.length} of the ${size} bytes of the ${descriptorTypeName(type)} descriptor (bMaxPacketSize0 ${mps0}) ${endText(ct)}; firmware that can send only one packet per control read (it does not queue the next packet after the first IN completes)`,
            evidence: [
              {
                packet: ct.firstPacket,
                text: `${name} wLength ${s.wLength}: ${b.length} bytes returned, descriptor says ${size}: ${hexBytes(b, 24)}`,
              },
            ],
          });
        } else {
          problems.push({
            rank: 3,
            verdict: `the device stopped after ${b.length} of ${size} bytes of the ${descriptorTypeName(type)} descriptor (${b.length / mps0} full packets) ${endText(ct)}`,
            evidence: [
              {
                packet: ct.firstPacket,
                text: `${name} wLength ${s.wLength}: ${b.length} bytes returned, descriptor says ${size}`,
              },
            ],
          });
        }
        continue;
      }
      // A complete reply that is a whole number of packets and shorter than wLength needs a ZLP (§5.5.3); without
      // one the host waits for more data and the transfer times out.
      if (
        size !== undefined &&
        b.length === size &&
        b.length < s.wLength &&
        b.length % mps0 === 0 &&
        ct.status !== "ok" &&
        ct.status !== "stall" &&
        !probe
      ) {
        problems.push({
          rank: 2,
          verdict: `the device does not end a reply that is a multiple of bMaxPacketSize0 with a zero-length packet: ${name} returned all ${b.length} bytes (${b.length / mps0} × ${mps0}) for wLength ${s.wLength}, then the host kept waiting (CTRL_ZLP_MISSING)`,
          evidence: [
            {
              packet: ct.firstPacket,
              text: `${name}: ${b.length} bytes, wLength ${s.wLength}, status ${ct.status}`,
            },
          ],
        });
        continue;
      }
      // Requests the device must answer (§9.4.3: DEVICE and CONFIGURATION are mandatory).
      if (
        (type === DescriptorType.DEVICE || type === DescriptorType.CONFIGURATION) &&
        (ct.status === "error" || ct.status === "incomplete") &&
        !probe
      ) {
        problems.push({
          rank: 9,
          verdict: `the device ${b.length ? `stopped after ${b.length} bytes of` : "never answered"} ${name} (${ct.detail ?? ct.status}${ct.urbStatus !== undefined ? `, URB status ${ct.urbStatus}` : ""})`,
          evidence: [
            {
              packet: ct.firstPacket,
              text: `${requestText(s.bmRequestType, s.bRequest, s.wValue, s.wIndex, s.wLength)}: ${ct.status}, ${b.length} bytes`,
            },
          ],
        });
      }
      if (
        (type === DescriptorType.DEVICE || type === DescriptorType.CONFIGURATION) &&
        ct.status === "stall"
      ) {
        problems.push({
          rank: 4,
          verdict: `the device STALLed ${name}, which every device must answer`,
          evidence: [
            {
              packet: ct.firstPacket,
              text: `${requestText(s.bmRequestType, s.bRequest, s.wValue, s.wIndex, s.wLength)} STALLed`,
            },
          ],
        });
      }
    } else if (
      s.bmRequestType === STANDARD_DEVICE_OUT &&
      (s.bRequest === Request.SET_ADDRESS || s.bRequest === Request.SET_CONFIGURATION) &&
      ct.status !== "ok"
    ) {
      const what =
        s.bRequest === Request.SET_ADDRESS ? `SET_ADDRESS ${s.wValue}` : `SET_CONFIGURATION ${s.wValue}`;
      problems.push({
        rank: 4,
        verdict: `the device ${ct.status === "stall" ? "STALLed" : "did not complete"} ${what}, which it must accept`,
        evidence: [
          { packet: ct.firstPacket, text: `${what}: ${ct.status}${ct.detail ? ` (${ct.detail})` : ""}` },
        ],
      });
    }
  }

  // The causes the descriptor rules found (wTotalLength, bNumInterfaces, duplicate interfaces and
  // endpoints, GET_DESCRIPTOR(INTERFACE/ENDPOINT) answered): ranked here, detected there.
  for (const h of hits) {
    const rank = h.cause && CAUSE_RANK[h.finding.rule];
    if (!h.cause || rank === undefined) continue;
    problems.push({
      rank,
      verdict: h.cause.verdict,
      evidence: [{ packet: h.finding.packet ?? 0, text: h.cause.evidence }],
    });
  }
  // An interface appended at run time (number ≥ bNumInterfaces) that reuses a string index another field already
  // uses: sharing an index is legal, so only the appended interface's reuse is evidence of a collision.
  const dev = d.device?.descriptor;
  for (const [, h] of d.configurations) {
    const c = h.descriptor;
    if (c.length < 9) continue;
    const users = new Map<number, string>();
    if (dev && dev.length >= 18)
      for (const [f, v] of [
        ["iManufacturer", dev.iManufacturer],
        ["iProduct", dev.iProduct],
        ["iSerialNumber", dev.iSerialNumber],
      ] as const)
        if (v) users.set(v, f);
    if (c.iConfiguration) users.set(c.iConfiguration, "iConfiguration");
    for (const i of c.interfaces)
      if (i.iInterface && i.bInterfaceNumber < c.bNumInterfaces && !users.has(i.iInterface))
        users.set(i.iInterface, `interface ${i.bInterfaceNumber} iInterface`);
    if (new Set(c.interfaces.map((i) => i.bInterfaceNumber)).size <= c.bNumInterfaces) continue;
    for (const i of c.interfaces) {
      if (i.bInterfaceNumber < c.bNumInterfaces || !i.iInterface || !users.has(i.iInterface)) continue;
      problems.push({
        rank: 7,
        verdict: `configuration ${c.bConfigurationValue}: appended interface ${i.bInterfaceNumber} uses string index ${i.iInterface}, already used by ${users.get(i.iInterface)}`,
        evidence: [
          { packet: h.transfer.firstPacket, text: `iInterface ${i.iInterface} at offset ${i.offset}` },
        ],
      });
    }
  }

  problems.sort((a, b) => a.rank - b.rank);
  const reached: Reached = d.state;
  const stage = stageOf(d);
  if (problems.length === 0) {
    const verdict =
      reached === "configured"
        ? `enumerated: configuration ${d.configuration} set${d.enumerationSeen ? "" : " (the descriptor reads happened before the capture began)"}`
        : d.enumerationSeen
          ? `the capture ends with the device ${reached}, after ${stage}; no failed request explains it`
          : `the capture does not show this device's enumeration`;
    return { device: d.address, bus: d.bus, stage, reached, verdict, evidence: [], ok: true };
  }
  const top = problems[0]!;
  const evidence: Evidence[] = [];
  for (const p of problems) for (const e of p.evidence) if (evidence.length < 16) evidence.push(e);
  const others =
    problems.length > 1
      ? ` (${problems.length - 1} more problem${problems.length > 2 ? "s" : ""} in the evidence)`
      : "";
  const where =
    reached === "configured"
      ? `configured with errors: ${top.verdict}`
      : `stopped ${reached} at ${stage}: ${top.verdict}`;
  return { device: d.address, bus: d.bus, stage, reached, verdict: where + others, evidence, ok: false };
}

/** What a device that answers nothing usually has wrong on a bench (USB 2.0 §7.1.5.1, §7.1.7.3, §7.1.11). */
export const NEVER_ANSWERED_CAUSES =
  "no pull-up on D+ (full, high speed) or D- (low speed), or one for the wrong speed; the USB clock not at 48 MHz; the USB PHY not powered; D+ and D- swapped; the USB peripheral not started (not enabled, or its interrupt not serviced)";

/**
 * Every request to the device failed from the first with no response at all (ControlTransfer.unanswered: no
 * handshake on the wire, -71 EPROTO, -110 ETIMEDOUT, USBD_STATUS_DEV_NOT_RESPONDING): the device never answered,
 * which is not about any one request. The evidence is every request, in capture order.
 */
function neverAnswered(d: UsbDevice): Diagnosis | undefined {
  const all = d.transfers;
  if (all.length === 0 || !all.every((ct) => ct.unanswered === true && ct.data.length === 0))
    return undefined;
  const first = all[0]!;
  const s = first.setup;
  const name =
    s.bmRequestType === STANDARD_DEVICE_IN && s.bRequest === Request.GET_DESCRIPTOR
      ? `GET_DESCRIPTOR(${descriptorTypeName(s.wValue >> 8)})`
      : requestText(s.bmRequestType, s.bRequest, s.wValue, s.wIndex, s.wLength);
  const how = first.source === "urb" ? `failed with ${first.detail ?? "no response"}` : "got no handshake";
  const evidence: Evidence[] = [];
  for (const ct of all) {
    if (evidence.length >= 16) break;
    const t = ct.setup;
    evidence.push({
      packet: ct.firstPacket,
      text: `${requestText(t.bmRequestType, t.bRequest, t.wValue, t.wIndex, t.wLength)}: ${ct.source === "urb" ? (ct.detail ?? ct.status) : "no handshake from the device"}`,
    });
  }
  const n = all.length;
  return {
    device: d.address,
    bus: d.bus,
    stage: name,
    reached: d.state,
    verdict: `never answered: ${n === 1 ? "the one request" : `all ${n} requests`} to the device, from the first (${name}), ${how}: the device sent nothing back. On a bench this usually means ${NEVER_ANSWERED_CAUSES}`,
    evidence,
    ok: false,
  };
}

/** The last chapter-9 step the device got to: the first failed must-answer request, else the last standard request. */
function stageOf(d: UsbDevice): string {
  if (d.state === "configured") return "configured";
  let last = "";
  for (const ct of d.transfers) {
    const s = ct.setup;
    if (requestTypeBits(s.bmRequestType) !== RequestType.STANDARD) continue;
    const name =
      s.bRequest === Request.GET_DESCRIPTOR
        ? `GET_DESCRIPTOR(${descriptorTypeName(s.wValue >> 8)})`
        : requestText(s.bmRequestType, s.bRequest, s.wValue, s.wIndex, s.wLength);
    last = name;
  }
  return last || "no standard request";
}
