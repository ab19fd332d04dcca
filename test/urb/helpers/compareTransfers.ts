// Every URB transfer usbscope lists, checked against tshark 4.0 (Wireshark's packet-usb.c): per endpoint
// and transfer type, the completed URBs (which frames, how many), their statuses, their actual lengths
// and the first bytes of each payload. The rows come from the one tshark run per file of ./tshark.ts.
// On the public and bundled captures they agree on every URB. What each side counts, where they could
// seem to differ:
// - A completion is usbmon's 'C' or 'E', or USBPcap's PDO→FDO record; for a USBPcap control transfer, its
//   STATUS (USBPcap < 1.5) or COMPLETE (>= 1.5) stage, not the DATA stage that may come before it.
// - USBPcap's IRP-information records (transfer 0xFE/0xFF: ABORT_PIPE, GET_MS_FEATURE_DESCRIPTOR...) are not
//   transfers on either side (tshark calls them "USB IRP Info"; usbscope lists them in `packets` only).
// - USBPcap's dataLength counts the bytes a record holds, not the URB's actual length. For IN that is the
//   same; an OUT completion holds no data, so tshark shows 0 there, while usbscope gives the submitted
//   length, since a successful OUT URB sent all it was given (USB 2.0 §5.8.3; a failed one gets none):
//   compared here against the submission's dataLength, where tshark shows those bytes.
// - USBPcap does not record the resubmission of an IRP a driver reuses from its completion routine
//   (USBSTOR: CBW OUT, data IN, CSW IN on one IRP). tshark then pairs the CBW's submission with the data's
//   completion (usb.request_in); usbscope lists the CBW as an OUT transfer whose completion is not in the
//   capture and the data as an IN transfer whose submission is not, so no completion changes direction.
// - A control payload is decoded by tshark's own descriptor and request fields, not usb.capdata: those bytes
//   are compared in test/descriptors-tshark; every other payload is compared here.

import { expect } from "vitest";
import type { TransferSummary } from "../../../src/transfers/transferSummary.js";
import { hexString } from "../../../src/report/hexDump.js";
import { num, type TsharkRow as Row } from "./tshark.js";

const TYPES = ["isochronous", "interrupt", "control", "bulk"];
/** Bytes of each payload compared. */
const PREFIX = 16;

/** Is this tshark row the completion of a URB (usbmon C/E; USBPcap PDO→FDO, for control the STATUS or COMPLETE stage)? */
function isCompletion(r: Row): boolean {
  const type = num(r["usb.transfer_type"]);
  if (type === undefined || type > 3) return false; // USBPcap IRP information, unknown
  if (r["usb.urb_type"] !== "") return r["usb.urb_type"] !== "'S'";
  if (num(r["usb.irp_info.direction"]) !== 1) return false;
  return type !== 2 || (num(r["usb.control_stage"]) ?? 0) >= 2;
}

/** The first bytes of a row's payload as tshark shows it: capdata, or an iso packet's data; undefined when a dissector decoded it. */
function payload(r: Row): string | undefined {
  const hex = r["usb.capdata"] || r["usb.iso.data"];
  return hex === "" ? undefined : hex.replace(/:/g, "").slice(0, 2 * PREFIX);
}

/**
 * A USBPcap control transfer's data stage as tshark shows it, on the SETUP stage's IRP: USBPcap >= 1.5 puts
 * OUT data after the setup bytes of the SETUP stage record and IN data in the COMPLETE stage record; older
 * versions write a DATA stage record of its own in either direction (tshark shows the setup again there).
 */
function usbpcapControlData(rows: Row[], setup: number, done: number): number {
  const irp = rows[setup]!["usb.irp_id"];
  let n = (num(rows[setup]!["usb.data_len"]) ?? 8) - 8;
  for (let i = setup + 1; i <= done; i++) {
    const r = rows[i]!;
    const stage = num(r["usb.control_stage"]);
    if (r["usb.irp_id"] === irp && (stage === 1 || stage === 3)) n += num(r["usb.data_len"]) ?? 0;
  }
  return n;
}

export interface Compared {
  diffs: string[];
  /** Completed URBs compared, by "type endpoint-address". */
  byKey: Map<string, number>;
  /** Payloads compared byte for byte. */
  payloads: number;
  /** Transfer types of the payloads tshark decoded instead of showing as capdata. */
  decoded: Set<string>;
}

