// A device's descriptors as a tree in the style of `lsusb -v`, with findings shown under the field they
// concern. Every string that came from the device goes through sanitizeTerminal.
import type { Finding } from "../usb/finding.js";
import type { UsbDevice } from "../devices/device.js";
import type { FieldRef } from "../descriptors/fieldRef.js";
import type { DescriptorBase } from "../descriptors/layout.js";
import type { ConfigurationDescriptor } from "../descriptors/configuration.js";
import { bcdText } from "../usb/bcd.js";
import { hex2, hex4 } from "../usb/bytes.js";
import { className, interfaceClassText } from "../descriptors/classes.js";
import {
  endpointType,
  isoAttributesText,
  maxPacketBytes,
  additionalTransactions,
} from "../descriptors/endpoint.js";
import { langIdName } from "../descriptors/string.js";
import { sanitizeTerminal } from "./sanitize.js";

/** A finding with an optional location; findings without one are listed after the tree. */
export interface RenderNote {
  finding: Finding;
  where?: FieldRef;
}

const SKIP = new Set([
  "kind",
  "offset",
  "raw",
  "length",
  "truncated",
  "short",
  "endpoints",
  "extra",
  "descriptors",
  "interfaces",
  "associations",
  "invalidAt",
  "excess",
  "capabilities",
  "name",
]);
const MAX_HID_ITEMS = 512;
const SEVERITY_MARK: Record<string, string> = { error: "E", warning: "W", info: "I" };

class Tree {
  readonly lines: string[] = [];
  private readonly used = new Set<RenderNote>();
  constructor(
    private readonly notes: readonly RenderNote[],
    private readonly d: UsbDevice,
  ) {}

  line(depth: number, text: string): void {
    this.lines.push("  ".repeat(depth) + text);
  }

  /** Notes for one descriptor (matched by `match`), each printed under its field or under the descriptor title. */
  notesFor(match: (w: FieldRef) => boolean): RenderNote[] {
    return this.notes.filter((n) => n.where && !this.used.has(n) && match(n.where));
  }

  note(depth: number, n: RenderNote): void {
    this.used.add(n);
    this.line(
      depth,
      `^ ${SEVERITY_MARK[n.finding.severity] ?? "?"} ${n.finding.rule}: ${sanitizeTerminal(n.finding.message)}`,
    );
  }

  unused(): RenderNote[] {
    return this.notes.filter((n) => !this.used.has(n));
  }

  stringText(index: number): string {
    if (!index) return "";
    const s = this.d.strings.get(index)?.descriptor.text;
    return s === undefined ? "" : ` ${sanitizeTerminal(s)}`;
  }

  /** One descriptor: a title, then its fields (lsusb's "%-20s %5s %s" layout), notes under their fields. */
  descriptor(
    depth: number,
    title: string,
    desc: DescriptorBase,
    match: (w: FieldRef) => boolean,
    context: Record<string, number> = {},
  ): void {
    this.line(
      depth,
      title +
        (desc.truncated
          ? " (truncated)"
          : desc.short
            ? ` (bLength ${desc.bLength} is too short for its fields)`
            : ""),
    );
    const notes = this.notesFor(match);
    for (const [k, v] of Object.entries(desc)) {
      if (SKIP.has(k) || v === undefined) continue;
      this.line(depth + 1, fieldLine(k, v, desc, context, this));
      for (const n of notes) if (n.where?.field === k) this.note(depth + 2, n);
    }
    for (const n of notes) if (!this.used.has(n)) this.note(depth + 1, n);
    if (desc.kind === "unknown" || desc.kind.endsWith("-unknown"))
      this.line(depth + 1, `bytes ${desc.raw.map(hex2).join(" ")}`);
  }
}

