import { describe, expect, it } from "vitest";
import type { ControlTransfer } from "../../src/usb/model.js";
import { DescriptorLayer } from "../../src/devices/descriptorLayer.js";
import { descriptorRules } from "../../src/rules/descriptor/index.js";
import {
  configSet,
  enumeration,
  ep,
  getDescriptor,
  iface,
  MICROBIT_CONFIG,
  MICROBIT_DEVICE,
  setAddress,
  setConfiguration,
} from "./fixtures.js";

/** Each device's diagnosis, as the descriptor layer makes it: with the hits of the descriptor rules. */
function diag(transfers: ControlTransfer[]) {
  const layer = new DescriptorLayer("full", descriptorRules);
  for (const c of transfers) layer.onControlTransfer(c);
  return layer.finish().diagnoses;
}

const A = { address: 5 };

describe("enumeration diagnosis", () => {
  it("has no complaint about a clean enumeration", () => {
    const [d] = diag(enumeration());
    expect(d).toMatchObject({
      device: 5,
      reached: "configured",
      stage: "configured",
      ok: true,
      evidence: [],
    });
    expect(d!.verdict).toContain("enumerated");
  });

  it("recognises firmware that sends only the first packet of a long descriptor", () => {
    const transfers = [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(1, 0, 18, MICROBIT_DEVICE, A),
      getDescriptor(2, 0, 9, MICROBIT_CONFIG, A),
      getDescriptor(2, 0, 139, MICROBIT_CONFIG.subarray(0, 64), {
        ...A,
        status: "incomplete",
        detail: "NAKed until the host gave up",
      }),
    ];
    const [d] = diag(transfers);
    expect(d!.ok).toBe(false);
    expect(d!.reached).toBe("addressed");
    expect(d!.stage).toBe("GET_DESCRIPTOR(CONFIGURATION)");
    expect(d!.verdict).toContain("only one packet per control read");
    expect(d!.verdict).toContain("64 of the 139 bytes");
    expect(d!.evidence[0]!.packet).toBe(transfers[4]!.firstPacket);
    expect(d!.evidence[0]!.text).toContain("09 02 8b 00");
  });

  it("recognises a descriptor read from memory the USB peripheral cannot read (all zeros)", () => {
    const zeros = new Uint8Array(18);
    const transfers = [getDescriptor(1, 0, 64, zeros), getDescriptor(1, 0, 64, zeros)];
    const [d] = diag(transfers);
    expect(d!.ok).toBe(false);
    expect(d!.reached).toBe("default");
    expect(d!.verdict).toContain("18 bytes of 0x00");
    expect(d!.verdict).toContain("cannot read");
    expect(d!.evidence.map((e) => e.packet)).toEqual(transfers.map((t) => t.firstPacket));
  });

  it("recognises an interface appended at run time without updating bNumInterfaces", () => {
    const cfg = new Uint8Array(MICROBIT_CONFIG);
    cfg[4] = 4; // the firmware's table says 4; the vendor interface 4 was appended at run time
    const [d] = diag(enumeration({ config: cfg }));
    expect(d!.ok).toBe(false);
    expect(d!.reached).toBe("configured");
    expect(d!.verdict).toContain("configured with errors");
    expect(d!.verdict).toContain("bNumInterfaces is 4 but interfaces 0, 1, 2, 3, 4 follow");
    expect(d!.verdict).toContain("appended at run time (4)");
  });

  it("recognises an interface number collision between two functions", () => {
    const cfg = configSet(
      { bNumInterfaces: 2 },
      iface(0, 0, 1),
      ep(0x81, 3, 8, 10),
      iface(1, 0, 0),
      iface(1, 0, 1),
      ep(0x82, 2, 64, 0),
    );
    const [d] = diag(enumeration({ config: cfg, device: MICROBIT_DEVICE }));
    expect(d!.verdict + d!.evidence.map((e) => e.text).join()).toContain(
      "interface 1 alt 0 is described twice",
    );
  });

  it("recognises a missing zero-length packet after a reply that is a multiple of bMaxPacketSize0", () => {
    const exact = configSet(
      { bNumInterfaces: 1 },
      iface(0, 0, 6),
      ep(0x81, 2, 64, 0),
      ep(0x02, 2, 64, 0),
      ep(0x83, 2, 64, 0),
      ep(0x04, 2, 64, 0),
      ep(0x85, 2, 64, 0),
      ep(0x06, 2, 64, 0),
      [4, 0x44, 0, 0],
    );
    expect(exact.length).toBe(64);
    const transfers = [
      getDescriptor(1, 0, 64, MICROBIT_DEVICE),
      setAddress(5),
      getDescriptor(2, 0, 9, exact, A),
      getDescriptor(2, 0, 255, exact, { ...A, status: "error", detail: "timeout" }),
    ];
    const [d] = diag(transfers);
    expect(d!.verdict).toContain("zero-length packet");
    expect(d!.evidence[0]!.packet).toBe(transfers[3]!.firstPacket);
  });

  it("recognises a STALLed SET_CONFIGURATION and an answered GET_DESCRIPTOR(ENDPOINT)", () => {
    const [d] = diag(
      enumeration({
        unconfigured: true,
        extra: (a) => [
          getDescriptor(5, 0, 7, ep(0x81, 2, 64, 0), { address: a }),
          setConfiguration(1, { address: a, status: "stall" }),
        ],
      }),
    );
    expect(d!.reached).toBe("addressed");
    expect(d!.verdict).toContain("STALLed SET_CONFIGURATION 1");
    expect(d!.evidence.some((e) => e.text.includes("GET_DESCRIPTOR(ENDPOINT)"))).toBe(true);
  });

  it("says when the device never answers the device descriptor read", () => {
    const t = [
      getDescriptor(1, 0, 64, [], { status: "error", detail: "timeout" }),
      getDescriptor(1, 0, 64, [], { status: "error", detail: "timeout" }),
    ];
    const [d] = diag(t);
    expect(d!.ok).toBe(false);
    expect(d!.reached).toBe("default");
    expect(d!.verdict).toContain("never answered GET_DESCRIPTOR(DEVICE) (timeout)");
    expect(d!.evidence).toHaveLength(2);
  });

  it("does not blame the 64-byte probe that the host cut short with a reset", () => {
    const probe = getDescriptor(1, 0, 64, MICROBIT_DEVICE.subarray(0, 8), {
      status: "incomplete",
      detail: "bus reset",
    });
    const [d] = diag([probe, ...enumeration().slice(1)]);
    expect(d!.ok).toBe(true);
  });
});