export function compareTransfers(transfers: TransferSummary[], rows: Row[]): Compared {
  const diffs: string[] = [];
  const byKey = new Map<string, number>();
  let payloads = 0;
  const decoded = new Set<string>();
  const ours = new Map<number, TransferSummary>();
  for (const t of transfers) if (t.urb?.completeRecord !== undefined) ours.set(t.urb.completeRecord, t);
  const theirs = rows.filter(isCompletion).map((r) => Number(r["frame.number"]) - 1);
  for (const f of theirs) if (!ours.has(f)) diffs.push(`frame ${f + 1} completion: ours none, tshark one`);
  const theirSet = new Set(theirs);
  for (const f of ours.keys())
    if (!theirSet.has(f)) diffs.push(`frame ${f + 1} completion: ours one, tshark none`);
  for (const f of theirs) {
    const t = ours.get(f);
    if (t === undefined) continue;
    const r = rows[f]!;
    const u = t.urb!;
    const diff = (what: string, a: unknown, b: unknown) => {
      if (a !== b) diffs.push(`frame ${f + 1} ${what}: ours ${String(a)}, tshark ${String(b)}`);
    };
    const type = TYPES[num(r["usb.transfer_type"])!]!;
    const ep = num(r["usb.endpoint_address"])!;
    diff("transfer_type", t.kind, type);
    // A control transfer's direction is its request's; USBPcap records the status stage on the other one.
    if (type === "control") diff("endpoint", t.endpoint, ep & 0x0f);
    else diff("endpoint_address", t.endpoint | (t.direction === "in" ? 0x80 : 0), ep);
    const key = `${type} 0x${ep.toString(16).padStart(2, "0")}`;
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
    if (u.source === "usbmon") {
      diff("urb_status", u.status, num(r["usb.urb_status"]));
      diff("urb_len", u.actualLength, num(r["usb.urb_len"]));
    } else {
      diff("usbd_status", (u.status ?? 0) >>> 0, num(r["usb.usbd_status"]));
      // USBPcap's dataLength counts the bytes the record holds: IN data on the completion, OUT data on the submission.
      const holder =
        t.direction === "in" ? r : u.submitRecord !== undefined ? rows[u.submitRecord]! : undefined;
      if (holder !== undefined && type !== "control")
        diff("data_len", u.actualLength, num(holder["usb.data_len"]));
      if (type === "control" && u.submitRecord !== undefined)
        diff("control data_len", u.actualLength, usbpcapControlData(rows, u.submitRecord, f));
    }
    // The payload, where it travels: IN on the completion, OUT on the submission.
    const at = t.direction === "in" ? f : u.submitRecord;
    if (at === undefined || t.data === undefined) continue;
    const expected = payload(rows[at]!);
    if (expected === undefined) {
      if ((num(rows[at]!["usb.data_len"]) ?? 0) > 0) decoded.add(t.kind);
      continue;
    }
    payloads++;
    const start = t.kind === "isochronous" && u.iso?.length ? u.iso[0]!.offset : 0;
    const len = t.kind === "isochronous" && u.iso?.length ? Math.min(PREFIX, u.iso[0]!.length) : PREFIX;
    diff("payload", hexString(t.data.subarray(start, start + len)), expected.slice(0, 2 * len));
  }
  return { diffs, byKey, payloads, decoded };
}

/** Transfer types each capture is known to hold (MANIFEST.md), so a type cannot silently drop out. */
const KINDS: Record<string, string[]> = {
  "220-skype-handset-iso-audio.pcap": ["isochronous", "interrupt", "control"],
  "220-egis0570-fingerprint-bulk.pcapng": ["bulk", "interrupt", "control"],
  "220-synaptics-fingerprint.pcapng": ["bulk", "interrupt", "control"],
  "220-cdc-msc-dfu-bootloader-linux.pcapng": ["bulk", "interrupt", "control"],
  "249-hid-keyboard-multi-device.pcapng": ["interrupt", "control"],
  "249-microbit-daplink-msc-cdc.pcapng": ["bulk", "control"],
  "249-usbpcap-official-sample-digitech.pcap": ["isochronous", "bulk", "interrupt", "control"],
};

/**
 * Every completed URB agrees; the comparison is not empty; the only payloads left uncompared are
 * tshark's decoded control data; the transfer types the capture is known to hold were all compared.
 */
export function expectAgreement(file: string, transfers: TransferSummary[], rows: Row[]): void {
  const c = compareTransfers(transfers, rows);
  expect(c.diffs.slice(0, 20), `${c.diffs.length} differences`).toEqual([]);
  expect([...c.byKey.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
  expect([...c.decoded].filter((k) => k !== "control")).toEqual([]);
  const kinds = new Set([...c.byKey.keys()].map((k) => k.split(" ")[0]));
  if (kinds.size > 1 || !kinds.has("control")) expect(c.payloads).toBeGreaterThan(0);
  for (const k of KINDS[file.split("/").pop()!] ?? []) expect(kinds, k).toContain(k);
}
