// Mass storage Bulk-Only Transport (USB MSC BOT 1.0): each command as one object, its CBW on the bulk OUT
// endpoint (§5.1), its data phase, its CSW on the bulk IN endpoint (§5.2), with the SCSI command decoded
// (scsi.ts), and the transport's rules (rules.ts, BOT §5 and §6): a CBW or CSW that is malformed, a CSW
// that does not match its CBW, a phase error, a residue that does not add up, data beyond
// dCBWDataTransferLength, a command that never got its CSW.
import type { ClassDecode, ClassFieldValue } from "../usb/classDecode.js";
import { finding, type FindingPlace, type FindingSink } from "../usb/finding.js";
import { deviceAddr, endpointAddr } from "../usb/ids.js";
import type { Timestamp } from "../usb/model.js";
import type { TransferSummary } from "../transfers/transferSummary.js";
import { uint } from "./decoded.js";
import { decodeCdb, decodeDataIn, type ScsiCommand } from "./scsi.js";
import * as R from "./rules.js";

/** BOT 1.0 §5.1, §5.2: the signatures and sizes. */
const CBW_SIGNATURE = 0x43425355;
const CSW_SIGNATURE = 0x53425355;
const CBW_LENGTH = 31;
const CSW_LENGTH = 13;
/** Data-in bytes kept per command for decoding the reply (INQUIRY, REQUEST SENSE, READ CAPACITY...). */
const KEEP_DATA = 64;

/** BOT 1.0 §5.2 Table 5.3: bCSWStatus. */
const CSW_STATUS = ["passed", "failed", "phase error"];

/** One mass storage command: CBW, data phase and CSW (the JSON contract's `massStorageCommands`). */
export interface MscCommand {
  bus?: number;
  device: number;
  interface: number;
  lun: number;
  /** dCBWTag. */
  tag: number;
  /** The SCSI command's name and its CDB fields. */
  command: string;
  fields: Record<string, ClassFieldValue>;
  direction: "in" | "out" | "none";
  /** dCBWDataTransferLength. */
  dataTransferLength: number;
  /** Bytes the data phase moved. */
  dataLength: number;
  /** What the data says, for the commands whose reply is decoded. */
  data?: string;
  /** From the CSW, when it came. */
  residue?: number;
  status?: string;
  /** "complete" (CSW seen), "no CSW" (another CBW or a reset came first), "open" (the capture ended). */
  outcome: "complete" | "no CSW" | "open";
  cbwRecord: number;
  cswRecord?: number;
  start?: Timestamp;
  /** One line: "READ(10) LBA 0, 8 blocks: 4096 of 4096 bytes in, passed". */
  summary: string;
}

interface Open {
  cmd: MscCommand;
  scsi: ScsiCommand;
  kept: number[];
  /** The bulk OUT endpoint number the CBW came on. */
  endpoint: number;
}

/** One Bulk-Only interface of one device. */
export class BotFunction {
  private open: Open | undefined;

  constructor(
    private readonly where: { bus?: number; device: number; interface: number },
    private readonly findings: FindingSink,
    /** Called once per command as it ends (CSW, next CBW, reset, end of capture). */
    private readonly onCommand: (c: MscCommand) => void,
  ) {}

  /** A bulk transfer on one of the interface's endpoints; returns its decoding (undefined: no bytes to decode). */
  transfer(t: TransferSummary): ClassDecode | undefined {
    const data = t.data;
    if (data === undefined) return undefined;
    const split = this.splitAt(t, data);
    if (split > 0) {
      // A raw capture groups bulk packets until a short one: data that ends on a packet boundary runs on into
      // the CSW (IN) or the next CBW (OUT). Split where the signature and the tag say the wrapper starts.
      const part = (from: number, to: number): TransferSummary => ({
        ...t,
        dataLength: to - from,
        data: data.subarray(from, to),
      });
      this.transfer(part(0, split));
      return this.transfer(part(split, data.length));
    }
    if (t.direction === "out") return this.outTransfer(t, data);
    if (t.outcome === "incomplete" && t.dataLength === 0) return undefined; // an IN never answered
    return this.inTransfer(t, data);
  }