function fieldLine(
  k: string,
  v: unknown,
  desc: DescriptorBase,
  ctx: Record<string, number>,
  t: Tree,
): string {
  const pad = (value: string, note = "") => `${k.padEnd(19)} ${value.padStart(6)}${note ? " " + note : ""}`;
  if (Array.isArray(v)) return `${k.padEnd(19)} ${v.map((x) => String(x)).join(" ")}`;
  if (typeof v === "string") return `${k.padEnd(19)} ${sanitizeTerminal(v)}`;
  if (typeof v === "boolean") return pad(v ? "yes" : "no");
  const n = v as number;
  if (k.startsWith("bcd")) return pad(bcdText(n));
  if (k === "idVendor" || k === "idProduct") return pad(`0x${hex4(n)}`);
  // WebUSB §3.2.1: iLandingPage is a URL index for the WebUSB GET_URL request, not a string descriptor index.
  if (k === "iLandingPage") return pad(String(n), n ? "URL index (WebUSB GET_URL)" : "no landing page");
  if (/^i[A-Z]/.test(k)) return pad(String(n), t.stringText(n).trimStart());
  if (k === "bDeviceClass" || k === "bInterfaceClass" || k === "bFunctionClass")
    return pad(
      String(n),
      k === "bInterfaceClass" ? interfaceClassText(n, ctx["sub"] ?? 0, ctx["proto"] ?? 0) : className(n),
    );
  if (k === "bEndpointAddress") return pad(`0x${hex2(n)}`, `EP ${n & 0x0f} ${n & 0x80 ? "IN" : "OUT"}`);
  if (k === "wMaxPacketSize")
    return pad(`0x${hex4(n)}`, `${additionalTransactions(n) + 1}x ${maxPacketBytes(n)} bytes`);
  if (k === "bMaxPower") return pad(`${n * 2}mA`);
  if (k === "bmAttributes" && desc.kind === "configuration")
    return pad(
      `0x${hex2(n)}`,
      [n & 0x40 ? "Self Powered" : "(Bus Powered)", n & 0x20 ? "Remote Wakeup" : ""]
        .filter(Boolean)
        .join(", "),
    );
  if (k === "bmAttributes" && desc.kind === "endpoint") {
    const type = endpointType(n);
    return pad(
      String(n),
      `Transfer Type ${type}${type === "isochronous" ? ", " + isoAttributesText(n) : ""}`,
    );
  }
  if (k === "bDescriptorType" || k.startsWith("bm") || k === "bDescriptorSubtype") return pad(`0x${hex2(n)}`);
  return pad(String(n));
}

