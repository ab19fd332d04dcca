// One line per record for `usbscope packets`, in the spirit of tshark's summary lines, or NDJSON.
// Lines are built per batch and written in one piece: no object per packet is kept.
import { LinkType, PacketStatus, Pid } from "../../as/shared/constants.js";
import { BUS_EVENT_NAMES, decodeBusEvent } from "../packets/busEvents.js";
import type { RecordBatch, RecordSink, Timestamp } from "../usb/model.js";
import { isoTime } from "../usb/time.js";
import { isTokenPid, pidName, STATUS_NAMES } from "../usb/pid.js";

export class PacketLines implements RecordSink {
  private origin?: Timestamp;

  constructor(
    private readonly write: (text: string) => void,
    private readonly json: boolean,
  ) {}

  onBatch(b: RecordBatch): void {
    const lines: string[] = [];
    for (let i = 0; i < b.count; i++) {
      const index = b.firstIndex + i;
      const st = b.status[i]!;
      const pid = b.pid[i]!;
      const len = b.dataLength[i]!;
      const raw = st !== PacketStatus.NOT_RAW;
      const custom = b.linktype[i] === LinkType.PCAPNG_CUSTOM_BLOCK;
      // A sniffer's bus event (pcapng custom block): named, at its own time.
      const bus = custom ? decodeBusEvent(b.bytes, b.dataOffset[i]!, len) : null;
      const sec = bus ? bus.sec : b.tsSec[i]!;
      const nsec = bus ? bus.nsec : b.tsNsec[i]!;
      // Times are relative to the first record that has one of its own (not another custom block).
      if (!this.origin && (bus || !custom)) this.origin = { sec, nsec };
      const o = this.origin ?? { sec, nsec };
      // The PID's fields are there to show unless the length or the PID check is wrong.
      const fields = raw && st !== PacketStatus.BAD_LENGTH && st !== PacketStatus.BAD_PID_CHECK;
      const token = fields && isTokenPid(pid);
      const sof = fields && pid === Pid.SOF;
      const split = fields && pid === Pid.SPLIT;
      if (this.json) {
        const rec: Record<string, unknown> = { index, time: isoTime({ sec, nsec }) };
        rec.pid = raw && st !== PacketStatus.EMPTY ? pidName(pid, st) : null;
        rec.status = STATUS_NAMES[st];
        if (token || split) {
          rec.address = b.address[i];
          rec.endpoint = b.endpoint[i];
        }
        if (sof) rec.frame = b.frame[i];
        if (split) rec.split = b.frame[i];
        if (!raw) rec.linktype = b.linktype[i];
        if (bus) rec.event = BUS_EVENT_NAMES[bus.event];
        rec.length = len;
        lines.push(JSON.stringify(rec));
      } else {
        const t = (sec - o.sec + (nsec - o.nsec) / 1e9).toFixed(9);
        const name = raw
          ? st === PacketStatus.EMPTY
            ? "-"
            : pidName(pid, st)
          : bus
            ? "EVENT"
            : custom
              ? "CUSTOM"
              : `URB/${b.linktype[i]}`;
        const where = token
          ? `${b.address[i]}.${b.endpoint[i]}`
          : sof
            ? `frame ${b.frame[i]}`
            : split
              ? `hub ${b.address[i]}.${b.endpoint[i]}`
              : bus
                ? BUS_EVENT_NAMES[bus.event]
                : "";
        const status = st === PacketStatus.OK || st === PacketStatus.NOT_RAW ? "" : STATUS_NAMES[st]!;
        lines.push(
          `${String(index).padStart(8)} ${t.padStart(16)} ${name.padEnd(8)} ${where.padEnd(12)} ${String(len).padStart(5)} ${status}`.trimEnd(),
        );
      }
    }
    if (lines.length) this.write(lines.join("\n") + "\n");
  }

  onEnd(): void {}
}
