// Linux usbmon binary records (LINKTYPE_USB_LINUX 189: 48-byte header; LINKTYPE_USB_LINUX_MMAPPED
// 220: 64-byte header, then ndesc x 16-byte iso descriptors, then data). Layout: usbmon.rst
// `struct usbmon_packet`, mon_bin.c `struct mon_bin_hdr`; RULES.md D.2.
//
// Byte order: the header is in the byte order of the host that captured, which is the byte order
// of the pcap/pcapng file when the file was written on that host (libpcap writes host order).
// The caller passes the file's byte order; because a file can be converted on another host, the
// parser checks ts_usec (must be < 1 000 000) and flips to the other order when only that one is
// plausible (Wireshark makes the same kind of guess). The setup packet is wire data: always
// little-endian (USB 2.0 §8.1).

import { u16At, u32At } from "../usb/bytes.js";
import { asEndpointAddr, deviceAddr } from "../usb/ids.js";
import { LinkType } from "../../as/shared/constants.js";
import { finding, type FindingSink } from "../usb/finding.js";
import { readSetup } from "../usb/requests.js";
import { FMT_MON_TRUNCATED, URB_BAD_LENGTH, URB_SETUP_NON_CONTROL, URB_UNKNOWN_TYPE } from "./rules.js";
import { normalTime, type TimeFixLog } from "../usb/time.js";
import { EMPTY_DATA, transferTypeName, type IsoDescriptor, type UrbEvent, type UrbKind } from "./urbEvent.js";

/** 189: the first 48 bytes of `struct mon_bin_hdr`. */
export const MON_BIN_HDR_48 = 48;
/** 220: the whole 64-byte `struct mon_bin_hdr`. */
export const MON_BIN_HDR_64 = 64;
/** `struct mon_bin_isodesc`: s32 iso_status, u32 iso_off, u32 iso_len, u32 _pad. */
export const MON_BIN_ISODESC_SIZE = 16;
/** xfer_type 2 (mon_bin.c xfer_to_pipe: 0 ISO, 1 Intr, 2 Ctrl, 3 Bulk). */
const XFER_CONTROL = 2;
const XFER_ISO = 0;
/** mon_bin.c ISODESC_MAX: at most this many iso descriptors are recorded per URB. */
export const ISODESC_MAX = 128;

/** Field offsets in `struct mon_bin_hdr`. */
const enum Off {
  id = 0,
  type = 8,
  xfer_type = 9,
  epnum = 10,
  devnum = 11,
  busnum = 12,
  flag_setup = 14,
  flag_data = 15,
  ts_sec = 16,
  ts_usec = 24,
  status = 28,
  length = 32,
  len_cap = 36,
  setup = 40,
  // The kernel's union: error_count and numdesc share setup's 8 bytes on isochronous records.
  // eslint-disable-next-line @typescript-eslint/no-duplicate-enum-values
  error_count = 40,
  numdesc = 44,
  interval = 48,
  start_frame = 52,
  xfer_flags = 56,
  ndesc = 60,
}

const u32 = u32At;
const s32 = (b: Uint8Array, o: number, le: boolean) => u32At(b, o, le) | 0;
const u16 = u16At;

/**
 * Which byte order the record at `offset` is in: the file's (`littleEndian`) unless only the
 * other order gives a plausible ts_usec. Cheap enough to run on every record.
 */
export function monBinLittleEndian(
  bytes: Uint8Array,
  offset: number,
  length: number,
  littleEndian: boolean,
): boolean {
  if (length < MON_BIN_HDR_48) return littleEndian;
  const usec = u32(bytes, offset + Off.ts_usec, littleEndian);
  if (usec < 1_000_000) return littleEndian;
  return u32(bytes, offset + Off.ts_usec, !littleEndian) < 1_000_000 ? !littleEndian : littleEndian;
}

/** The 8 setup bytes (src/transfers/requestName.ts); the URB parsers take them from here. */
export { readSetup };

function kindOf(type: number): UrbKind | undefined {
  if (type === 0x53) return "submit"; // 'S'
  if (type === 0x43) return "complete"; // 'C'
  if (type === 0x45) return "error"; // 'E'
  return undefined; // '@' is mmap filler (mon_bin.c PKT_TYPE filler); others are not events
}

/** mon_bin.c's filler record type ('@'): padding in the mmap ring, not an event. */
const TYPE_FILLER = 0x40;

/** The record at `offset` is mmap filler (a whole header of type '@'): read, and rightly no event. */
export function isMonBinFiller(bytes: Uint8Array, offset: number, length: number): boolean {
  return length >= MON_BIN_HDR_48 && bytes[offset + Off.type] === TYPE_FILLER;
}