  /** Where a raw transfer holds a data phase's end and then a CSW or CBW (0: it does not). */
  private splitAt(t: TransferSummary, data: Uint8Array): number {
    const o = this.open;
    if (
      o === undefined ||
      t.urb !== undefined ||
      data.length !== t.dataLength ||
      o.cmd.direction !== t.direction
    )
      return 0;
    if (t.direction === "in") {
      const at = data.length - CSW_LENGTH;
      return at > 0 && uint(data, at, 4) === CSW_SIGNATURE && uint(data, at + 4, 4) === o.cmd.tag ? at : 0;
    }
    const at = data.length - CBW_LENGTH;
    return at > 0 && o.cmd.dataLength + at >= o.cmd.dataTransferLength && uint(data, at, 4) === CBW_SIGNATURE
      ? at
      : 0;
  }

  /** The bytes of the open command's data phase still to move in direction `dirIn`, if one is open (§5.1). */
  remaining(dirIn: boolean): number | undefined {
    const c = this.open?.cmd;
    if (c === undefined || c.direction !== (dirIn ? "in" : "out") || c.dataLength >= c.dataTransferLength)
      return undefined;
    return c.dataTransferLength - c.dataLength;
  }

  /** Bulk-Only Mass Storage Reset (§3.1): a command still open never gets its CSW. */
  reset(record: number): void {
    if (this.open) this.missing("the host sent Bulk-Only Mass Storage Reset", record);
  }

  /** End of the capture: an open command stays open (the capture, not the device, stopped). */
  end(): void {
    if (!this.open) return;
    const o = this.open;
    this.open = undefined;
    o.cmd.outcome = "open";
    o.cmd.summary = `${o.scsi.text}: ${this.moved(o)}, no CSW before the capture ended`;
    this.findings.add(
      finding(
        R.MSC_CSW_MISSING,
        `${o.scsi.text} (tag 0x${hex8(o.cmd.tag)}) has no CSW: the capture ends first`,
        this.place(o, o.cmd.cbwRecord, o.cmd.start),
        "info",
      ),
    );
    this.onCommand(o.cmd);
  }

  /** Where a finding about a whole command points: `record`, the device, the CBW's endpoint. */
  private place(o: Open, record: number, time?: Timestamp): FindingPlace {
    const p: FindingPlace = {
      packet: record,
      device: deviceAddr(this.where.device),
      endpoint: endpointAddr(o.endpoint, false),
    };
    if (time) p.time = time;
    return p;
  }

  private outTransfer(t: TransferSummary, data: Uint8Array): ClassDecode | undefined {
    const time = t.urb?.submitted;
    const signed = data.length >= 4 && uint(data, 0, 4) === CBW_SIGNATURE;
    const expectingData = this.open !== undefined && this.open.cmd.direction === "out";
    if (signed || !expectingData) {
      if (!signed || t.dataLength !== CBW_LENGTH || data.length < CBW_LENGTH) {
        if (!signed && this.open !== undefined) {
          // Data the host sends where no Data-Out phase is open (§6.7.2: the host sends only what the CBW announced).
          this.add(
            R.MSC_DATA_OVERRUN,
            `${t.dataLength} bytes sent to the bulk OUT endpoint during ${this.open.scsi.text}, a command with ${this.open.cmd.direction === "in" ? "a Data-In phase" : "no data phase"}`,
            t,
            false,
            time,
          );
          return {
            class: "mass storage",
            name: "data",
            fields: { tag: this.open.cmd.tag },
            summary: `${t.dataLength} bytes out of phase`,
          };
        }
        const why = !signed
          ? `has no 'USBC' signature (0x${hex8(data.length >= 4 ? uint(data, 0, 4) : 0)})`
          : `is ${t.dataLength} bytes, must be 31`;
        this.add(R.MSC_CBW_INVALID, `CBW on the bulk OUT endpoint ${why}`, t, false, time);
        return {
          class: "mass storage",
          name: "CBW",
          fields: { length: t.dataLength },
          summary: `invalid CBW: ${why}`,
        };
      }
      return this.cbw(t, data, time);
    }
    // Data-Out phase.
    return this.dataPhase(t, "out");
  }

