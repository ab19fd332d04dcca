// Shared helpers of the BusSim tests.
import { Pid } from "../../as/shared/constants.js";
import { BusSim, linktypeForSpeed } from "../../builder/bus.js";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../../builder/descriptors.js";
import type { BusSpeed, DeviceModel } from "../../builder/device.js";
import { PcapWriter } from "../../builder/pcap.js";
import { MemorySink } from "../../builder/sink.js";
import { readPcap, tempFile, tsharkFields } from "./helpers.js";

/** Run `fill` on a fresh bus and return the pcap bytes. */
export function build(speed: BusSpeed, fill: (s: BusSim) => void, sof?: boolean): Uint8Array {
  const m = new MemorySink();
  const w = new PcapWriter(m.sink, { linktype: linktypeForSpeed(speed), resolution: "ns" });
  fill(new BusSim(w, { speed, sof }));
  w.close();
  return m.toBytes();
}
/** Same, written to a temp file for tshark. */
export function capture(speed: BusSpeed, fill: (s: BusSim) => void, sof?: boolean): string {
  return tempFile(build(speed, fill, sof));
}
/** PIDs of the non-SOF packets, read back without tshark. */
export function pids(bytes: Uint8Array): number[] {
  return readPcap(bytes)
    .map((r) => r.data[0]!)
    .filter((p) => p !== Pid.SOF);
}
/** Payload sizes of the data packets. */
export function dataSizes(bytes: Uint8Array): number[] {
  return readPcap(bytes)
    .filter((r) => (r.data[0]! & 0x03) === 0x03)
    .map((r) => r.data.length - 3);
}

const F = [
  "frame.number",
  "usbll.pid",
  "usbll.device_addr",
  "usbll.endp",
  "usbll.frame_num",
  "usbll.crc5.status",
  "usbll.crc16.status",
  "_ws.expert.message",
  "usb.setup.bRequest",
  "usb.bDescriptorType",
  "frame.time_relative",
];
export interface Row {
  n: number;
  pid: number;
  addr: string;
  endp: string;
  frame: string;
  crc5: string;
  crc16: string;
  expert: string;
  bRequest: string;
  descType: string;
  time: number;
}
export function rows(path: string): Row[] {
  return tsharkFields(path, F).map((r) => ({
    n: Number(r[0]),
    pid: Number(r[1]),
    addr: r[2]!,
    endp: r[3]!,
    frame: r[4]!,
    crc5: r[5]!,
    crc16: r[6]!,
    expert: r[7]!,
    bRequest: r[8]!,
    descType: r[9]!,
    time: Number(r[10]),
  }));
}
export const noSof = (rs: Row[]) => rs.filter((r) => r.pid !== Pid.SOF);

export function device(speed: BusSpeed, mps0: number): DeviceModel {
  return {
    speed,
    address: 5,
    deviceDescriptor: deviceDescriptor({ bMaxPacketSize0: mps0, iManufacturer: 1, iProduct: 2 }),
    configDescriptor: configuration({}, [
      interfaceDesc({}, [
        endpointDesc({ bEndpointAddress: 0x81, wMaxPacketSize: speed === "high" ? 512 : 64 }),
        endpointDesc({ bEndpointAddress: 0x02, wMaxPacketSize: speed === "high" ? 512 : 64 }),
      ]),
    ]),
    strings: { 1: "usbscope", 2: "Builder test device" },
  };
}
