// A function of several interfaces on a composite device needs an IAD (IAD ECN §1; MS-IAD): Windows'
// composite driver otherwise treats each interface as a function of its own, so the class driver of the
// CDC, UAC2 or video function gets its control interface without the others and fails to start. Linux and
// macOS join the interfaces by the Union descriptor or the AC/VC header, so the device works there.
// UVC 1.1 §3.6 and Audio 2.0 §4.6 require the IAD outright. A UAC1 function without one is grouped by
// Windows' legacy audio method (consecutive audio interfaces after the control interface), but only on a
// device with no IAD at all (Microsoft, "Enumeration of Interface Collections on Audio Devices without IADs").
// A UAC2 function without one is an error on any device: Linux's snd-usb-audio finds its streaming
// interfaces only through the IAD and refuses the function ("Audio class v2/v3 interfaces need an
// interface association", sound/usb/card.c), so it works nowhere.
import type { RuleInfo } from "../../usb/finding.js";
import { UsbClass } from "../../descriptors/classes.js";
import type { ConfigurationDescriptor } from "../../descriptors/configuration.js";
import { hit, type DescriptorRuleContext, type RuleHit } from "./context.js";
import { cfgName, configs, deviceDesc } from "./helpers.js";
import {
  firstSettings,
  iadsOver,
  multiInterfaceFunctions,
  roleList,
  windowsComposite,
  type MultiInterfaceFunction,
} from "./functions.js";

export const info: RuleInfo = {
  id: "IAD_MISSING",
  severity: "warning",
  otherSeverities: ["error"], // a UAC2 function: Linux refuses it too
  spec: "IAD ECN; MS-IAD; MS-CCGP; CDC 1.2 §5.2.3.2; UVC 1.1 §3.6; Audio 2.0 §4.6; Linux sound/usb/card.c",
  title:
    "a composite device's function of several interfaces (CDC with a Union, audio, video) has no interface association descriptor: Windows does not bind its class driver (a UAC2 function on any device: an error, Linux refuses it too)",
};

export function check(ctx: DescriptorRuleContext): RuleHit[] {
  const h = deviceDesc(ctx.device, 7);
  if (!h) return [];
  const out: RuleHit[] = [];
  for (const c of configs(ctx.device)) {
    const cfg = c.config;
    if (cfg.truncated || cfg.invalidAt) continue;
    const composite = windowsComposite(h.descriptor.bDeviceClass, cfg);
    for (const f of multiInterfaceFunctions(cfg)) {
      if (iadsOver(cfg, f.members).length > 0) continue; // IAD_COVERAGE judges the IAD it has
      if (!composite && !f.uac2) continue;
      const why = consequence(cfg, f);
      if (!why) continue;
      out.push(
        hit(
          info,
          ctx,
          c.transfer,
          `${cfgName(cfg)}: the ${f.uac2 ? "UAC2 audio" : f.kind} function on ${roleList(cfg, f.members)}, joined by ${f.joinedBy}, has no interface association descriptor; ${why}`,
          { descriptor: "configuration", config: c.index, offset: f.control.offset },
          f.uac2 ? "error" : info.severity,
        ),
      );
    }
  }
  return out;
}

/** What goes wrong on Windows without the IAD, or undefined when Windows groups the function anyway. */
function consequence(c: ConfigurationDescriptor, f: MultiInterfaceFunction): string | undefined {
  const windows = "Windows' composite driver then treats each interface as a function of its own";
  switch (f.kind) {
    case "CDC":
      return `${windows}, and its CDC driver (usbser for a serial port) gets interface ${f.control.bInterfaceNumber} without the rest and does not start; Linux and macOS join them by the Union`;
    case "video":
      return `UVC 1.1 §3.6 requires one, and Windows binds its video driver only to the IAD's function; Linux joins them by the VC header`;
    case "audio":
      if (f.uac2)
        return `Audio 2.0 §4.6 requires one: Linux's audio driver refuses the function without it ("Audio class v2/v3 interfaces need an interface association") and Windows binds its UAC2 driver only to the IAD's function`;
      if (c.associations.length > 0)
        return `Windows groups audio interfaces without an IAD only on a device that has no IAD at all, and this one has ${c.associations.length}, so its audio driver gets interface ${f.control.bInterfaceNumber} alone; Linux joins them by the AC header`;
      if (!legacyAudioGroup(c, f.control.bInterfaceNumber, f.members))
        return `Windows groups audio interfaces without an IAD only when they follow the audio control interface one after another, and these do not, so its audio driver gets interface ${f.control.bInterfaceNumber} alone; Linux joins them by the AC header`;
      return undefined;
  }
}

/**
 * Windows' legacy audio grouping: the audio control interface and the audio interfaces right after it whose
 * subclass differs from its own. True when that group holds every member.
 */
function legacyAudioGroup(c: ConfigurationDescriptor, control: number, members: number[]): boolean {
  const ifs = firstSettings(c);
  const at = ifs.findIndex((i) => i.bInterfaceNumber === control);
  const first = ifs[at]!;
  const group = new Set([control]);
  for (const i of ifs.slice(at + 1)) {
    if (i.bInterfaceClass !== UsbClass.AUDIO || i.bInterfaceSubClass === first.bInterfaceSubClass) break;
    group.add(i.bInterfaceNumber);
  }
  return members.every((n) => group.has(n));
}