  private cbw(t: TransferSummary, data: Uint8Array, time?: Timestamp): ClassDecode {
    if (this.open) this.missing("the next CBW came first", t.firstPacket);
    const tag = uint(data, 4, 4);
    const length = uint(data, 8, 4);
    const flags = data[12]!;
    const lun = data[13]! & 0x0f;
    const cbLength = data[14]! & 0x1f;
    if (cbLength < 1 || cbLength > 16)
      this.add(R.MSC_CBW_INVALID, `CBW bCBWCBLength is ${cbLength}, must be 1..16`, t, false, time);
    const scsi = decodeCdb(data.subarray(15, 15 + Math.max(1, Math.min(16, cbLength))));
    const direction = length === 0 ? "none" : flags & 0x80 ? "in" : "out";
    const cmd: MscCommand = {
      ...this.where,
      lun,
      tag,
      command: scsi.name,
      fields: scsi.fields,
      direction,
      dataTransferLength: length,
      dataLength: 0,
      outcome: "open",
      cbwRecord: t.firstPacket,
      summary: scsi.text,
    };
    if (this.where.bus === undefined) delete cmd.bus;
    if (time) cmd.start = time;
    this.open = { cmd, scsi, kept: [], endpoint: t.endpoint };
    const dir = direction === "none" ? "no data" : `${length} bytes ${direction}`;
    return {
      class: "mass storage",
      name: "CBW",
      fields: {
        tag,
        dCBWDataTransferLength: length,
        direction,
        lun,
        bCBWCBLength: cbLength,
        command: scsi.name,
        ...scsi.fields,
      },
      summary: `${scsi.text}, LUN ${lun}, ${dir}, tag 0x${hex8(tag)}`,
    };
  }

  private inTransfer(t: TransferSummary, data: Uint8Array): ClassDecode | undefined {
    const o = this.open;
    const time = t.urb?.completed;
    const signed = data.length >= 4 && uint(data, 0, 4) === CSW_SIGNATURE;
    if (
      t.dataLength === CSW_LENGTH &&
      data.length >= CSW_LENGTH &&
      (signed || (o !== undefined && this.dataDone(o)))
    ) {
      return this.csw(t, data, signed, time);
    }
    if (!o) {
      // No command open: the capture began in the middle of one.
      return {
        class: "mass storage",
        name: "data",
        fields: {},
        summary: `${t.dataLength} bytes, no CBW seen`,
      };
    }
    return this.dataPhase(t, "in");
  }

  /** The command's data phase has moved all dCBWDataTransferLength bytes, or it has none in this direction. */
  private dataDone(o: Open): boolean {
    return o.cmd.direction !== "in" || o.cmd.dataLength >= o.cmd.dataTransferLength;
  }

  private dataPhase(t: TransferSummary, dir: "in" | "out"): ClassDecode {
    const o = this.open!;
    const time = dir === "in" ? t.urb?.completed : t.urb?.submitted;
    const fields: Record<string, ClassFieldValue> = { tag: o.cmd.tag, command: o.scsi.name };
    if (o.cmd.direction !== dir) {
      this.add(
        R.MSC_DATA_OVERRUN,
        `${t.dataLength} bytes ${dir === "in" ? "from the device" : "from the host"} during ${o.scsi.text}, a command with ${o.cmd.direction === "none" ? "no data phase" : `a Data-${o.cmd.direction === "in" ? "In" : "Out"} phase`}`,
        t,
        dir === "in",
        time,
      );
      return { class: "mass storage", name: "data", fields, summary: `${t.dataLength} bytes out of phase` };
    }
    const before = o.cmd.dataLength;
    o.cmd.dataLength += t.dataLength;
    if (before <= o.cmd.dataTransferLength && o.cmd.dataLength > o.cmd.dataTransferLength)
      this.add(
        R.MSC_DATA_OVERRUN,
        `${o.scsi.text}: the data phase moved ${o.cmd.dataLength} bytes, more than dCBWDataTransferLength ${o.cmd.dataTransferLength}`,
        t,
        dir === "in",
        time,
      );
    if (dir === "in" && t.data) for (const b of t.data) if (o.kept.length < KEEP_DATA) o.kept.push(b);
    const told = dir === "in" && before === 0 && t.data ? decodeDataIn(o.scsi, t.data, fields) : undefined;
    return {
      class: "mass storage",
      name: "data",
      fields,
      summary: told ?? `${o.scsi.name} data, ${t.dataLength} bytes ${dir}`,
    };
  }

