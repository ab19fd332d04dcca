// Which device of a capture is the product: the one with the expected VID:PID, or the only device that
// returned a device descriptor. None, or several, is a failure that says so (a capture of a rig's bus can hold
// hubs and other devices; a device that re-enumerates shows up twice).
import type { AnalysisResult } from "../result.js";
import type { DeviceReport } from "../devices/descriptorLayer.js";
import type { UsbDevice } from "../devices/device.js";
import { Request, STANDARD_DEVICE_OUT } from "../usb/requests.js";
import { hex4 } from "../usb/bytes.js";
import { msBetween } from "../usb/time.js";

export interface DeviceChoice {
  idVendor?: number;
  idProduct?: number;
}

export function vidPidText(vid: number | undefined, pid: number | undefined): string {
  return `${vid === undefined ? "*" : hex4(vid)}:${pid === undefined ? "*" : hex4(pid)}`;
}

/** "1209:0001 at address 5 on bus 1", for messages. */
function deviceText(d: UsbDevice): string {
  const dd = d.device?.descriptor;
  const bus = d.bus !== undefined ? ` on bus ${d.bus}` : "";
  return `${dd ? vidPidText(dd.idVendor, dd.idProduct) : "no device descriptor"} at address ${d.address}${bus}`;
}

/** Index (in result.descriptors.tracked) of the device `choose` names, or why there is not exactly one. */
export function findDevice(
  result: AnalysisResult,
  choose: DeviceChoice,
): { index: number } | { problem: string } {
  const tracked = result.descriptors.tracked;
  const named = choose.idVendor !== undefined || choose.idProduct !== undefined;
  const matches: number[] = [];
  tracked.forEach((d, i) => {
    const dd = d.device?.descriptor;
    if (!dd) return;
    if (choose.idVendor !== undefined && dd.idVendor !== choose.idVendor) return;
    if (choose.idProduct !== undefined && dd.idProduct !== choose.idProduct) return;
    matches.push(i);
  });
  const seen = tracked.length
    ? `; the capture has ${tracked.length} device${tracked.length === 1 ? "" : "s"}: ${tracked
        .slice(0, 8)
        .map((d, i) => {
          const dg = result.descriptors.diagnoses[i];
          return deviceText(d) + (!d.device && dg ? ` (${dg.reached}, stopped at ${dg.stage})` : "");
        })
        .join(", ")}${tracked.length > 8 ? ", …" : ""}`
    : "; the capture shows no device enumerating";
  if (matches.length === 1) return { index: matches[0]! };
  const who = named
    ? `device ${vidPidText(choose.idVendor, choose.idProduct)}`
    : "a device with a device descriptor";
  if (matches.length === 0) return { problem: `${who} is not in the capture${seen}` };
  return {
    problem: `${matches.length} devices match ${named ? vidPidText(choose.idVendor, choose.idProduct) : "(no VID:PID named)"}, the expectations describe one: ${matches
      .slice(0, 8)
      .map((i) => deviceText(tracked[i]!))
      .join(", ")}${named ? "" : "; name one with --device VID:PID"}`,
  };
}

/**
 * Milliseconds from the device's first request to its successful SET_CONFIGURATION (USB 2.0 §9.4.7), or
 * undefined when the capture does not show the enumeration from address 0 or the device was never configured.
 */
export function enumerationMs(report: DeviceReport, device: UsbDevice): number | undefined {
  if (!device.enumerationSeen) return undefined;
  const first = device.transfers[0] ?? undefined;
  const set = device.transfers.find(
    (ct) =>
      ct.setup.bmRequestType === STANDARD_DEVICE_OUT &&
      ct.setup.bRequest === Request.SET_CONFIGURATION &&
      (ct.setup.wValue & 0xff) !== 0 &&
      ct.status === "ok",
  );
  if (first && set) return Math.round(msBetween(first.start, set.end) * 1000) / 1000;
  // A device settled early keeps no transfer list: its timeline's steps still carry their times.
  const steps = report.timeline;
  const setStep = steps.find((s) => /^SET_CONFIGURATION [1-9]/.test(s.step) && s.status === "ok");
  if (!steps.length || !setStep) return undefined;
  return Math.round(msBetween(steps[0]!.time, setStep.time) * 1000) / 1000;
}
