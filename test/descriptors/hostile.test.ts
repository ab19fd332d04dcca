// Hostile and random input through the whole descriptor layer: parsers, tracker, rules, diagnosis and
// renderer never throw, whatever the device sends.
import { describe, expect, it } from "vitest";
import type { ControlStatus } from "../../src/usb/model.js";
import { DescriptorLayer } from "../../src/devices/descriptorLayer.js";
import { renderDevice } from "../../src/report/descriptorTree.js";
import { descriptorsJson } from "../../src/report/deviceJson.js";
import { ct, MICROBIT_CONFIG, MICROBIT_DEVICE } from "./fixtures.js";
import { descriptorRules } from "../../src/rules/descriptor/index.js";

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) >>> 24) & 0xff;
}

const STATUSES: ControlStatus[] = ["ok", "ok", "ok", "stall", "incomplete", "error"];

describe("hostile input", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`survives random and mutated descriptor traffic (seed ${seed})`, () => {
      const r = lcg(seed);
      const layer = new DescriptorLayer(
        (["unknown", "low", "full", "high"] as const)[seed & 3],
        descriptorRules,
      );
      for (let n = 0; n < 300; n++) {
        const pick = r() % 6;
        const address = r() % 4;
        if (pick === 0)
          layer.onControlTransfer(
            ct({ bmRequestType: 0, bRequest: 5, wValue: r() % 4, wIndex: 0, wLength: 0 }, [], {
              address,
              status: STATUSES[r() % 6],
            }),
          );
        else if (pick === 1)
          layer.onControlTransfer(
            ct({ bmRequestType: 0, bRequest: 9, wValue: r() % 3, wIndex: 0, wLength: 0 }, [], { address }),
          );
        else {
          // Real descriptors with a few bytes flipped, or pure noise, under a random descriptor type.
          const base = r() & 1 ? MICROBIT_CONFIG : MICROBIT_DEVICE;
          const len = r() % (base.length + 8);
          const data = new Uint8Array(len).map((_, i) => (i < base.length && r() % 8 ? base[i]! : r()));
          const type = [1, 2, 3, 4, 5, 6, 7, 0x0f, 0x22, r()][r() % 10]!;
          const bmRequestType = r() % 5 === 0 ? 0x81 : 0x80;
          layer.onControlTransfer(
            ct(
              {
                bmRequestType,
                bRequest: 6,
                wValue: (type << 8) | (r() % 4),
                wIndex: r() % 3,
                wLength: r() * 2,
              },
              data,
              { address, status: STATUSES[r() % 6] },
            ),
          );
        }
        layer.endpointType(address, r());
      }
      const res = layer.finish();
      for (let i = 0; i < res.tracked.length; i++) {
        expect(() => renderDevice(res.tracked[i]!, res.hitsByDevice[i])).not.toThrow();
        expect(() => JSON.stringify(descriptorsJson(res.tracked[i]!))).not.toThrow();
      }
      for (const h of res.hits) expect(h.finding.message.length).toBeGreaterThan(0);
    });
  }

  it("keeps the JSON form's field order stable (spec order)", () => {
    const layer = new DescriptorLayer("full", descriptorRules);
    layer.onControlTransfer(
      ct({ bmRequestType: 0x80, bRequest: 6, wValue: 0x100, wIndex: 0, wLength: 18 }, MICROBIT_DEVICE, {
        address: 1,
      }),
    );
    const j = descriptorsJson(layer.finish().tracked[0]!) as { device: Record<string, unknown> };
    expect(Object.keys(j.device)).toEqual([
      "bLength",
      "bDescriptorType",
      "bcdUSB",
      "bDeviceClass",
      "bDeviceSubClass",
      "bDeviceProtocol",
      "bMaxPacketSize0",
      "idVendor",
      "idProduct",
      "bcdDevice",
      "iManufacturer",
      "iProduct",
      "iSerialNumber",
      "bNumConfigurations",
    ]);
  });
});
