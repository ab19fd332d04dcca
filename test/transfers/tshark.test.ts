// Differential test against Wireshark's usbll/usb dissectors: setup fields, reassembled control data
// lengths and the payload of every data packet (what `transfers --hex --depth 3` dumps) on the public raw
// captures (link types 288, 293-295).
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runRecords } from "./helpers/context.js";
import { readCapture } from "./helpers/pcapReader.js";
import { publicDir } from "../helpers/paths.js";
import { hexString } from "../../src/report/hexDump.js";

const REAL = path.join(publicDir, "real");
const FILES = readdirSync(REAL).filter((f) => /^(28\d|29\d)-.*\.pcap(ng)?$/.test(f));

interface Row {
  /** Our record index: tshark's frame number - 1 (pcapng Custom Blocks count on both sides). */
  index: number;
  frame: number;
  bmRequestType?: number;
  bRequest?: number;
  wValue?: number;
  wIndex?: number;
  wLength?: number;
  reassembled?: number;
}

/** A data packet as tshark decodes it: its frame's record index and usbll.data (hex, "" for a zero-length packet). */
interface DataRow {
  index: number;
  data: string;
}

/** usbll.pid of DATA0, DATA1, DATA2 and MDATA (§8.3.1 Table 8-1). */
const DATA_PIDS = new Set([0xc3, 0x4b, 0x87, 0x0f]);

function tshark(file: string): { rows: Row[]; data: DataRow[] } {
  const out = execFileSync(
    "tshark",
    [
      "-r",
      file,
      "-T",
      "fields",
      "-e",
      "frame.number",
      "-e",
      "usb.bmRequestType",
      "-e",
      "usb.setup.bRequest",
      "-e",
      "usb.setup.wValue",
      "-e",
      "usb.setup.wIndex",
      "-e",
      "usb.setup.wLength",
      "-e",
      "usbll.reassembled.length",
      "-e",
      "usbll.pid",
      "-e",
      "usbll.data",
      "-e",
      "usbll.crc16.status",
    ],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 << 20 },
  );
  const num = (s: string | undefined) => (s ? Number(s) : undefined);
  const rows: Row[] = [];
  const data: DataRow[] = [];
  let index = 0;
  for (const line of out.split("\n")) {
    if (!line) continue;
    const f = line.split("\t");
    const row = {
      index: index++,
      frame: Number(f[0]),
      bmRequestType: num(f[1]),
      bRequest: num(f[2]),
      wValue: num(f[3]),
      wIndex: num(f[4]),
      wLength: num(f[5]),
      reassembled: num(f[6]),
    };
    if (row.bmRequestType !== undefined || row.reassembled !== undefined) rows.push(row);
    // A data packet whose CRC16 is good (status 1): a bad one is shown by usbll but carries nothing.
    if (f[7] && DATA_PIDS.has(Number(f[7])) && f[9] === "1")
      data.push({ index: row.index, data: (f[8] ?? "").replace(/:/g, "") });
  }
  return { rows, data };
}

/** Comparisons made across all files (checked by the last test, so an empty comparison cannot pass). */
const compared = { setups: 0, reassembled: 0, payloads: 0 };

const speedOf = (linktype: number) =>
  linktype === 293 ? "low" : linktype === 294 ? "full" : linktype === 295 ? "high" : "unknown";

describe("tshark agreement on raw captures", () => {
  it("finds raw captures to compare", () => expect(FILES.length).toBeGreaterThanOrEqual(10));
  for (const name of FILES) {
    it(`agrees with tshark on setup fields and reassembled data in ${name}`, () => {
      const file = path.join(REAL, name);
      const recs = readCapture(file);
      const r = runRecords(recs, {
        speed: speedOf(recs[0].linktype),
        batchSize: 4096,
        transferData: true,
      });
      const { rows, data } = tshark(file);
      const setups = rows.filter((x) => x.bmRequestType !== undefined);
      // tshark decodes each SETUP at its DATA0 (for host-to-device requests with data, at the last OUT data
      // packet, once it has the whole request): that frame lies inside one of our transfers, fields equal.
      for (const ct of r.controls) {
        const inside = setups.filter((s) => ct.firstPacket < s.index && s.index <= ct.lastPacket);
        expect(
          inside.length,
          `tshark setup rows inside ${ct.request} at packet ${ct.firstPacket}`,
        ).toBeGreaterThan(0);
        for (const s of inside) {
          compared.setups++;
          expect(ct.setup.bmRequestType, `frame ${s.frame}`).toBe(s.bmRequestType);
          if (s.bRequest !== undefined) expect(ct.setup.bRequest, `frame ${s.frame}`).toBe(s.bRequest); // class requests use class fields
          if (s.wLength !== undefined) expect(ct.setup.wLength, `frame ${s.frame}`).toBe(s.wLength);
          if (s.wValue !== undefined) expect(ct.setup.wValue, `frame ${s.frame}`).toBe(s.wValue);
          if (s.wIndex !== undefined) expect(ct.setup.wIndex, `frame ${s.frame}`).toBe(s.wIndex);
        }
      }
      // And every SETUP tshark decodes belongs to one of our transfers (retried SETUPs fold into the first attempt's).
      const orphans = setups.filter(
        (s) => !r.controls.some((ct) => ct.firstPacket < s.index && s.index <= ct.lastPacket),
      );
      expect(orphans.map((s) => s.frame)).toEqual([]);
      // Where usbll reassembled a multi-packet control data stage, the frame lies in one of our transfers,
      // and that transfer holds the same number of bytes.
      const reassembled = rows.filter((x) => x.reassembled !== undefined);
      for (const x of reassembled) {
        const index = x.index;
        const ct = r.controls.find((c) => c.firstPacket < index && index <= c.lastPacket);
        if (!ct) continue; // bulk reassembly (usbll also reassembles bulk transfers)
        // For host-to-device requests usbll reassembles the 8 setup bytes together with the OUT data.
        const setupBytes = ct.setup.bmRequestType & 0x80 ? 0 : 8;
        compared.reassembled++;
        expect(ct.data.length + setupBytes, `reassembled at frame ${x.frame} in ${ct.request}`).toBe(
          x.reassembled,
        );
      }
      // Every data packet's payload, as the transaction summaries carry it for hex dumps, is usbll.data byte for
      // byte. A data packet outside any transaction (PID_SEQUENCE: a stray DATA after a lost token) carries none.
      const ours = new Map<number, string>();
      for (const t of r.transfers)
        for (const tx of t.transactions) {
          const k = tx.pids.findIndex((p) => /^(DATA[012]|MDATA)$/.test(p));
          if (k >= 0 && tx.data !== undefined) ours.set(tx.packets[k]!, hexString(tx.data));
        }
      const stray = new Set(r.rule("PID_SEQUENCE").map((f) => f.packet));
      const diffs: string[] = [];
      for (const d of data) {
        const mine = ours.get(d.index);
        if (mine === undefined && stray.has(d.index)) continue;
        compared.payloads++;
        if (mine !== d.data) diffs.push(`frame ${d.index + 1}: ours ${mine}, tshark ${d.data}`);
      }
      expect(diffs.slice(0, 10), `${diffs.length} payloads differ`).toEqual([]);
    });
  }
  it("compared setups and reassembled data stages across the captures", () => {
    expect(compared.setups).toBeGreaterThan(200);
    expect(compared.reassembled).toBeGreaterThan(20);
    expect(compared.payloads).toBeGreaterThan(1800);
  });
});
