// The rules on multi-interface functions (CDC with a Union, audio, video) and their IADs, proven both ways on
// built captures: the healthy composite gadget (CDC ACM + HID + mass storage + DFU + UAC1 speaker, each
// multi-interface function with its IAD), its UAC2 variant and the webcam (UVC, IAD) are silent on the wire
// and as usbmon and USBPcap URBs; each faulty variant reports its rule, with its severity and words naming
// the function's interfaces. The public captures' silence is test/findings' (no error or warning on any).
import { describe, expect, it } from "vitest";
import { rawCapture, urbCapture, type UrbFormat } from "../../builder/capture.js";
import { compositeGadget, webcam, type GadgetOptions } from "../../builder/classDevices.js";
import type { DeviceModel } from "../../builder/device.js";
import { analyzeSource, bufferSource, type Finding } from "../../src/index.js";

const RULES = ["IAD_MISSING", "IAD_COVERAGE", "CDC_UNION_INTERFACE"];
const FORMATS: ("raw" | UrbFormat)[] = ["raw", "usbmon64", "usbpcap"];

async function findings(device: () => DeviceModel, format: "raw" | UrbFormat): Promise<Finding[]> {
  const bytes =
    format === "raw"
      ? rawCapture({ speed: device().speed }, (sim) => void sim.enumerate(device())).bytes
      : urbCapture({ format }, (host) => void host.enumerate(device())).bytes;
  const r = await analyzeSource(bufferSource(bytes), "built");
  return r.findings.sorted();
}

const gadget = (o: GadgetOptions) => () => compositeGadget(o);

const HEALTHY: [string, () => DeviceModel][] = [
  ["the composite gadget", gadget({})],
  ["the composite gadget with a UAC2 speaker", gadget({ uac2: true })],
  ["the webcam", () => webcam()],
];

interface Case {
  what: string;
  device: () => DeviceModel;
  rule: string;
  severity: "error" | "warning";
  says: string[];
}

const CASES: Case[] = [
  {
    what: "the CDC function has no IAD",
    device: gadget({ iad: false }),
    rule: "IAD_MISSING",
    severity: "warning",
    says: [
      "the CDC function on interfaces 0 (communication) and 1 (data), joined by its Union descriptor, has no interface association descriptor",
      "usbser",
    ],
  },
  {
    what: "the UAC1 speaker has no IAD on a device that has another",
    device: gadget({ audioIad: false }),
    rule: "IAD_MISSING",
    severity: "warning",
    says: [
      "the audio function on interfaces 5 (audio control) and 6 (audio streaming), joined by its AC header",
      "only on a device that has no IAD at all, and this one has 1",
    ],
  },
  {
    what: "the UAC2 speaker has no IAD (Linux refuses it too)",
    device: gadget({ uac2: true, audioIad: false }),
    rule: "IAD_MISSING",
    severity: "error",
    says: [
      "the UAC2 audio function on interfaces 5 (audio control) and 6 (audio streaming)",
      "Audio 2.0 §4.6",
    ],
  },
  {
    what: "the webcam has no IAD",
    device: () => webcam({ iad: false }),
    rule: "IAD_MISSING",
    severity: "warning",
    says: ["the video function on interfaces 0 (video control) and 1 (video streaming)", "UVC 1.1 §3.6"],
  },
  {
    what: "the CDC IAD leaves out the data interface",
    device: gadget({ cdcIadCount: 1 }),
    rule: "IAD_COVERAGE",
    severity: "warning",
    says: ["the IAD at offset 9 groups interface 0", "interface 1 (data) is outside it"],
  },
  {
    what: "the CDC IAD takes in the HID interface",
    device: gadget({ cdcIadCount: 3 }),
    rule: "IAD_COVERAGE",
    severity: "warning",
    says: [
      "groups interfaces 0..2",
      "interface 2 (Human Interface Device) is inside it though the Union descriptor",
    ],
  },
  {
    what: "the Union names a data interface that does not exist",
    device: gadget({ union: [0, 9] }),
    rule: "CDC_UNION_INTERFACE",
    severity: "error",
    says: [
      "the Union descriptor of interface 0 (communication) names interface 9 as its subordinate interface",
      "no interface 9 (it has 0, 1, 2, 3, 4, 5, 6)",
    ],
  },
  {
    what: "the Union names a control interface that does not exist",
    device: gadget({ union: [8, 1] }),
    rule: "CDC_UNION_INTERFACE",
    severity: "error",
    says: ["names interface 8 as its control interface (bControlInterface)"],
  },
];

describe("multi-interface functions and their IADs", () => {
  for (const [name, device] of HEALTHY)
    for (const format of FORMATS)
      it(`${name} is clean (${format})`, async () => {
        const bad = (await findings(device, format)).filter((f) => f.severity !== "info");
        expect(bad.map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
      });

  for (const c of CASES)
    for (const format of FORMATS)
      it(`${c.rule} fires when ${c.what} (${format})`, async () => {
        const ours = (await findings(c.device, format)).filter((f) => RULES.includes(f.rule));
        // One finding, of this rule only: one cause, one finding.
        expect(ours.map((f) => f.rule)).toEqual([c.rule]);
        const f = ours[0]!;
        expect(f.severity).toBe(c.severity);
        for (const s of c.says) expect(f.message).toContain(s);
        expect(f.spec).toBeTruthy();
        expect(typeof f.packet).toBe("number");
      });

  it("an AC header listing an interface the configuration lacks leaves no existing interface outside the IAD", async () => {
    for (const format of FORMATS) {
      const ours = (await findings(gadget({ audioStreaming: [6, 7] }), format)).filter((f) =>
        RULES.includes(f.rule),
      );
      expect(ours.map((f) => f.message)).toEqual([]);
    }
  });

  it("a CDC function on a device of class 02 is not composite to Windows: no IAD needed", async () => {
    const cdcOnly = (): DeviceModel => {
      const g = compositeGadget({ iad: false });
      const d = new Uint8Array(g.deviceDescriptor);
      d[4] = 0x02; // bDeviceClass: Communications
      d[5] = 0;
      d[6] = 0;
      return { ...g, deviceDescriptor: d };
    };
    for (const format of FORMATS) {
      const ours = (await findings(cdcOnly, format)).filter((f) => RULES.includes(f.rule));
      expect(ours.map((f) => f.message)).toEqual([]);
    }
  });
});