/** The `lsusb -v`-style tree of one device; `notes` are findings to show inline. */
export function renderDevice(d: UsbDevice, notes: readonly RenderNote[] = []): string {
  const t = new Tree(notes, d);
  const dev = d.device?.descriptor;
  const title =
    dev && dev.length >= 12
      ? `ID ${hex4(dev.idVendor)}:${hex4(dev.idProduct)}${t.stringText(dev.iManufacturer)}${t.stringText(dev.iProduct)}`
      : "(no device descriptor)";
  t.line(0, `Device ${d.address}${d.bus !== undefined ? ` on bus ${d.bus}` : ""}: ${title}`);
  if (dev) t.descriptor(0, "Device Descriptor:", dev, (w) => w.descriptor === "device");
  for (const [index, h] of [...d.configurations.entries()].sort((a, b) => a[0] - b[0]))
    renderConfiguration(t, 1, index, h.descriptor);
  for (const [index, h] of d.otherSpeed) {
    t.line(1, "Other Speed Configuration:");
    renderConfiguration(t, 2, index, h.descriptor, "other-speed");
  }
  if (d.qualifier)
    t.descriptor(0, "Device Qualifier:", d.qualifier.descriptor, (w) => w.descriptor === "qualifier");
  if (d.bos) {
    const b = d.bos.descriptor;
    t.descriptor(
      0,
      "Binary Object Store Descriptor:",
      b,
      (w) => w.descriptor === "bos" && (w.offset ?? 0) === 0,
    );
    for (const c of b.capabilities)
      t.descriptor(1, `${c.name} Capability:`, c, (w) => w.descriptor === "bos" && w.offset === c.offset);
  }
  const strings = [...d.strings.entries()].sort((a, b) => a[0] - b[0]);
  if (strings.length) {
    t.line(0, "Strings:");
    for (const [i, h] of strings) {
      const s = h.descriptor;
      t.line(
        1,
        i === 0
          ? `0: LANGIDs ${(s.langIds ?? []).map((l) => `0x${hex4(l)} ${langIdName(l)}`).join(", ")}`
          : `${i}: "${sanitizeTerminal(s.text ?? "")}"${s.truncated ? " (truncated)" : ""}`,
      );
      for (const n of t.notesFor((w) => w.descriptor === "string" && w.index === i)) t.note(2, n);
    }
  }
  for (const [iface, h] of d.hidReports) {
    t.line(0, `HID Report Descriptor (interface ${iface}, ${h.descriptor.items.length} items):`);
    // lsusb -v prints "Item(Global): Usage Page, data= [ 0x01 ] 1"; the item list is capped so a hostile
    // descriptor cannot flood the terminal.
    const items = h.descriptor.items;
    for (const it of items.slice(0, MAX_HID_ITEMS)) {
      const kind =
        it.type === "main"
          ? "Main  "
          : it.type === "global"
            ? "Global"
            : it.type === "local"
              ? "Local "
              : it.type === "long"
                ? "Long  "
                : "Reserv";
      t.line(
        1,
        `Item(${kind}): ${it.name}, data= [ ${it.size ? "0x" + it.value.toString(16).padStart(it.size * 2, "0") : ""} ] ${sanitizeTerminal(it.text)}`,
      );
    }
    if (items.length > MAX_HID_ITEMS) t.line(1, `… ${items.length - MAX_HID_ITEMS} more items`);
    for (const r of h.descriptor.reports)
      t.line(
        1,
        `${r.type} report${r.reportId ? ` #${r.reportId}` : ""}: ${r.bytes} byte${r.bytes === 1 ? "" : "s"}`,
      );
    for (const p of h.descriptor.problems) t.line(1, `! ${p}`);
    for (const n of t.notesFor((w) => w.descriptor === "hidReport" && w.index === iface)) t.note(1, n);
  }
  const rest = t.unused();
  if (rest.length) {
    t.line(0, "Findings:");
    for (const n of rest) t.note(1, n);
  }
  return t.lines.join("\n") + "\n";
}

function renderConfiguration(
  t: Tree,
  depth: number,
  index: number,
  c: ConfigurationDescriptor,
  which = "configuration",
): void {
  const inConfig = (off: number) => (w: FieldRef) =>
    w.descriptor === "configuration" &&
    w.config === index &&
    (w.offset ?? 0) === off &&
    which === "configuration";
  t.descriptor(depth, "Configuration Descriptor:", c, inConfig(0));
  for (const d of c.descriptors) {
    const dd = d as DescriptorBase & Record<string, unknown>;
    switch (d.kind) {
      case "interface":
        t.descriptor(depth + 1, "Interface Descriptor:", d, inConfig(d.offset), {
          sub: dd["bInterfaceSubClass"] as number,
          proto: dd["bInterfaceProtocol"] as number,
        });
        break;
      case "endpoint":
        t.descriptor(depth + 2, "Endpoint Descriptor:", d, inConfig(d.offset));
        break;
      case "interface-association":
        t.descriptor(depth + 1, "Interface Association:", d, inConfig(d.offset));
        break;
      default:
        t.descriptor(depth + 2, `${titleOf(d)}:`, d, inConfig(d.offset));
    }
  }
  if (c.invalidAt)
    t.line(
      depth + 1,
      `(invalid descriptor of length ${c.invalidAt.bLength} at offset ${c.invalidAt.offset}; the rest is not parsed)`,
    );
}

function titleOf(d: DescriptorBase): string {
  const name = (d as DescriptorBase & { name?: string }).name;
  if (d.kind === "hid") return "HID Device Descriptor";
  if (d.kind === "dfu-functional") return "Device Firmware Upgrade Interface Descriptor";
  if (d.kind.startsWith("cdc")) return `CDC ${name ?? ""}`.trim();
  if (d.kind.startsWith("audio")) return `Audio ${name ?? ""}`.trim();
  if (d.kind.startsWith("midi")) return `MIDI Streaming ${name ?? ""}`.trim();
  return `Unknown descriptor type 0x${hex2(d.bDescriptorType)}`;
}
