// Mass storage sessions on the built composite gadget (builder/classDevices.ts, interface 3, bulk OUT 0x02 and
// IN 0x82, 64-byte packets), on the wire or as URBs: a host's Bulk-Only Transport steps, healthy or faulty.
import { rawCapture, urbCapture } from "../../builder/capture.js";
import { compositeGadget } from "../../builder/classDevices.js";
import { Cdb, capacityData, cbw, csw, inquiryData, senseData } from "../../builder/massStorage.js";

export const MSC_OUT = 2;
export const MSC_IN = 2;
const ADDR = 7;

/** One step of a session: the host sends, or the device answers. */
export type Step = { out: Uint8Array } | { in: Uint8Array };

export type Source = "raw" | "usbmon" | "usbpcap";

/** A capture of the gadget enumerated and then `steps` on its mass storage endpoints. */
export function mscCapture(source: Source, steps: Step[]): Uint8Array {
  if (source === "raw")
    return rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(compositeGadget({ address: ADDR }));
      for (const s of steps)
        if ("out" in s) sim.bulkOut(ADDR, MSC_OUT, s.out, 64);
        else sim.bulkIn(ADDR, MSC_IN, s.in, 64);
    }).bytes;
  return urbCapture({ format: source === "usbmon" ? "usbmon64" : "usbpcap" }, (host) => {
    host.enumerate(compositeGadget({ address: ADDR }));
    for (const s of steps)
      if ("out" in s) host.bulkOut(ADDR, MSC_OUT, s.out);
      else host.bulkIn(ADDR, MSC_IN, s.in);
  }).bytes;
}

const sector = (n: number) => new Uint8Array(512 * n).map((_, i) => i & 0xff);

/** A healthy session: INQUIRY, TEST UNIT READY, REQUEST SENSE (unit attention), READ CAPACITY(10), READ(10) of 8 blocks, WRITE(10) of 1 block, TEST UNIT READY. */
export function healthySession(): Step[] {
  return [
    { out: cbw(1, 36, true, Cdb.inquiry()) },
    { in: inquiryData() },
    { in: csw(1) },
    { out: cbw(2, 0, false, Cdb.testUnitReady()) },
    { in: csw(2, 0, 1) },
    { out: cbw(3, 18, true, Cdb.requestSense()) },
    { in: senseData(6, 0x28, 0x00) },
    { in: csw(3) },
    { out: cbw(4, 8, true, Cdb.readCapacity10()) },
    { in: capacityData(7999) },
    { in: csw(4) },
    { out: cbw(5, 4096, true, Cdb.read10(0, 8)) },
    { in: sector(8) },
    { in: csw(5) },
    { out: cbw(6, 512, false, Cdb.write10(100, 1)) },
    { out: sector(1) },
    { in: csw(6) },
    { out: cbw(7, 0, false, Cdb.testUnitReady()) },
    { in: csw(7) },
  ];
}