  private csw(t: TransferSummary, data: Uint8Array, signed: boolean, time?: Timestamp): ClassDecode {
    const tag = uint(data, 4, 4);
    const residue = uint(data, 8, 4);
    const status = data[12]!;
    const statusName = CSW_STATUS[status] ?? `reserved status ${status}`;
    const fields: Record<string, ClassFieldValue> = {
      tag,
      dCSWDataResidue: residue,
      bCSWStatus: status,
      status: statusName,
    };
    const o = this.open;
    this.open = undefined;
    if (!signed)
      this.add(
        R.MSC_CSW_INVALID,
        `CSW signature is 0x${hex8(uint(data, 0, 4))}, must be 0x${hex8(CSW_SIGNATURE)} ('USBS')`,
        t,
        true,
        time,
      );
    if (status === 2)
      this.add(
        R.MSC_PHASE_ERROR,
        `CSW reports phase error${o ? ` for ${o.scsi.text} (tag 0x${hex8(o.cmd.tag)})` : ""}: the host must reset the device (BOT §5.3.4)`,
        t,
        true,
        time,
      );
    if (!o)
      return {
        class: "mass storage",
        name: "CSW",
        fields,
        summary: `${statusName}, residue ${residue}, no CBW seen`,
      };
    const c = o.cmd;
    if (signed && tag !== c.tag)
      this.add(
        R.MSC_CSW_INVALID,
        `CSW tag 0x${hex8(tag)} does not match the CBW's 0x${hex8(c.tag)} (${o.scsi.text})`,
        t,
        true,
        time,
      );
    if (status !== 2 && signed) this.checkResidue(o, residue, t, time);
    c.residue = residue;
    c.status = statusName;
    c.outcome = "complete";
    c.cswRecord = t.firstPacket;
    if (o.kept.length > 0) {
      const told = decodeDataIn(o.scsi, Uint8Array.from(o.kept), c.fields);
      if (told !== undefined) c.data = told;
    }
    c.summary = `${o.scsi.text}: ${this.moved(o)}, ${statusName}${residue ? `, residue ${residue}` : ""}${c.data ? ` (${c.data})` : ""}`;
    this.onCommand(c);
    Object.assign(fields, {
      command: o.scsi.name,
      dCBWDataTransferLength: c.dataTransferLength,
      dataLength: c.dataLength,
    });
    return { class: "mass storage", name: "CSW", fields, summary: c.summary };
  }

  /**
   * BOT 1.0 §6.7.2, §6.7.3: dCSWDataResidue is dCBWDataTransferLength less the relevant data moved, so it can
   * not be more than dCBWDataTransferLength (error). Less than what was not moved breaks case 4 too, but every
   * host measures the short transfer itself and keeps the larger residue (Linux usb-storage, transport.c), so
   * the command works: info, like the padding case 5 allows (more than was not moved).
   */
  private checkResidue(o: Open, residue: number, t: TransferSummary, time?: Timestamp): void {
    const c = o.cmd;
    const left = Math.max(0, c.dataTransferLength - c.dataLength);
    if (residue > c.dataTransferLength)
      this.add(
        R.MSC_RESIDUE,
        `${o.scsi.text}: dCSWDataResidue ${residue} exceeds dCBWDataTransferLength ${c.dataTransferLength}`,
        t,
        true,
        time,
      );
    else if (residue < left)
      this.add(
        R.MSC_RESIDUE,
        `${o.scsi.text}: dCSWDataResidue ${residue}, but ${c.dataLength} of ${c.dataTransferLength} bytes moved: the residue should be at least the ${left} bytes not moved (hosts count the short transfer themselves)`,
        t,
        true,
        time,
        "info",
      );
    else if (residue > left)
      this.add(
        R.MSC_RESIDUE,
        `${o.scsi.text}: dCSWDataResidue ${residue} with ${c.dataLength} of ${c.dataTransferLength} bytes moved: ${residue - left} of the bytes moved are called padding, not relevant data`,
        t,
        true,
        time,
        "info",
      );
  }

  private missing(why: string, record: number): void {
    const o = this.open!;
    this.open = undefined;
    o.cmd.outcome = "no CSW";
    o.cmd.summary = `${o.scsi.text}: ${this.moved(o)}, no CSW (${why})`;
    this.findings.add(
      finding(
        R.MSC_CSW_MISSING,
        `${o.scsi.text} (tag 0x${hex8(o.cmd.tag)}, CBW at record ${o.cmd.cbwRecord}) never got its CSW: ${why}`,
        this.place(o, record),
      ),
    );
    this.onCommand(o.cmd);
  }

  private moved(o: Open): string {
    const c = o.cmd;
    if (c.direction === "none") return "no data";
    return `${c.dataLength} of ${c.dataTransferLength} bytes ${c.direction}`;
  }

  private add(
    rule: typeof R.MSC_RESIDUE,
    message: string,
    t: TransferSummary,
    dirIn: boolean,
    time?: Timestamp,
    severity = rule.severity,
  ): void {
    const p: FindingPlace = {
      packet: t.firstPacket,
      device: deviceAddr(this.where.device),
      endpoint: endpointAddr(t.endpoint, dirIn),
    };
    if (time) p.time = time;
    this.findings.add(finding(rule, message, p, severity));
  }
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