/** Optional context for `parseMonBin`: where findings go and what the container knows. */
export interface MonBinContext {
  findings?: FindingSink;
  /** Original (on-the-wire) record length from the container, to tell a snap-length cut. */
  origLength?: number;
  /** File offset of the record, for findings. */
  fileOffset?: number;
  /** Keep payload bytes for all transfer types, not only control (tests, exports). */
  keepAllData?: boolean;
  /** Keep the payload of the bulk and interrupt URBs of these endpoints (the class decoder's) besides control. */
  keepData?: (bus: number, device: number, endpoint: number) => boolean;
  /** Where repaired timestamps are counted (one FMT_TIMESTAMP finding per capture). */
  timeFixes?: TimeFixLog;
}

/**
 * Parse one usbmon binary record at bytes[offset .. offset+length). Returns undefined for mmap
 * filler records and for records too short or malformed to be an event (reported as findings).
 */
export function parseMonBin(
  bytes: Uint8Array,
  offset: number,
  length: number,
  linktype: number,
  littleEndian: boolean,
  record: number,
  ctx: MonBinContext = {},
): UrbEvent | undefined {
  const hdr = linktype === LinkType.USB_LINUX_MMAPPED ? MON_BIN_HDR_64 : MON_BIN_HDR_48;
  const cut = ctx.origLength !== undefined && ctx.origLength > length;
  if (length < hdr) {
    ctx.findings?.add(
      finding(
        cut ? FMT_MON_TRUNCATED : URB_BAD_LENGTH,
        `usbmon record of ${length} bytes is shorter than the ${hdr}-byte mon_bin_hdr${cut ? ` (cut by the snap length, original ${ctx.origLength})` : ""}`,
        {
          packet: record,
          offset: ctx.fileOffset,
        },
      ),
    );
    return undefined;
  }
  const b = bytes;
  const o = offset;
  const le = monBinLittleEndian(b, o, length, littleEndian);
  const type = b[o + Off.type];
  const kind = kindOf(type);
  if (kind === undefined) {
    if (type !== TYPE_FILLER)
      ctx.findings?.add(
        finding(
          URB_UNKNOWN_TYPE,
          `usbmon record type 0x${type.toString(16).padStart(2, "0")}${type >= 0x20 && type < 0x7f ? ` ('${String.fromCharCode(type)}')` : ""} is not S, C or E: not an event, skipped`,
          { packet: record, offset: ctx.fileOffset },
        ),
      );
    return undefined;
  }

  // 64-bit fields: the low word comes first in little-endian order, second in big-endian.
  const lo = u32(b, o + Off.id + (le ? 0 : 4), le);
  const hi = u32(b, o + Off.id + (le ? 4 : 0), le);
  const id = hi === 0 ? lo.toString(16) : hi.toString(16) + lo.toString(16).padStart(8, "0");
  const xferType = b[o + Off.xfer_type];
  const endpoint = asEndpointAddr(b[o + Off.epnum]);
  const device = deviceAddr(b[o + Off.devnum]);
  const bus = u16(b, o + Off.busnum, le);
  const flagSetup = b[o + Off.flag_setup];
  const flagData = b[o + Off.flag_data];
  const secLo = u32(b, o + Off.ts_sec + (le ? 0 : 4), le);
  const secHi = s32(b, o + Off.ts_sec + (le ? 4 : 0), le);
  const sec = secHi * 0x1_0000_0000 + secLo;
  // ts_usec is below 10^6 from any kernel; a header can hold more, or less than 0: carried into the seconds.
  const when = normalTime(sec, s32(b, o + Off.ts_usec, le) * 1000);
  ctx.timeFixes?.note(when.fix, record, ctx.fileOffset);
  const status = s32(b, o + Off.status, le);
  const urbLength = u32(b, o + Off.length, le);
  const lenCap = u32(b, o + Off.len_cap, le);

  const ev: UrbEvent = {
    record,
    offset: ctx.fileOffset,
    time: when.time,
    kind,
    source: "usbmon",
    id,
    bus,
    device,
    endpoint,
    xferType,
    transferType: transferTypeName(xferType),
    status,
    length: urbLength,
    setupFlag: flagSetup,
    data: EMPTY_DATA,
    dataCaptured: lenCap,
    dataFlag: flagData,
  };

  // flag_setup 0: setup bytes are present (only on Control 'S' events; mon_bin.c mon_bin_get_setup).
  if (flagSetup === 0) {
    ev.setup = readSetup(b, o + Off.setup);
    if (xferType !== XFER_CONTROL) {
      ctx.findings?.add(
        finding(
          URB_SETUP_NON_CONTROL,
          `usbmon ${kind} on ${ev.transferType ?? `transfer type ${xferType}`} endpoint 0x${endpoint.toString(16)} has flag_setup 0 (setup present)`,
          {
            packet: record,
            offset: ctx.fileOffset,
            time: ev.time,
            device,
            endpoint,
          },
        ),
      );
    }
  } else if (xferType === XFER_ISO) {
    ev.errorCount = s32(b, o + Off.error_count, le);
    ev.numberOfPackets = s32(b, o + Off.numdesc, le);
  }

  // Iso descriptors follow the header, and len_cap counts them with the data (mon_bin.c mon_bin_event:
  // len_cap = length + lendesc; Wireshark's "Data length" shows the same sum). 220 says how many in
  // ndesc; the 48-byte header of 189 (and of read() on /dev/usbmonN) ends before ndesc, so their number
  // is numdesc capped at ISODESC_MAX, as mon_bin_event computes it.
  let descBytes = 0;
  let ndesc = 0;
  if (hdr === MON_BIN_HDR_64) {
    ev.interval = s32(b, o + Off.interval, le);
    ev.startFrame = s32(b, o + Off.start_frame, le);
    ndesc = u32(b, o + Off.ndesc, le);
  } else if (xferType === XFER_ISO && flagSetup !== 0) {
    ndesc = Math.min(Math.max(0, ev.numberOfPackets ?? 0), ISODESC_MAX);
  }
  if (ndesc > ISODESC_MAX) {
    ctx.findings?.add(
      finding(URB_BAD_LENGTH, `usbmon ndesc ${ndesc} is above ISODESC_MAX ${ISODESC_MAX}`, {
        packet: record,
        offset: ctx.fileOffset,
        time: ev.time,
        device,
        endpoint,
      }),
    );
  } else if (ndesc > 0) {
    const room = Math.floor((length - hdr) / MON_BIN_ISODESC_SIZE);
    if (ndesc > room || ndesc * MON_BIN_ISODESC_SIZE > lenCap) {
      // The descriptors do not fit where the header says they are: a corrupt record, not a cut one
      // (a snap-length cut is reported below, against len_cap).
      if (!cut)
        ctx.findings?.add(
          finding(
            URB_BAD_LENGTH,
            `usbmon record claims ${ndesc} iso descriptors (${ndesc * MON_BIN_ISODESC_SIZE} bytes) but holds ${Math.max(0, length - hdr)} bytes after the header and len_cap is ${lenCap}`,
            { packet: record, offset: ctx.fileOffset, time: ev.time, device, endpoint },
          ),
        );
    }
    const n = Math.min(ndesc, room);
    const iso: IsoDescriptor[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const d = o + hdr + i * MON_BIN_ISODESC_SIZE;
      iso[i] = { status: s32(b, d, le), offset: u32(b, d + 4, le), length: u32(b, d + 8, le) };
    }
    ev.iso = iso;
    descBytes = ndesc * MON_BIN_ISODESC_SIZE;
  }

  const available = length - hdr;
  if (available < lenCap) {
    const rule = cut ? FMT_MON_TRUNCATED : URB_BAD_LENGTH;
    ctx.findings?.add(
      finding(
        rule,
        `usbmon record holds ${available} bytes after the header but len_cap says ${lenCap}${cut ? ` (cut by the snap length, original ${ctx.origLength})` : ""}`,
        {
          packet: record,
          offset: ctx.fileOffset,
          time: ev.time,
          device,
          endpoint,
        },
      ),
    );
  } else if (flagData === 0 && lenCap < urbLength && xferType !== XFER_ISO) {
    // Data present but clipped by usbmon (mon_bin.c limits a record to b_size/5). Iso records
    // are excluded: their length and len_cap count different things (collated descriptors).
    ctx.findings?.add(
      finding(FMT_MON_TRUNCATED, `usbmon captured ${lenCap} of ${urbLength} data bytes (len_cap < length)`, {
        packet: record,
        offset: ctx.fileOffset,
        time: ev.time,
        device,
        endpoint,
      }),
    );
  }
  const captured = Math.max(0, Math.min(available, lenCap) - descBytes);
  const dataStart = o + hdr + descBytes;
  ev.dataCaptured = captured;
  if (
    captured > 0 &&
    (xferType === XFER_CONTROL ||
      ctx.keepAllData ||
      (xferType !== XFER_ISO && ctx.keepData?.(bus, device, endpoint)))
  ) {
    ev.data = b.slice(dataStart, dataStart + captured);
  }
  return ev;
}
