// One-call capture builders for tests: run a scenario on a BusSim or UrbHost and get the file bytes.
import { LinkType } from "../as/shared/constants.js";
import { BusSim, linktypeForSpeed, pcapngInterface, type BusOptions } from "./bus.js";
import type { BusSpeed } from "./device.js";
import { PcapWriter } from "./pcap.js";
import { PcapngWriter, type TsResol } from "./pcapng.js";
import { MemorySink } from "./sink.js";
import { UrbHost, type UrbHostOptions } from "./urb.js";
import { UsbmonPcapWriter } from "./usbmon.js";
import { UsbmonTextWriter } from "./usbmonText.js";
import { UsbpcapWriter } from "./usbpcap.js";

export interface RawCaptureOptions extends Omit<BusOptions, "speed"> {
  speed: BusSpeed;
  /** Container; default "pcap". */
  format?: "pcap" | "pcapng";
  byteOrder?: "le" | "be";
  /** pcap: "us" | "ns" (default "ns"); pcapng: any if_tsresol (default "ns"). */
  resolution?: TsResol;
  /** Link type; default 293/294/295 from the speed (pass 288 for "unknown speed"). */
  linktype?: number;
}

/** Run `scenario` on a fresh BusSim and return the capture file bytes (and the simulator, for record counts). */
export function rawCapture(
  opts: RawCaptureOptions,
  scenario: (sim: BusSim) => void,
): { bytes: Uint8Array; sim: BusSim } {
  const m = new MemorySink();
  const linktype = opts.linktype ?? linktypeForSpeed(opts.speed);
  const resolution = opts.resolution ?? "ns";
  let close: () => void;
  let sim: BusSim;
  if ((opts.format ?? "pcap") === "pcap") {
    if (resolution !== "us" && resolution !== "ns") throw new Error("pcap supports only us or ns resolution");
    const w = new PcapWriter(m.sink, { linktype, byteOrder: opts.byteOrder, resolution });
    sim = new BusSim(w, opts);
    close = () => w.close();
  } else {
    const w = new PcapngWriter(m.sink, { byteOrder: opts.byteOrder });
    const id = w.addInterface({ linktype, tsresol: resolution });
    sim = new BusSim(pcapngInterface(w, id), opts);
    close = () => w.close();
  }
  scenario(sim);
  close();
  return { bytes: m.toBytes(), sim };
}

/** URB capture formats: usbmon binary (189, 220), USBPcap (249), usbmon text. */
export type UrbFormat = "usbmon48" | "usbmon64" | "usbpcap" | "text";

/** Run `scenario` on a fresh UrbHost and return the file bytes (text: UTF-8 lines). */
export function urbCapture(
  opts: UrbHostOptions & { format: UrbFormat; byteOrder?: "le" | "be"; resolution?: "us" | "ns" },
  scenario: (host: UrbHost) => void,
): { bytes: Uint8Array; host: UrbHost } {
  if (opts.format === "text") {
    const t = new UsbmonTextWriter();
    const host = new UrbHost(t, opts);
    scenario(host);
    return { bytes: new TextEncoder().encode(t.text()), host };
  }
  const m = new MemorySink();
  const w =
    opts.format === "usbpcap"
      ? new UsbpcapWriter(m.sink, { resolution: opts.resolution })
      : new UsbmonPcapWriter(m.sink, {
          linktype: opts.format === "usbmon48" ? LinkType.USB_LINUX : LinkType.USB_LINUX_MMAPPED,
          byteOrder: opts.byteOrder,
          resolution: opts.resolution,
        });
  const host = new UrbHost(w, opts);
  scenario(host);
  w.close();
  return { bytes: m.toBytes(), host };
}
