// CRC errors: whose side of the cable? A data packet with a bad CRC16 that its receiver ACKed crossed the bus
// intact (the receiver checks the CRC, §8.3.5.2): only the sniffer's copy is bad, a capture note. One with no
// handshake was discarded: really lost, CRC16, an error naming the endpoint.
import { describe, expect, it } from "vitest";
import path from "node:path";
import { Pid } from "../../as/shared/constants.js";
import { rawCapture } from "../../builder/capture.js";
import { analyzeFile } from "../../src/analyze.js";
import { publicDir } from "../helpers/paths.js";
import { widgetDevice } from "../helpers/widgetDevice.js";
import { analyse, ofRule } from "./helpers.js";

function bulkWithBadCrc(hs: Pid | null): Uint8Array {
  return rawCapture({ speed: "full" }, (sim) => {
    sim.enumerate(widgetDevice);
    sim.in(5, 1, Pid.DATA0, Uint8Array.of(1, 2, 3));
    sim.fault({ pid: Pid.DATA1, kind: "crc" }).in(5, 1, Pid.DATA1, Uint8Array.of(4, 5, 6), hs);
    sim.in(5, 1, Pid.DATA1, Uint8Array.of(4, 5, 6));
  }).bytes;
}

describe("a bad CRC16", () => {
  it("ACKed by the receiver: corrupted on the sniffer's tap, a capture note (info) naming the endpoint", async () => {
    const r = await analyse(bulkWithBadCrc(Pid.ACK));
    const tap = ofRule(r, "CRC16_SNIFFER_TAP");
    expect(tap.map((f) => [f.severity, f.device, f.endpoint, f.occurrences])).toEqual([["info", 5, 0x81, 1]]);
    expect(tap[0]!.message).toContain("device 5 endpoint 0x81");
    expect(ofRule(r, "CRC16")).toEqual([]);
  });
  it("with no handshake: the receiver discarded it, CRC16 error naming the endpoint", async () => {
    const r = await analyse(bulkWithBadCrc(null));
    const lost = ofRule(r, "CRC16");
    expect(lost.map((f) => [f.severity, f.device, f.endpoint])).toEqual([["error", 5, 0x81]]);
    expect(lost[0]!.message).toMatch(/device 5 endpoint 0x81 .*lost on the wire/);
    expect(ofRule(r, "CRC16_SNIFFER_TAP")).toEqual([]);
  });
  it("the public bad-cable capture: every bad CRC16 was ACKed by the host, so all are the tap's", async () => {
    const r = await analyzeFile(path.join(publicDir, "real", "288-analyzer-testdev-bad-cable.pcap"));
    expect(ofRule(r, "CRC16")).toEqual([]);
    const tap = ofRule(r, "CRC16_SNIFFER_TAP");
    expect(tap.map((f) => [f.packet, f.occurrences, f.endpoint])).toEqual([[14561, 8, 0x81]]);
  });
});
