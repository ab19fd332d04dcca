// One line per record for `usbscope packets`, in the spirit of tshark's summary lines, or NDJSON.
// Lines are built per batch and written in one piece: no object per packet is kept.
import { PacketStatus, Pid } from "../../as/shared/constants.js";
import type { RecordBatch, RecordSink, Timestamp } from "../model.js";
import { isoTime } from "../time.js";
import { isTokenPid, pidName, STATUS_NAMES } from "./pid.js";

export class PacketLines implements RecordSink {
  private origin?: Timestamp;

  constructor(private readonly write: (text: string) => void, private readonly json: boolean) {}

  onBatch(b: RecordBatch): void {
    const lines: string[] = [];
    if (!this.origin && b.count > 0) this.origin = { sec: b.tsSec[0]!, nsec: b.tsNsec[0]! };
    const o = this.origin!;
    for (let i = 0; i < b.count; i++) {
      const index = b.firstIndex + i;
      const st = b.status[i]!;
      const pid = b.pid[i]!;
      const len = b.dataLength[i]!;
      const raw = st !== PacketStatus.NOT_RAW;
      const token = raw && isTokenPid(pid) && st !== PacketStatus.BAD_LENGTH && st !== PacketStatus.BAD_PID_CHECK;
      const sof = raw && pid === Pid.SOF && st !== PacketStatus.BAD_LENGTH && st !== PacketStatus.BAD_PID_CHECK;
      const split = raw && pid === Pid.SPLIT && st !== PacketStatus.BAD_LENGTH && st !== PacketStatus.BAD_PID_CHECK;
      if (this.json) {
        const rec: Record<string, unknown> = { index, time: isoTime({ sec: b.tsSec[i]!, nsec: b.tsNsec[i]! }) };
        rec.pid = raw && st !== PacketStatus.EMPTY ? pidName(pid, st) : null;
        rec.status = STATUS_NAMES[st];
        if (token || split) {
          rec.address = b.address[i];
          rec.endpoint = b.endpoint[i];
        }
        if (sof) rec.frame = b.frame[i];
        if (split) rec.split = b.frame[i];
        if (!raw) rec.linktype = b.linktype[i];
        rec.length = len;
        lines.push(JSON.stringify(rec));
      } else {
        const t = (b.tsSec[i]! - o.sec + (b.tsNsec[i]! - o.nsec) / 1e9).toFixed(9);
        const name = raw ? (st === PacketStatus.EMPTY ? "-" : pidName(pid, st)) : `URB/${b.linktype[i]}`;
        const where = token ? `${b.address[i]}.${b.endpoint[i]}` : sof ? `frame ${b.frame[i]}` : split ? `hub ${b.address[i]}.${b.endpoint[i]}` : "";
        const status = st === PacketStatus.OK || st === PacketStatus.NOT_RAW ? "" : STATUS_NAMES[st]!;
        lines.push(`${String(index).padStart(8)} ${t.padStart(16)} ${name.padEnd(8)} ${where.padEnd(12)} ${String(len).padStart(5)} ${status}`.trimEnd());
      }
    }
    if (lines.length) this.write(lines.join("\n") + "\n");
  }

  onEnd(): void {}
}
