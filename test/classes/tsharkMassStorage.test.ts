// Mass storage against tshark 4.0 (usbms and scsi): on every public capture with Bulk-Only traffic and on a
// built one, tshark runs once with all the fields. Every CBW and CSW tshark decodes must be one usbscope
// decodes at that record with the same tag, dCBWDataTransferLength, direction, LUN, CB length, opcode,
// residue and status, and the same INQUIRY strings, sense key/ASC/ASCQ and READ(10) LBA and length; and
// every CBW and CSW usbscope decodes must be one tshark decodes.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { tsharkFields } from "../helpers/tshark.js";
import { publicDir } from "../helpers/paths.js";
import { tempFile } from "../builder/helpers.js";
import { analyzeFile, type ClassFieldValue, type TransferSummary } from "../../src/index.js";
import { SENSE_KEYS } from "../../src/classes/scsi.js";
import { healthySession, mscCapture } from "./msc.js";

const FIELDS = [
  "frame.number",
  "usbms.dCBWTag",
  "usbms.dCBWDataTransferLength",
  "usbms.dCBWFlags",
  "usbms.dCBWLUN",
  "usbms.dCBWCBLength",
  "usbms.dCSWDataResidue",
  "usbms.dCSWStatus",
  "scsi.spc.opcode",
  "scsi_sbc.opcode",
  "scsi_sbc.rdwr10.lba",
  "scsi_sbc.rdwr10.xferlen",
  "scsi.inquiry.vendor_id",
  "scsi.inquiry.product_id",
  "scsi.sns.key",
  "scsi.sns.asc",
  "scsi.sns.ascq",
  "_ws.col.Info",
];

/** tshark's Info column by record, for the difference named below. */
let info = new Map<number, string>();

interface Theirs {
  record: number;
  name: "CBW" | "CSW" | "data";
  fields: Record<string, ClassFieldValue>;
}

const num = (s: string) => Number(s);

function tsharkMsc(path: string): Theirs[] {
  const out: Theirs[] = [];
  info = new Map();
  for (const r of tsharkFields(path, FIELDS, [], "f")) {
    const [
      frame,
      tag,
      length,
      flags,
      lun,
      cbLength,
      residue,
      status,
      spcOp,
      sbcOp,
      lba,
      xferlen,
      vendor,
      product,
      key,
      asc,
      ascq,
      col,
    ] = r;
    const record = num(frame!) - 1;
    info.set(record, col ?? "");
    if (status) {
      out.push({
        record,
        name: "CSW",
        fields: { tag: num(tag!), dCSWDataResidue: num(residue!), bCSWStatus: num(status) },
      });
    } else if (length) {
      const fields: Record<string, ClassFieldValue> = {
        tag: num(tag!),
        dCBWDataTransferLength: num(length),
        lun: num(lun!),
        bCBWCBLength: num(cbLength!),
      };
      if (num(length) > 0) fields.direction = num(flags!) & 0x80 ? "in" : "out";
      const op = spcOp || sbcOp;
      if (op) fields.opcode = num(op);
      if (lba) fields.lba = num(lba);
      if (xferlen) fields.blocks = num(xferlen);
      out.push({ record, name: "CBW", fields });
    } else if (vendor || key) {
      const fields: Record<string, ClassFieldValue> = {};
      if (vendor) Object.assign(fields, { vendor: vendor.trim(), product: product!.trim() });
      if (key) Object.assign(fields, { senseKey: SENSE_KEYS[num(key)]!, asc: num(asc!), ascq: num(ascq!) });
      out.push({ record, name: "data", fields });
    }
  }
  return out;
}

async function ours(path: string): Promise<TransferSummary[]> {
  const ts: TransferSummary[] = [];
  await analyzeFile(path, { onTransfer: (t) => ts.push(t) });
  return ts.filter((t) => t.class?.class === "mass storage");
}

const PUBLIC = [
  "real/295-hs-flash-drive-msc-usbsniffer.pcapng",
  "real/220-cdc-msc-dfu-bootloader-linux.pcapng",
  "real/249-cdc-msc-dfu-bootloader-windows.pcapng",
  "real/249-microbit-daplink-msc-cdc.pcapng",
  "real/249-microbit-daplink-bos-webusb-hub.pcapng",
];

describe("mass storage agrees with tshark (usbms, scsi)", () => {
  const cases: [string, () => string][] = [
    ...PUBLIC.map((f): [string, () => string] => [f, () => join(publicDir, f)]),
    ["a built raw capture", () => tempFile(mscCapture("raw", healthySession()))],
  ];
  for (const [name, path] of cases) {
    it(`every CBW, CSW and decoded reply on ${name}`, async () => {
      const file = path();
      const theirs = tsharkMsc(file);
      const mine = await ours(file);
      expect(theirs.filter((s) => s.name === "CBW").length, "tshark decodes CBWs here").toBeGreaterThan(0);
      const matched = new Set<TransferSummary>();
      for (const s of theirs) {
        const t = mine.find(
          (m) =>
            m.firstPacket <= s.record &&
            s.record <= m.lastPacket &&
            (s.name !== "data" || m.class!.name === "data"),
        );
        expect(t, `${s.name} at record ${s.record}`).toBeDefined();
        expect(t!.class!.name, `record ${s.record}`).toBe(s.name);
        expect(t!.class!.fields, `${s.name} at record ${s.record}`).toMatchObject(s.fields);
        matched.add(t!);
      }
      const unmatched = mine.filter(
        (t) => (t.class!.name === "CBW" || t.class!.name === "CSW") && !matched.has(t),
      );
      // The one difference, on raw captures: a data phase that ends on a packet boundary (no short packet) runs on
      // into the CSW (IN) or the next CBW (OUT) in tshark's reassembly, which then shows the wrapper as more SCSI
      // data. usbscope ends the data phase at dCBWDataTransferLength (BOT §6.7), as the device and host do.
      for (const t of unmatched) {
        const before = mine.filter((m) => m.direction === t.direction && m.firstPacket < t.firstPacket).pop();
        const what = `${t.class!.name} [${t.firstPacket}]`;
        expect(t.urb, what).toBeUndefined();
        expect(before?.class?.name, what).toBe("data");
        expect(before!.dataLength % 64, what).toBe(0);
        const seen = [...info]
          .filter(([rec]) => t.firstPacket <= rec && rec <= t.lastPacket)
          .map(([, c]) => c);
        expect(
          seen.some((c) => /SCSI: Data (In|Out)/.test(c)),
          `${what}: ${seen.join(" | ")}`,
        ).toBe(true);
      }
    });
  }
});
