import { describe, expect, it } from "vitest";
import { DeviceTracker } from "../../src/devices/tracker.js";
import { enumerationTimeline } from "../../src/devices/timeline.js";
import { guessSpeed } from "../../src/devices/speed.js";
import { descriptorsJson } from "../../src/report/deviceJson.js";
import {
  configSet,
  ct,
  enumeration,
  ep,
  getDescriptor,
  iface,
  MICROBIT_CONFIG,
  MICROBIT_DEVICE,
  setAddress,
  setConfiguration,
} from "./fixtures.js";

function track(transfers: ReturnType<typeof enumeration>) {
  const t = new DeviceTracker();
  for (const c of transfers) t.onControlTransfer(c);
  return t;
}

describe("DeviceTracker", () => {
  it("moves the device from address 0 to the SET_ADDRESS address and follows it to the configured state", () => {
    const t = track(enumeration({ address: 7 }));
    expect(t.devices).toHaveLength(1);
    const d = t.devices[0]!;
    expect(d.addresses).toEqual([0, 7]);
    expect(d.address).toBe(7);
    expect(d.state).toBe("configured");
    expect(d.configuration).toBe(1);
    expect(d.enumerationSeen).toBe(true);
    expect(t.deviceAt(7)).toBe(d);
    expect(t.deviceAt(0)).toBeUndefined();
  });

  it("does not move a device when SET_ADDRESS is STALLed", () => {
    const t = track([getDescriptor(1, 0, 64, MICROBIT_DEVICE), setAddress(3, { status: "stall" })]);
    expect(t.devices[0]!.address).toBe(0);
    expect(t.devices[0]!.state).toBe("default");
  });

  it("treats an address reused after a new enumeration at address 0 as a new device", () => {
    const t = track([...enumeration({ address: 4 }), ...enumeration({ address: 4 })]);
    expect(t.devices).toHaveLength(2);
    expect(t.deviceAt(4)).toBe(t.devices[1]);
    expect(t.devices[0]!.state).toBe("configured");
  });

  it("starts a new device when another device's descriptor appears at address 0", () => {
    const other = new Uint8Array(MICROBIT_DEVICE);
    other[8] = 0x09;
    other[9] = 0x12;
    const t = track([
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(3, { status: "stall" }),
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      getDescriptor(1, 0, 64, other),
      setAddress(3),
    ]);
    expect(t.devices).toHaveLength(2);
    expect(t.devices[0]!.deviceReads).toHaveLength(2);
    expect(t.devices[1]!.address).toBe(3);
    expect(t.devices[1]!.device!.descriptor.idVendor).toBe(0x1209);
  });

  it("follows a URB-captured device from address 0 to the address the host controller gave it out of sight", () => {
    const urb = { source: "urb" as const, bus: 1 };
    const t = track([
      getDescriptor(1, 0, 64, MICROBIT_DEVICE, urb),
      getDescriptor(1, 0, 18, MICROBIT_DEVICE, { ...urb, address: 10 }),
      setConfiguration(1, { ...urb, address: 10 }),
    ]);
    expect(t.devices).toHaveLength(1);
    expect(t.devices[0]).toMatchObject({ addresses: [0, 10], state: "configured", enumerationSeen: true });
  });

  it("merges the 9-byte configuration header read with the full read, keeping the longer", () => {
    const d = track(enumeration()).devices[0]!;
    const c = d.configurations.get(0)!;
    expect(c.descriptor.length).toBe(139);
    expect(c.descriptor.interfaces).toHaveLength(5);
    expect(d.reads.filter((r) => r.type === 2).map((r) => r.transfer.data.length)).toEqual([9, 139]);
  });

  it("keeps a truncated configuration read as truncated", () => {
    const a = { address: 5 };
    const d = track([
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(2, 0, 9, MICROBIT_CONFIG, a),
      ct(
        { bmRequestType: 0x80, bRequest: 6, wValue: 0x200, wIndex: 0, wLength: 139 },
        MICROBIT_CONFIG.subarray(0, 64),
        { ...a, status: "incomplete" },
      ),
    ]).devices[0]!;
    expect(d.configurations.get(0)!.descriptor.truncated).toBe(true);
    expect(d.configurations.get(0)!.descriptor.length).toBe(64);
  });

  it("answers endpoint types from the active configuration, and control for endpoint 0", () => {
    const t = track(enumeration({ address: 5 }));
    expect(t.endpointType(5, 0x82)).toBe("bulk");
    expect(t.endpointType(5, 0x83)).toBe("interrupt");
    expect(t.endpointType(5, 0x81)).toBe("interrupt");
    expect(t.endpointType(5, 0x00)).toBe("control");
    expect(t.endpointType(5, 0x86)).toBeUndefined();
    expect(t.endpointType(9, 0x82)).toBeUndefined();
  });

  it("answers endpoint sizes and an alternate setting's endpoints from the configuration in use", () => {
    const t = track(enumeration({ address: 5 }));
    expect(t.maxPacketSize(5, 0x82)).toBe(64);
    expect(t.maxPacketSize(5, 0x00)).toBe(64); // bMaxPacketSize0
    expect(t.interfaceEndpoints(5, 0, 0)).toEqual([0x82, 0x02]); // the micro:bit's mass-storage interface
    expect(t.interfaceEndpoints(5, 0, 1)).toBeUndefined();
    expect(t.interfaceEndpoints(9, 0, 0)).toBeUndefined();
  });

  it("keys URB captures by bus and address", () => {
    const cfg = configSet({ bNumInterfaces: 1 }, iface(0, 0, 1), ep(0x81, 2, 512, 0));
    const t = new DeviceTracker();
    t.onControlTransfer(getDescriptor(2, 0, 255, cfg, { address: 3, bus: 1, source: "urb" }));
    t.onControlTransfer(
      getDescriptor(2, 0, 255, configSet({ bNumInterfaces: 1 }, iface(0, 0, 1), ep(0x81, 3, 8, 10)), {
        address: 3,
        bus: 2,
        source: "urb",
      }),
    );
    expect(t.endpointType(3, 0x81, 1)).toBe("bulk");
    expect(t.endpointType(3, 0x81, 2)).toBe("interrupt");
    expect(t.devices[0]!.enumerationSeen).toBe(false);
    expect(t.devices[0]!.state).toBe("addressed");
  });

  it("follows SET_INTERFACE and updates endpoint types when the configuration changes", () => {
    const t = new DeviceTracker();
    const two = (cfgValue: number, attr: number) => {
      const b = configSet({ bNumInterfaces: 1 }, iface(0, 0, 1), ep(0x01, attr, 64, 0));
      b[5] = cfgValue;
      return b;
    };
    t.onControlTransfer(getDescriptor(2, 0, 255, two(1, 2), { address: 2 }));
    t.onControlTransfer(getDescriptor(2, 1, 255, two(2, 3), { address: 2 }));
    t.onControlTransfer(setConfiguration(2, { address: 2 }));
    expect(t.endpointType(2, 0x01)).toBe("interrupt");
    t.onControlTransfer(
      ct({ bmRequestType: 1, bRequest: 11, wValue: 1, wIndex: 0, wLength: 0 }, [], { address: 2 }),
    );
    expect(t.devices[0]!.altSettings.get(0)).toBe(1);
  });

  it("builds an enumeration timeline with record indices and time between steps", () => {
    const d = track(enumeration()).devices[0]!;
    const tl = enumerationTimeline(d);
    expect(tl[0]!.step).toBe("GET_DESCRIPTOR DEVICE (wLength 64)");
    expect(tl[0]!.address).toBe(0);
    expect(tl[1]!.step).toBe("SET_ADDRESS 5");
    expect(tl[1]!.sincePreviousMs).toBeCloseTo(1, 3);
    expect(tl[tl.length - 1]!.step).toBe("SET_CONFIGURATION 1");
    expect(tl.every((s, i) => i === 0 || s.packet > tl[i - 1]!.packet)).toBe(true);
  });

  it("guesses the speed from descriptors when the link type does not say", () => {
    const hs = track([
      getDescriptor(2, 0, 255, configSet({ bNumInterfaces: 1 }, iface(0, 0, 1), ep(0x81, 2, 512, 0)), {
        address: 1,
      }),
    ]).devices[0]!;
    expect(guessSpeed(hs, "unknown").speed).toBe("high");
    const fs = track(enumeration()).devices[0]!;
    expect(guessSpeed(fs, "unknown").speed).toBe("full");
    expect(guessSpeed(fs, "low").speed).toBe("low");
    const noBulk = (extra: ReturnType<typeof getDescriptor>) =>
      track([
        getDescriptor(1, 0, 18, MICROBIT_DEVICE, { address: 1 }),
        getDescriptor(2, 0, 255, configSet({ bNumInterfaces: 1 }, iface(0, 0, 0)), { address: 1 }),
        extra,
      ]).devices[0]!;
    expect(
      guessSpeed(noBulk(getDescriptor(6, 0, 10, [], { address: 1, status: "stall" })), "unknown"),
    ).toMatchObject({ speed: "full" });
    expect(
      guessSpeed(noBulk(getDescriptor(6, 0, 10, [10, 6, 0, 2, 0, 0, 0, 64, 1, 0], { address: 1 })), "unknown")
        .speed,
    ).toBe("unknown");
  });

  it("produces the JSON form with device fields, nested configurations and strings", () => {
    const j = descriptorsJson(track(enumeration()).devices[0]!) as any;
    expect(j.device).toMatchObject({ bLength: 18, idVendor: 0x0d28, idProduct: 0x0204 });
    expect(j.device.raw).toBeUndefined();
    expect(j.configurations[0].interfaces[1].extra.map((x: any) => x.kind)).toEqual([
      "cdc-header",
      "cdc-call-management",
      "cdc-acm",
      "cdc-union",
    ]);
    expect(j.configurations[0].interfaces[0].endpoints[0]).toEqual({
      bLength: 7,
      bDescriptorType: 5,
      bEndpointAddress: 0x82,
      bmAttributes: 2,
      wMaxPacketSize: 64,
      bInterval: 0,
    });
    expect(j.strings).toEqual({ "0": [0x0409], "2": "DAPLink CMSIS-DAP" });
    expect(j.bos.capabilities).toHaveLength(2);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});
