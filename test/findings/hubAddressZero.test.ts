// Several devices on one bus (issue 11): behind a hub, devices enumerate one after another at address 0. An
// answer at address 0 after SET_ADDRESS is the moved device's fault (SETADDR_TIMING, §9.2.6.3) only when it is the
// same device: not after the hub reset a port (SET_FEATURE(PORT_RESET), §11.24.2.13), and not when the device
// descriptor read there is another device's.
import { describe, expect, it } from "vitest";
import { rawCapture } from "../../builder/capture.js";
import type { BusSim } from "../../builder/bus.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../../builder/descriptors.js";
import { setupPacket, type DeviceModel } from "../../builder/device.js";
import { bundledCaptures, publicCaptures } from "../helpers/paths.js";
import { analyzeFile } from "../../src/analyze.js";
import { analyse, ofRule } from "./helpers.js";

const HUB = 1;
const config = configuration({}, [
  interfaceDesc({}, [endpointDesc(), endpointDesc({ bEndpointAddress: 2 })]),
]);
const deviceA: DeviceModel = {
  speed: "full",
  address: 14,
  deviceDescriptor: deviceDescriptor({ idVendor: 0x1209, idProduct: 0x0001 }),
  configDescriptor: config,
};
/** Another product on the hub's next port. */
const deviceB: DeviceModel = {
  ...deviceA,
  address: 15,
  deviceDescriptor: deviceDescriptor({ idVendor: 0x1209, idProduct: 0x0002 }),
};
/** A second unit of device A's model. */
const twinOfA: DeviceModel = { ...deviceA, address: 15 };

const portReset = (sim: BusSim, port: number) => sim.controlNoData(HUB, setupPacket(0x23, 3, 4, port, 0)); // SET_FEATURE(PORT_RESET), §11.24.2.13

/**
 * Device A gets address 14; before A answers there, `second` enumerates at address 0 (after a hub port reset
 * when `reset`); then A's enumeration goes on at 14.
 */
function twoDevices(second: DeviceModel, reset: boolean): Uint8Array {
  return rawCapture({ speed: "full" }, (sim) => {
    portReset(sim, 1);
    sim.enumerate(deviceA, { stopAfter: "setAddress" });
    if (reset) portReset(sim, 2);
    sim.enumerate(second);
    sim.controlRead(14, setupPacket(0x80, 6, 0x0100, 0, 18), deviceA.deviceDescriptor, 64);
  }).bytes;
}

describe("SETADDR_TIMING follows hub port resets and device identity", () => {
  it("silent when the hub reset another port and the next device answers at address 0", async () => {
    const r = await analyse(twoDevices(deviceB, true));
    expect(ofRule(r, "SETADDR_TIMING")).toEqual([]);
  });

  it("silent without the port reset in the capture when the device at address 0 is another product", async () => {
    const r = await analyse(twoDevices(deviceB, false));
    expect(ofRule(r, "SETADDR_TIMING")).toEqual([]);
  });

  it("silent after a port reset even for a second unit of the same model", async () => {
    const r = await analyse(twoDevices(twinOfA, true));
    expect(ofRule(r, "SETADDR_TIMING")).toEqual([]);
  });

  it("fires when the same device still answers at address 0: same descriptor, no port reset", async () => {
    const r = await analyse(twoDevices(twinOfA, false));
    const f = ofRule(r, "SETADDR_TIMING");
    expect(f.map((x) => x.message)).toEqual([
      "device still answers at address 0 after SET_ADDRESS 14 completed",
    ]);
    expect(f[0]!.severity).toBe("error");
  });

  it("fires when the moved device answers a second descriptor read at address 0 with its own descriptor", async () => {
    const bytes = rawCapture({ speed: "full" }, (sim) => {
      sim.enumerate(deviceA, { stopAfter: "setAddress" });
      sim.controlRead(0, setupPacket(0x80, 6, 0x0100, 0, 64), deviceA.deviceDescriptor, 64);
    }).bytes;
    const r = await analyse(bytes);
    expect(ofRule(r, "SETADDR_TIMING")).toHaveLength(1);
  });

  it("silent on every public and bundled capture", async () => {
    const files = [...bundledCaptures(), ...publicCaptures()];
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) expect(ofRule(await analyzeFile(file), "SETADDR_TIMING"), file).toEqual([]);
  }, 120_000);
});
