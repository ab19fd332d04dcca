// Captures written by the project's URB builder (src/builder, another engineer's writers, checked
// there against tshark) read back by the URB layer: every format gives the same transfers.
import { describe, expect, it } from "vitest";
import { urbCapture, type UrbFormat } from "../../builder/capture.js";
import { deviceDescriptor } from "../../builder/descriptors.js";
import { setupPacket } from "../../builder/device.js";
import type { UrbHost } from "../../builder/urb.js";
import { UrbLayer } from "../../src/urb/urbLayer.js";
import { UsbmonTextParser } from "../../src/urb/usbmonText.js";
import { slurpCaptureBytes } from "../helpers/pcapSlurp.js";
import { slurpedBatches } from "../helpers/recordBatch.js";
import { recordingContext } from "./helpers/context.js";
import { widgetDevice } from "../helpers/widgetDevice.js";

const dev = widgetDevice;

function traffic(h: UrbHost): void {
  h.enumerate(dev);
  h.control(5, setupPacket(0x80, 6, 0x0600, 0, 10)); // no response: the device STALLs (-32)
  h.control(5, setupPacket(0x80, 6, 0x0100, 0, 8), {
    response: deviceDescriptor({ bMaxPacketSize0: 64 }),
    faults: { ignoreWLength: true },
  }); // -75
  h.bulkIn(5, 1, Uint8Array.of(1, 2, 3));
  h.bulkOut(5, 2, new Uint8Array(31));
  h.bulkIn(5, 1, new Uint8Array(0), { status: -2 });
  h.interruptIn(5, 3, Uint8Array.of(1, 2, 3, 4));
  h.iso(5, 0x84, [new Uint8Array(3), new Uint8Array(5)]);
}

function analyse(format: UrbFormat, byteOrder: "le" | "be" = "le") {
  const { bytes } = urbCapture({ format, byteOrder }, traffic);
  const rc = recordingContext();
  const layer = new UrbLayer(rc.ctx, { littleEndian: byteOrder === "le" });
  if (format === "text") {
    const p = new UsbmonTextParser((ev) => layer.onUrbEvent(ev), { findings: rc.ctx.findings });
    p.push(bytes);
    p.end();
  } else {
    for (const b of slurpedBatches(slurpCaptureBytes(bytes), 5)) layer.onBatch(b);
  }
  layer.onEnd();
  return { ...rc, layer };
}

const CASES: [string, UrbFormat, "le" | "be"][] = [
  ["usbmon 189", "usbmon48", "le"],
  ["usbmon 220", "usbmon64", "le"],
  ["usbmon 220 big-endian", "usbmon64", "be"],
  ["USBPcap 249", "usbpcap", "le"],
  ["usbmon text", "text", "le"],
];

describe("builder captures read back", () => {
  const reference = analyse("usbmon64");

  it("the reference (220) gives the enumeration, a stall and a babble", () => {
    const names = reference.transfers.map((t) => `${t.request}:${t.status}`);
    expect(names).toContain("SET_ADDRESS 5:ok");
    expect(names).toContain("GET_DESCRIPTOR DEVICE:ok");
    expect(names).toContain("SET_CONFIGURATION 1:ok");
    expect(names).toContain("GET_DESCRIPTOR DEVICE_QUALIFIER:stall");
    expect(names[names.length - 1]).toBe("GET_DESCRIPTOR DEVICE:error");
    expect(reference.rules().sort()).toEqual(
      ["CTRL_RESP_OVER_WLENGTH/error", "URB_ERROR/info", "CTRL_STALL/info"].sort(),
    );
    expect(reference.layer.unpairedSubmissions + reference.layer.unpairedCompletions).toBe(0);
    expect(reference.layer.endpointType(5, 0x84)).toBe("isochronous");
    expect(reference.layer.endpointType(5, 0x83)).toBe("interrupt");
  });

  for (const [name, format, order] of CASES) {
    it(`${name}: same control transfers, data and findings as the reference`, () => {
      const r = analyse(format, order);
      const view = (x: typeof reference) =>
        x.transfers.map((t) => ({
          request: t.request,
          status: t.status,
          address: t.address,
          data: [...t.data],
          setup: t.setup,
          first: t.firstPacket,
          last: t.lastPacket,
        }));
      // usbmon text shows at most 32 data bytes: compare the first 32.
      const cut = (v: ReturnType<typeof view>) =>
        v.map((t) => ({ ...t, data: format === "text" ? t.data.slice(0, 32) : t.data }));
      if (format === "usbpcap") {
        // USBPcap shows no E events and maps errno to USBD_STATUS; the -2 kill becomes USBD_STATUS_CANCELED.
        expect(cut(view(r)).map(({ first: _f, last: _l, ...t }) => t)).toEqual(
          cut(view(reference)).map(({ first: _f, last: _l, ...t }) => t),
        );
        // The builder writes -75 as USBD_STATUS_BUFFER_OVERRUN (0xc000000c). That is the host-side
        // overrun (OHCI TD_BUFFEROVER, which Linux reports as -70 ECOMM), not babble (OHCI
        // TD_DATAOVER = USBD_STATUS_DATA_OVERRUN, -75), so CTRL_RESP_OVER_WLENGTH stays silent here and the
        // failed URB is a URB_ERROR warning instead.
        expect(r.rules().sort()).toEqual(
          [
            ...reference.rules().filter((x) => !x.startsWith("CTRL_RESP_OVER_WLENGTH")),
            "URB_ERROR/warning",
          ].sort(),
        );
        expect(
          r.findings.some((f) => f.rule === "URB_ERROR" && f.message.includes("USBD_STATUS_BUFFER_OVERRUN")),
        ).toBe(true);
      } else {
        expect(cut(view(r))).toEqual(cut(view(reference)));
        const rules = r.rules().filter((x) => !x.startsWith("FMT_TEXT_DATA_TRUNC"));
        expect(rules.sort()).toEqual(reference.rules().sort());
      }
      expect(r.layer.counters.isochronous.urbs).toBe(1);
      expect(r.layer.counters.bulk.urbs).toBe(3);
      expect(r.layer.counters.interrupt.urbs).toBe(1);
    });
  }
});
