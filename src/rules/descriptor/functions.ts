// The multi-interface functions of a configuration, as the class specifications join their interfaces:
// a CDC communication interface and the interfaces its Union functional descriptor names (CDC 1.2
// §5.2.3.2, Table 16); a UAC1 audio control interface and the streaming interfaces its AC header lists
// (Audio 1.0 §4.3.2, Table 4-2, baInterfaceNr); a UAC2 audio control interface and the audio interfaces
// after it (Audio 2.0 §4.7.2 lists none: its IAD does, §4.6); a video control interface and the streaming
// interfaces its VC header lists (UVC 1.1 §3.7.2, Table 3-3). And whether Windows' composite driver
// (usbccgp) splits the device into functions at all (Microsoft, "USB Generic Parent Driver").
import type { ConfigurationDescriptor } from "../../descriptors/configuration.js";
import type { InterfaceAssociationDescriptor, InterfaceDescriptor } from "../../descriptors/interface.js";
import type { DescriptorBase } from "../../descriptors/layout.js";
import { UsbClass, className } from "../../descriptors/classes.js";

/** Audio 2.0 §A.6: bInterfaceProtocol IP_VERSION_02_00. */
const UAC2 = 0x20;

export interface MultiInterfaceFunction {
  kind: "CDC" | "audio" | "video";
  /** The communication, audio control or video control interface (alternate setting 0). */
  control: InterfaceDescriptor;
  /** What joins the interfaces, in words: "its Union descriptor", "its AC header", ... */
  joinedBy: string;
  /** The descriptor that names them, when one does (UAC2 has none). */
  descriptor?: DescriptorBase;
  /** The interface numbers that descriptor names, the control interface first (some may not exist). */
  named: number[];
  /** The named interfaces the configuration has, in the order named: the function's interfaces. */
  members: number[];
  /** `named` is the spec's own list (Union, AC or VC header), not usbscope's reading of the order (UAC2). */
  listed: boolean;
  /** Audio: UAC2 (bInterfaceProtocol 0x20). */
  uac2?: boolean;
}

/** Alternate setting 0 of each interface, in the order the configuration gives them. */
export function firstSettings(c: ConfigurationDescriptor): InterfaceDescriptor[] {
  const seen = new Set<number>();
  const out: InterfaceDescriptor[] = [];
  for (const i of c.interfaces) {
    if (i.truncated || seen.has(i.bInterfaceNumber)) continue;
    seen.add(i.bInterfaceNumber);
    out.push(i);
  }
  return out;
}

/** The functions of `c` that span more than one of its interfaces. */
export function multiInterfaceFunctions(c: ConfigurationDescriptor): MultiInterfaceFunction[] {
  const ifs = firstSettings(c);
  const have = new Set(ifs.map((i) => i.bInterfaceNumber));
  const out: MultiInterfaceFunction[] = [];
  for (const [k, i] of ifs.entries()) {
    const f = functionOf(i, ifs.slice(k + 1));
    if (!f) continue;
    const members = [...new Set(f.named)].filter((n) => have.has(n));
    if (members.length > 1) out.push({ ...f, members });
  }
  return out;
}

function functionOf(
  i: InterfaceDescriptor,
  after: InterfaceDescriptor[],
): Omit<MultiInterfaceFunction, "members"> | undefined {
  if (i.bInterfaceClass === UsbClass.COMM) {
    const u = unionOf(i);
    if (!u) return undefined;
    return {
      kind: "CDC",
      control: i,
      joinedBy: "its Union descriptor",
      descriptor: u.descriptor,
      named: [u.control, ...u.subordinates],
      listed: true,
    };
  }
  if (i.bInterfaceClass === UsbClass.AUDIO && i.bInterfaceSubClass === 1) {
    if (i.bInterfaceProtocol === UAC2) {
      // The audio interfaces after the AC interface up to the next AC interface or another class.
      const rest: number[] = [];
      for (const x of after) {
        if (x.bInterfaceClass !== UsbClass.AUDIO || x.bInterfaceSubClass === 1) break;
        rest.push(x.bInterfaceNumber);
      }
      return {
        kind: "audio",
        control: i,
        joinedBy: "their order (UAC2 names its interfaces only in the IAD)",
        named: [i.bInterfaceNumber, ...rest],
        listed: false,
        uac2: true,
      };
    }
    const h = i.extra.find((d) => d.kind === "audio-ac-header") as
      (DescriptorBase & { baInterfaceNr?: number[] }) | undefined;
    if (!h?.baInterfaceNr) return undefined;
    return {
      kind: "audio",
      control: i,
      joinedBy: "its AC header",
      descriptor: h,
      named: [i.bInterfaceNumber, ...h.baInterfaceNr],
      listed: true,
    };
  }
  if (i.bInterfaceClass === UsbClass.VIDEO && i.bInterfaceSubClass === 1) {
    const h = vcHeader(i);
    if (!h) return undefined;
    return {
      kind: "video",
      control: i,
      joinedBy: "its VC header",
      descriptor: h.descriptor,
      named: [i.bInterfaceNumber, ...h.streaming],
      listed: true,
    };
  }
  return undefined;
}

