// SCSI commands as mass storage devices carry them (SPC-4 §6, SBC-3 §5; the opcodes a USB drive sees):
// the command by name with its CDB fields, and the data a few of them return (INQUIRY, REQUEST SENSE with
// the sense key, ASC and ASCQ named, READ CAPACITY(10)/(16), MODE SENSE header).
import type { ClassFieldValue } from "../usb/classDecode.js";

type Fields = Record<string, ClassFieldValue>;

/** SPC-4 and SBC-3 operation codes, MMC's common ones, by their spec names. */
export const SCSI_OPCODES: Record<number, string> = {
  0x00: "TEST UNIT READY",
  0x03: "REQUEST SENSE",
  0x04: "FORMAT UNIT",
  0x08: "READ(6)",
  0x0a: "WRITE(6)",
  0x12: "INQUIRY",
  0x15: "MODE SELECT(6)",
  0x1a: "MODE SENSE(6)",
  0x1b: "START STOP UNIT",
  0x1d: "SEND DIAGNOSTIC",
  0x1e: "PREVENT ALLOW MEDIUM REMOVAL",
  0x23: "READ FORMAT CAPACITIES",
  0x25: "READ CAPACITY(10)",
  0x28: "READ(10)",
  0x2a: "WRITE(10)",
  0x2b: "SEEK(10)",
  0x2f: "VERIFY(10)",
  0x35: "SYNCHRONIZE CACHE(10)",
  0x41: "WRITE SAME(10)",
  0x43: "READ TOC/PMA/ATIP",
  0x46: "GET CONFIGURATION",
  0x4a: "GET EVENT STATUS NOTIFICATION",
  0x51: "READ DISC INFORMATION",
  0x55: "MODE SELECT(10)",
  0x5a: "MODE SENSE(10)",
  0x88: "READ(16)",
  0x8a: "WRITE(16)",
  0x91: "SYNCHRONIZE CACHE(16)",
  0x9e: "SERVICE ACTION IN(16)",
  0xa0: "REPORT LUNS",
  0xa1: "ATA PASS-THROUGH(12)",
  0x85: "ATA PASS-THROUGH(16)",
  0xa8: "READ(12)",
  0xaa: "WRITE(12)",
};

/** SPC-4 Table 48: sense keys. */
export const SENSE_KEYS: readonly string[] = [
  "NO SENSE",
  "RECOVERED ERROR",
  "NOT READY",
  "MEDIUM ERROR",
  "HARDWARE ERROR",
  "ILLEGAL REQUEST",
  "UNIT ATTENTION",
  "DATA PROTECT",
  "BLANK CHECK",
  "VENDOR SPECIFIC",
  "COPY ABORTED",
  "ABORTED COMMAND",
  "RESERVED",
  "VOLUME OVERFLOW",
  "MISCOMPARE",
  "COMPLETED",
];

/** SPC-4 Annex D: the additional sense codes a USB drive reports most, by (ASC << 8 | ASCQ). */
const ASC_NAMES: Record<number, string> = {
  0x0000: "NO ADDITIONAL SENSE INFORMATION",
  0x0400: "LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE",
  0x0401: "LOGICAL UNIT IS IN PROCESS OF BECOMING READY",
  0x0402: "LOGICAL UNIT NOT READY, INITIALIZING COMMAND REQUIRED",
  0x0403: "LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED",
  0x0c00: "WRITE ERROR",
  0x1100: "UNRECOVERED READ ERROR",
  0x1a00: "PARAMETER LIST LENGTH ERROR",
  0x2000: "INVALID COMMAND OPERATION CODE",
  0x2100: "LOGICAL BLOCK ADDRESS OUT OF RANGE",
  0x2400: "INVALID FIELD IN CDB",
  0x2500: "LOGICAL UNIT NOT SUPPORTED",
  0x2600: "INVALID FIELD IN PARAMETER LIST",
  0x2700: "WRITE PROTECTED",
  0x2800: "NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED",
  0x2900: "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED",
  0x3000: "INCOMPATIBLE MEDIUM INSTALLED",
  0x3900: "SAVING PARAMETERS NOT SUPPORTED",
  0x3a00: "MEDIUM NOT PRESENT",
  0x3a01: "MEDIUM NOT PRESENT - TRAY CLOSED",
  0x3a02: "MEDIUM NOT PRESENT - TRAY OPEN",
  0x5a01: "OPERATOR MEDIUM REMOVAL REQUEST",
};

/** SPC-4 Table 139 (peripheral device type). */
const DEVICE_TYPES: Record<number, string> = {
  0x00: "direct access block device",
  0x01: "sequential access device",
  0x05: "CD/DVD device",
  0x07: "optical memory device",
  0x0e: "simplified direct-access device",
  0x1f: "unknown or no device type",
};

const be = (b: Uint8Array, at: number, n: number): number => {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + (b[at + i] ?? 0);
  return v;
};

export function senseName(key: number, asc: number, ascq: number): string {
  const k = SENSE_KEYS[key & 0x0f]!;
  const a =
    ASC_NAMES[(asc << 8) | ascq] ??
    `ASC 0x${asc.toString(16).padStart(2, "0")} ASCQ 0x${ascq.toString(16).padStart(2, "0")}`;
  return `${k}: ${a}`;
}

/** A decoded CDB: the command's name, its fields, a line of text. */
export interface ScsiCommand {
  opcode: number;
  name: string;
  fields: Fields;
  text: string;
}

