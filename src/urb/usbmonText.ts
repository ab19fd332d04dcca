// The usbmon text formats: the kernel 'u' format (/sys/kernel/debug/usb/usbmon/Nu) and the legacy
// 't' format (Nt, no bus number). Documentation/usb/usbmon.rst "Data Format"; drivers/usb/mon/mon_text.c
// (mon_text_read_head_u/_t, _statset, _intstat, _isostat, _isodesc, _data); RULES.md D.1.
//
//   ffff88030dd55900 1286042524 S Co:1:016:0 s 40 0c 0087 0008 0001 1 = 04
//   tag              µs         ev addr       setup or status           length data
//
// Tolerated variants (user-space tools that print the same shape): a timestamp in seconds with a
// fraction ("1286.042524", never wrapped), more than 32 data bytes, and data words of any even
// number of hex digits (raw bytes without grouping).

import { deviceAddr, endpointAddr } from "../usb/ids.js";
import type { SetupPacket } from "../usb/model.js";
import { finding, type RuleInfo, type FindingPlace, type FindingSink } from "../usb/finding.js";
import { FMT_TEXT_DATA_TRUNC, FMT_TEXT_MALFORMED, FMT_TEXT_TS_WRAP, URB_SETUP_NON_CONTROL } from "./rules.js";
import { quoted } from "../usb/quote.js";
import { normalTime, type TimeFixLog } from "../usb/time.js";
import {
  EMPTY_DATA,
  concat,
  transferTypeName,
  type IsoDescriptor,
  type UrbEvent,
  type UrbKind,
} from "./urbEvent.js";

/** mon_text.c: the µs timestamp is (tv_sec & 0xFFF) * 1e6 + tv_usec, so it wraps every 4096 s. */
export const TEXT_TS_WRAP_US = 4096 * 1_000_000;
/** mon_text.c DATA_MAX: at most 32 data bytes are printed. */
export const TEXT_DATA_MAX = 32;
/** A line longer than this without a newline is reported and dropped (bounded memory). */
export const TEXT_MAX_LINE = 4 * 1024 * 1024;

const XFER_BY_LETTER: Record<string, number> = { Z: 0, I: 1, C: 2, B: 3 };
const KIND_BY_LETTER: Record<string, UrbKind> = { S: "submit", C: "complete", E: "error" };

const RE_TAG = /^[0-9a-fA-F]{1,16}$/;
const RE_TS_US = /^\d+$/;
const RE_TS_SEC = /^(\d+)\.(\d{1,9})$/;
/** 'u' format: Ci:1:002:0; 't' format: Ci:002:00. */
const RE_ADDR = /^([CZIB])([io]):(\d+):(\d+)(?::(\d+))?$/;
const RE_HEX2 = /^[0-9a-fA-F]{1,2}$/;
const RE_HEX4 = /^[0-9a-fA-F]{1,4}$/;
const RE_INT = /^-?\d+$/;
const RE_STATUS = /^-?\d+(?::-?\d+){0,3}$/;
const RE_ISODESC = /^-?\d+:\d+:\d+$/;
const RE_WORD = /^(?:[0-9a-fA-F]{2})+$/;

export interface UsbmonTextOptions {
  findings?: FindingSink;
  /** Bus number for the legacy 't' format, which does not print one (it is the N of Nt). */
  bus?: number;
  /** Keep payload bytes for all transfer types, not only control. */
  keepAllData?: boolean;
  /** Keep the payload of the bulk and interrupt URBs of these endpoints (the class decoder's) besides control. */
  keepData?: (bus: number, device: number, endpoint: number) => boolean;
  /** Where repaired timestamps are counted (one FMT_TIMESTAMP finding per capture). */
  timeFixes?: TimeFixLog;
}

/** Endpoints FMT_TEXT_DATA_TRUNC is reported for, at most. */
const TRUNC_REPORTED_MAX = 4096;

/** Characters of one token quoted in a FMT_TEXT_MALFORMED message (the whole line is quoted up to MAX_QUOTED). */
const TOKEN_QUOTED = 40;
const tok = (t: string): string => quoted(t, TOKEN_QUOTED);

