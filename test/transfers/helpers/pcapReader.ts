// A whole pcap/pcapng file as RawRecords (each record's bytes copied out), from the shared test-only
// slurper (test/helpers/pcapSlurp.ts): packet blocks and Custom Blocks alike, in file order.
import { slurpCapture } from "../../helpers/pcapSlurp.js";
import type { RawRecord } from "./packets.js";

export function readCapture(path: string): RawRecord[] {
  const cap = slurpCapture(path);
  return cap.records.map((r) => ({
    bytes: cap.bytes.slice(r.dataOffset, r.dataOffset + r.dataLength),
    sec: r.tsSec,
    nsec: r.tsNsec,
    linktype: r.linktype,
    origLength: r.origLength,
  }));
}