/** Decode a CDB (the CBW's CBWCB, bCBWCBLength bytes). */
export function decodeCdb(cdb: Uint8Array): ScsiCommand {
  const op = cdb[0] ?? 0;
  let name = SCSI_OPCODES[op] ?? `opcode 0x${op.toString(16).padStart(2, "0")}`;
  const fields: Fields = { opcode: op };
  let text = name;
  const rw = (lba: number, blocks: number) => {
    fields.lba = lba;
    fields.blocks = blocks;
    text = `${name} LBA ${lba}, ${blocks} block${blocks === 1 ? "" : "s"}`;
  };
  switch (op) {
    case 0x08:
    case 0x0a:
      rw(((cdb[1]! & 0x1f) << 16) | be(cdb, 2, 2), cdb[4] === 0 ? 256 : cdb[4]!);
      break;
    case 0x28:
    case 0x2a:
    case 0x2f:
    case 0x35:
      rw(be(cdb, 2, 4), be(cdb, 7, 2));
      break;
    case 0xa8:
    case 0xaa:
      rw(be(cdb, 2, 4), be(cdb, 6, 4));
      break;
    case 0x88:
    case 0x8a:
    case 0x91:
      rw(be(cdb, 2, 8), be(cdb, 10, 4));
      break;
    case 0x12:
      fields.evpd = (cdb[1]! & 1) !== 0;
      fields.pageCode = cdb[2]!;
      fields.allocationLength = be(cdb, 3, 2);
      if (fields.evpd) text = `${name} VPD page 0x${cdb[2]!.toString(16).padStart(2, "0")}`;
      break;
    case 0x03:
      fields.allocationLength = cdb[4]!;
      break;
    case 0x1a:
    case 0x5a:
      fields.pageCode = cdb[2]! & 0x3f;
      fields.pageControl = cdb[2]! >> 6;
      fields.allocationLength = op === 0x1a ? cdb[4]! : be(cdb, 7, 2);
      text = `${name} page 0x${(cdb[2]! & 0x3f).toString(16).padStart(2, "0")}`;
      break;
    case 0x1b: {
      const start = (cdb[4]! & 1) !== 0;
      const loej = (cdb[4]! & 2) !== 0;
      fields.start = start;
      fields.loej = loej;
      fields.powerCondition = cdb[4]! >> 4;
      text = `${name}: ${loej ? (start ? "load" : "eject") : start ? "start" : "stop"}`;
      break;
    }
    case 0x1e:
      fields.prevent = cdb[4]! & 3;
      text = `${name}: ${cdb[4]! & 1 ? "prevent" : "allow"}`;
      break;
    case 0x9e:
      if ((cdb[1]! & 0x1f) === 0x10) {
        name = "READ CAPACITY(16)";
        text = name;
      }
      fields.serviceAction = cdb[1]! & 0x1f;
      fields.allocationLength = be(cdb, 10, 4);
      break;
    case 0x23:
      fields.allocationLength = be(cdb, 7, 2);
      break;
  }
  return { opcode: op, name, fields, text };
}

/** What the data-in phase says for the commands that return something worth telling; fields into `fields`. */
export function decodeDataIn(cmd: ScsiCommand, data: Uint8Array, fields: Fields): string | undefined {
  switch (cmd.name) {
    case "INQUIRY": {
      if (cmd.fields.evpd || data.length < 36) return undefined;
      const type = data[0]! & 0x1f;
      const ascii = (a: number, b: number) =>
        Array.from(data.subarray(a, b), (c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : ""))
          .join("")
          .trim();
      fields.peripheralDeviceType = type;
      fields.removable = (data[1]! & 0x80) !== 0;
      fields.vendor = ascii(8, 16);
      fields.product = ascii(16, 32);
      fields.revision = ascii(32, 36);
      return `${fields.vendor} ${fields.product} ${fields.revision}, ${DEVICE_TYPES[type] ?? `device type ${type}`}${fields.removable ? ", removable" : ""}`;
    }
    case "REQUEST SENSE": {
      if (data.length < 3) return undefined;
      const code = data[0]! & 0x7f;
      let key: number, asc: number, ascq: number;
      if (code === 0x72 || code === 0x73) {
        if (data.length < 4) return undefined;
        [key, asc, ascq] = [data[1]! & 0x0f, data[2]!, data[3]!];
      } else {
        if (data.length < 14) return undefined;
        [key, asc, ascq] = [data[2]! & 0x0f, data[12]!, data[13]!];
      }
      fields.senseKey = SENSE_KEYS[key]!;
      fields.asc = asc;
      fields.ascq = ascq;
      return senseName(key, asc, ascq);
    }
    case "READ CAPACITY(10)":
    case "READ CAPACITY(16)": {
      const big = cmd.name === "READ CAPACITY(16)";
      if (data.length < (big ? 12 : 8)) return undefined;
      const last = be(data, 0, big ? 8 : 4);
      const block = be(data, big ? 8 : 4, 4);
      fields.lastLba = last;
      fields.blockLength = block;
      const bytes = (last + 1) * block;
      fields.capacity = bytes;
      return `${last + 1} blocks of ${block} bytes (${sizeText(bytes)})`;
    }
    case "MODE SENSE(6)":
      if (data.length < 4) return undefined;
      fields.writeProtected = (data[2]! & 0x80) !== 0;
      return fields.writeProtected ? "write protected" : "not write protected";
    case "MODE SENSE(10)":
      if (data.length < 8) return undefined;
      fields.writeProtected = (data[3]! & 0x80) !== 0;
      return fields.writeProtected ? "write protected" : "not write protected";
  }
  return undefined;
}

function sizeText(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${v.toFixed(1)} ${units[u]}`;
}