/**
 * Incremental parser: push chunks in order (lines may straddle chunks), then end(). Each event
 * line becomes one UrbEvent passed to `onEvent`; other lines become FMT_TEXT_MALFORMED findings
 * (never a throw). Blank lines and lines starting with '#' are skipped silently.
 * UrbEvent.record is the 0-based index of the event among event lines; UrbEvent.offset is the
 * byte offset of its line. Times are relative (usbmon text has no date): µs since an arbitrary
 * origin, unwrapped across the 4096 s wrap.
 */
export class UsbmonTextParser {
  /** Event lines seen. */
  events = 0;
  /** Lines seen, blank and malformed included. */
  lines = 0;
  malformed = 0;
  wraps = 0;
  private carry: Uint8Array = EMPTY_DATA;
  private carryOffset = 0;
  private fileOffset = 0;
  private dropping = false;
  private lastUs = -1;
  private wrapBase = 0;
  private readonly truncReported = new Set<string>();
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder("latin1");

  constructor(
    private readonly onEvent: (ev: UrbEvent) => void,
    private readonly options: UsbmonTextOptions = {},
  ) {}

  push(chunk: string | Uint8Array): void {
    const bytes = typeof chunk === "string" ? this.encoder.encode(chunk) : chunk;
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0x0a) continue;
      if (this.carry.length > 0 || this.dropping) {
        if (!this.dropping) this.line(concat(this.carry, bytes.subarray(0, i)), this.carryOffset);
        this.carry = EMPTY_DATA;
        this.dropping = false;
      } else {
        this.line(bytes.subarray(start, i), this.fileOffset + start);
      }
      start = i + 1;
    }
    if (start < bytes.length) {
      if (this.carry.length === 0 && !this.dropping) this.carryOffset = this.fileOffset + start;
      if (!this.dropping) {
        this.carry = concat(this.carry, bytes.subarray(start));
        if (this.carry.length > TEXT_MAX_LINE) {
          this.lines++;
          this.malformed++;
          this.report(
            FMT_TEXT_MALFORMED,
            `line ${this.lines} is longer than ${TEXT_MAX_LINE} bytes: skipped`,
            this.carryOffset,
          );
          this.carry = EMPTY_DATA;
          this.dropping = true;
        }
      }
    }
    this.fileOffset += bytes.length;
  }

  end(): void {
    if (this.carry.length > 0 && !this.dropping) this.line(this.carry, this.carryOffset);
    this.carry = EMPTY_DATA;
    this.dropping = false;
  }

  private report(rule: RuleInfo, message: string, offset: number, extra: FindingPlace = {}): void {
    this.options.findings?.add(finding(rule, message, { offset, ...extra }));
  }

  private line(raw: Uint8Array, offset: number): void {
    this.lines++;
    let text = this.decoder.decode(raw);
    if (text.endsWith("\r")) text = text.slice(0, -1);
    const trimmed = text.trim();
    if (trimmed.length === 0 || trimmed.startsWith("#")) return;
    const why = this.parse(trimmed.split(/\s+/), offset);
    if (why !== undefined) {
      this.malformed++;
      this.report(
        FMT_TEXT_MALFORMED,
        `line ${this.lines} (byte ${offset}) is not a usbmon event: ${why}: "${quoted(trimmed)}"`,
        offset,
      );
    }
  }

  /** Parse one event line; returns why it is malformed, or undefined after emitting the event. */
  private parse(t: string[], offset: number): string | undefined {
    if (t.length < 5) return "too few fields";
    if (!RE_TAG.test(t[0])) return `bad URB tag ${tok(t[0])}`;
    const kind = KIND_BY_LETTER[t[2]];
    if (kind === undefined) return `event type ${tok(t[2])} is not S, C or E`;
    const addr = RE_ADDR.exec(t[3]);
    if (addr === null) return `bad address ${tok(t[3])}`;
    const xferType = XFER_BY_LETTER[addr[1]];
    const isIn = addr[2] === "i";
    // 'u': type:bus:dev:ep; 't': type:dev:ep.
    const bus = addr[5] !== undefined ? Number(addr[3]) : (this.options.bus ?? 0);
    const device = deviceAddr(Number(addr[5] !== undefined ? addr[4] : addr[3]));
    const epnum = Number(addr[5] !== undefined ? addr[5] : addr[4]);
    if (device > 127 || epnum > 15) return `device ${device} or endpoint ${epnum} out of range`;

    // Timestamp: µs (wraps at 4096 s) or user-space seconds with a fraction.
    // The µs count as digits: exact as a Number up to 15 digits, as a BigInt beyond (see the time below).
    let usDigits: string;
    const sec = RE_TS_SEC.exec(t[1]);
    if (sec !== null) {
      usDigits = sec[1] + sec[2].padEnd(6, "0").slice(0, 6);
    } else if (RE_TS_US.test(t[1])) {
      usDigits = t[1];
    } else {
      return `bad timestamp ${tok(t[1])}`;
    }
    let us = Number(usDigits);

    let i = 4;
    let setup: SetupPacket | undefined;
    let setupFlag: number | undefined;
    let status: number;
    let interval: number | undefined;
    let startFrame: number | undefined;
    let errorCount: number | undefined;
    if (t[i] === "s") {
      if (t.length < i + 6) return "setup packet cut short";
      if (
        !RE_HEX2.test(t[i + 1]) ||
        !RE_HEX2.test(t[i + 2]) ||
        !RE_HEX4.test(t[i + 3]) ||
        !RE_HEX4.test(t[i + 4]) ||
        !RE_HEX4.test(t[i + 5])
      ) {
        return "bad setup packet";
      }
      setup = {
        bmRequestType: parseInt(t[i + 1], 16),
        bRequest: parseInt(t[i + 2], 16),
        wValue: parseInt(t[i + 3], 16),
        wIndex: parseInt(t[i + 4], 16),
        wLength: parseInt(t[i + 5], 16),
      };
      setupFlag = 0;
      status = kind === "submit" ? -115 : 0; // mon_text prints no status with a setup; S is in progress
      i += 6;
    } else if (t[i].length === 1 && t[i + 1] === "__") {
      // "<flag> __ __ ____ ____ ____": a control submission whose setup could not be captured.
      setupFlag = t[i].charCodeAt(0);
      status = -115;
      i += 6;
    } else {
      if (!RE_STATUS.test(t[i])) return `bad status ${tok(t[i])}`;
      const parts = t[i].split(":").map(Number);
      status = parts[0];
      if (parts.length > 1) interval = parts[1];
      if (parts.length > 2) startFrame = parts[2];
      if (parts.length > 3) errorCount = parts[3];
      i++;
    }

    let iso: IsoDescriptor[] | undefined;
    let numberOfPackets: number | undefined;
    // Iso events carry " %d" ndesc and up to 5 " %d:%u:%u" descriptors before the length.
    if (
      xferType === 0 &&
      i + 1 < t.length &&
      RE_INT.test(t[i]) &&
      (RE_ISODESC.test(t[i + 1]) || RE_INT.test(t[i + 1]))
    ) {
      numberOfPackets = Number(t[i]);
      i++;
      iso = [];
      while (i < t.length && RE_ISODESC.test(t[i])) {
        const [st, off, len] = t[i].split(":").map(Number);
        iso.push({ status: st, offset: off, length: len });
        i++;
      }
    }

    if (i >= t.length || !RE_INT.test(t[i])) return "missing length";
    const length = Number(t[i]);
    i++;

    let dataFlag: number | undefined;
    let data: Uint8Array = EMPTY_DATA;
    let shown = 0;
    if (i < t.length) {
      if (t[i] === "=") {
        dataFlag = 0;
        const words = t.slice(i + 1);
        for (const w of words) {
          if (!RE_WORD.test(w)) return `bad data word ${tok(w)}`;
          shown += w.length >> 1;
        }
        if (
          xferType === 2 ||
          this.options.keepAllData ||
          (xferType !== 0 && this.options.keepData?.(bus, device, epnum | (isIn ? 0x80 : 0)))
        )
          data = hexBytes(words, shown);
      } else if (t[i].length === 1 && i + 1 === t.length) {
        dataFlag = t[i].charCodeAt(0); // '<' '>' 'Z' 'D' 'L'
      } else {
        return `unexpected data field ${tok(t[i])}`;
      }
    } else if (length > 0 && kind !== "error") {
      // mon_text prints no data field only when length is 0; tolerate it as "no data shown".
      dataFlag = 0x2d;
    }

    // Unwrap: a backwards step of the µs counter is the 4096 s wrap (mon_text.c mon_get_timestamp).
    if (sec === null) {
      if (this.lastUs >= 0 && us + this.wrapBase < this.lastUs) {
        this.wrapBase += TEXT_TS_WRAP_US;
        this.wraps++;
        this.report(
          FMT_TEXT_TS_WRAP,
          `timestamp went back from ${this.lastUs % TEXT_TS_WRAP_US} to ${us} µs at line ${this.lines}: the 4096 s counter wrapped, unwrapped`,
          offset,
          {
            packet: this.events,
          },
        );
      }
      us += this.wrapBase;
    }
    this.lastUs = us;

    const endpoint = endpointAddr(epnum, isIn);
    const record = this.events++;
    // µs since an arbitrary origin, exactly; a token of many digits can pass any clock: kept to the four-digit years.
    const { time, fix } = usecTime(usDigits, sec === null ? this.wrapBase : 0);
    this.options.timeFixes?.note(fix, record, offset);
    if (setup !== undefined && xferType !== 2) {
      this.report(
        URB_SETUP_NON_CONTROL,
        `line ${this.lines}: setup packet on a ${transferTypeName(xferType)} URB (${tok(t[3])})`,
        offset,
        { packet: record, time, device, endpoint },
      );
    }
    if (dataFlag === 0 && shown < length) {
      const key = `${bus}:${device}:${endpoint}`;
      // Once per endpoint; past TRUNC_REPORTED_MAX endpoints the rest are not reported (bounded memory).
      if (!this.truncReported.has(key) && this.truncReported.size < TRUNC_REPORTED_MAX) {
        this.truncReported.add(key);
        this.report(
          FMT_TEXT_DATA_TRUNC,
          `line ${this.lines}: ${shown} of ${length} data bytes shown (usbmon text prints at most ${TEXT_DATA_MAX}; counted once per endpoint)`,
          offset,
          { packet: record, time, device, endpoint },
        );
      }
    }
    const ev: UrbEvent = {
      record,
      offset,
      time,
      kind,
      source: "usbmon",
      id: t[0].toLowerCase(),
      bus,
      device,
      endpoint,
      xferType,
      transferType: transferTypeName(xferType),
      status,
      length,
      setup,
      setupFlag: setupFlag ?? 0x2d,
      data,
      dataCaptured: shown,
      dataFlag,
      interval,
      startFrame,
      errorCount,
      numberOfPackets,
      iso,
    };
    this.onEvent(ev);
    return undefined;
  }
}

/** The time of a µs count written as `digits`, plus `base` µs (the unwrapped 4096 s periods). */
function usecTime(digits: string, base: number): ReturnType<typeof normalTime> {
  if (digits.length <= 15) {
    const us = Number(digits) + base; // below 2^53: exact
    const whole = Math.floor(us / 1e6);
    return normalTime(whole, (us - whole * 1e6) * 1000);
  }
  const us = BigInt(digits) + BigInt(base);
  return normalTime(Number(us / 1_000_000n), Number(us % 1_000_000n) * 1000);
}

function hexBytes(words: string[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let k = 0;
  for (const w of words) for (let j = 0; j < w.length; j += 2) out[k++] = parseInt(w.slice(j, j + 2), 16);
  return out;
}