/** The Union functional descriptor of a communication interface (CDC 1.2 Table 16), when it has one. */
export function unionOf(
  i: InterfaceDescriptor,
): { descriptor: DescriptorBase; control: number; subordinates: number[] } | undefined {
  const u = i.extra.find((d) => d.kind === "cdc-union") as
    (DescriptorBase & { bControlInterface: number; bSubordinateInterface?: number[] }) | undefined;
  if (!u || u.truncated || u.bLength < 4) return undefined;
  return { descriptor: u, control: u.bControlInterface, subordinates: u.bSubordinateInterface ?? [] };
}

/** UVC 1.1 Table 3-3: the VC interface header (CS_INTERFACE, VC_HEADER): bInCollection at 11, baInterfaceNr from 12. */
function vcHeader(i: InterfaceDescriptor): { descriptor: DescriptorBase; streaming: number[] } | undefined {
  const h = i.extra.find((d) => d.bDescriptorType === 0x24 && d.raw[2] === 0x01);
  if (!h || h.raw.length < 12) return undefined;
  const n = h.raw[11]!;
  return { descriptor: h, streaming: h.raw.slice(12, 12 + n) };
}

/**
 * Windows loads its composite driver, which hands each function its own interfaces, for a device of class
 * 00 or EF/02/01 with more than one interface (Microsoft, "USB Generic Parent Driver (Usbccgp.sys)").
 * Another device class (02 for a CDC device, say) gives the whole device to one class driver.
 */
export function windowsComposite(bDeviceClass: number, c: ConfigurationDescriptor): boolean {
  return (
    (bDeviceClass === UsbClass.PER_INTERFACE || bDeviceClass === UsbClass.MISC) && firstSettings(c).length > 1
  );
}

/** The IADs of `c` that group any of `numbers`. */
export function iadsOver(c: ConfigurationDescriptor, numbers: number[]): InterfaceAssociationDescriptor[] {
  return c.associations.filter(
    (a) =>
      !a.truncated &&
      numbers.some((n) => n >= a.bFirstInterface && n < a.bFirstInterface + a.bInterfaceCount),
  );
}

/** "interface 0 (communication)": the interface's role in its function, from its class and subclass. */
export function roleName(c: ConfigurationDescriptor, n: number): string {
  const i = firstSettings(c).find((x) => x.bInterfaceNumber === n);
  if (!i) return `interface ${n}`;
  const sub = i.bInterfaceSubClass;
  let role: string;
  switch (i.bInterfaceClass) {
    case UsbClass.COMM:
      role = "communication";
      break;
    case UsbClass.CDC_DATA:
      role = "data";
      break;
    case UsbClass.AUDIO:
      role =
        sub === 1 ? "audio control" : sub === 2 ? "audio streaming" : sub === 3 ? "MIDI streaming" : "audio";
      break;
    case UsbClass.VIDEO:
      role = sub === 1 ? "video control" : sub === 2 ? "video streaming" : "video";
      break;
    default:
      role = className(i.bInterfaceClass);
  }
  return `interface ${n} (${role})`;
}

/** "interfaces 0 (communication) and 1 (data)". */
export function roleList(c: ConfigurationDescriptor, numbers: number[]): string {
  const names = numbers.map((n) => roleName(c, n).replace(/^interface /, ""));
  const list =
    names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0];
  return `interface${numbers.length > 1 ? "s" : ""} ${list}`;
}
