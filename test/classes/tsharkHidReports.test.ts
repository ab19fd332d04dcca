// HID report data against tshark 4.0 (packet-usb-hid.c): on every public capture where tshark decodes report
// fields and on built captures (raw and usbmon) of the HID device, each report tshark decodes must be a report
// usbscope decodes at that record, with the same report ID, buttons, axes, keys (variable modifiers and the
// array's key codes) and other usages; and every report usbscope decodes must be one tshark decodes.
// tshark's field names are mapped to the HID Usage Tables names usbscope uses ("X Axis" is X, "LeftShift (0xe1)"
// is usage 0x07:0xE1, Left Shift). tshark prints other variable usages as `Usage: <name>: <value>`: compared
// by name where tshark's name is the table's.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { publicDir } from "../helpers/paths.js";
import { tempFile } from "../builder/helpers.js";
import { analyzeFile, type TransferSummary } from "../../src/index.js";
import { usageName } from "../../src/descriptors/hidUsages.js";
import { hidCapture, type HidHost } from "./hid.js";

interface TsharkReport {
  record: number;
  values: Record<string, number>;
  /** Usages an array field selected (usage ID 0, "no event", left out). */
  array: string[];
  /** The report's bytes as tshark shows them (usbhid.data), hex without separators. */
  data: string;
}

const AXES: Record<string, string> = {
  vbrx: "Vbrx",
  vbry: "Vbry",
  vbrz: "Vbrz",
  vno: "Vno",
  slider: "Slider",
};

/** tshark's report decoding per frame, from its PDML (the field names and shownames carry the usages). */
function tsharkReports(file: string): TsharkReport[] {
  const r = spawnSync("tshark", ["-r", file, "-n", "-Y", "usbhid.data", "-T", "pdml"], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`tshark failed on ${file}: ${r.stderr}`);
  const out: TsharkReport[] = [];
  for (const packet of r.stdout.split("<packet>").slice(1)) {
    const num = /<field name="num" pos="0" show="(\d+)"/.exec(packet);
    const rep: TsharkReport = { record: Number(num![1]) - 1, values: {}, array: [], data: "" };
    let decoded = false;
    for (const m of packet.matchAll(
      /<field name="(usbhid\.[^"]+)" showname="([^"]*)"[^>]*? show="([^"]*)"/g,
    )) {
      const [, name, showname, show] = m as unknown as [string, string, string, string];
      decoded ||= name !== "usbhid.data" && name !== "usbhid.data.padding";
      if (name === "usbhid.data") rep.data = show.replace(/:/g, "");
      else if (name === "usbhid.data.report_id") rep.values.reportId = Number(show);
      else if (name.startsWith("usbhid.data.axis.")) {
        const a = name.slice("usbhid.data.axis.".length);
        rep.values[AXES[a] ?? (a.length === 1 ? a.toUpperCase() : a[0]!.toUpperCase() + a.slice(1))] =
          Number(show);
      } else if (name === "usbhid.data.button") {
        const b = /Button: (\d+)/.exec(showname);
        rep.values[`Button ${b![1]}`] = Number(show);
      } else if (name === "usbhid.data.key.variable") {
        const k = /\(0x([0-9a-f]+)\)/.exec(showname);
        rep.values[usageName(0x70000 + parseInt(k![1]!, 16))] = Number(show);
      } else if (name === "usbhid.data.array.usage") {
        // "Usage: Keyboard ... (0x0007, 0x0004)", or "No controls asserted" for a value that selects none.
        const u = /\(0x([0-9a-f]+), 0x([0-9a-f]+)\)$/.exec(showname);
        if (!u && !showname.endsWith("No controls asserted"))
          throw new Error(`unread array usage: ${showname}`);
        const page = u ? parseInt(u[1]!, 16) : 0;
        const id = u ? parseInt(u[2]!, 16) : 0;
        // Vendor pages: usbscope shows the field's bytes, not usages (their bytes are compared with the report's).
        if (id !== 0 && page < 0xff00) rep.array.push(usageName(page * 0x10000 + id));
      } else if (name === "usbhid.item.local.usage") {
        const u = /Usage: (.+): (-?\d+)$/.exec(showname);
        if (u) rep.values[u[1]!] = Number(u[2]);
      }
    }
    if (decoded) out.push(rep);
  }
  return out;
}

/** usbscope's interrupt reports (tshark 4.0 decodes no GET_REPORT or SET_REPORT data). */
async function ourReports(file: string): Promise<TransferSummary[]> {
  const ts: TransferSummary[] = [];
  await analyzeFile(file, { onTransfer: (t) => ts.push(t) });
  return ts.filter((t) => t.class?.class === "HID" && t.class.name.endsWith(" report"));
}

function healthy(h: HidHost): void {
  h.input(1, Uint8Array.of(0x22, 0, 0x04, 0x28, 0x2c, 0, 0, 0)); // Left Shift, Left GUI; a, Enter, Space
  h.input(1, new Uint8Array(8));
  h.input(2, Uint8Array.of(1, 0x05, 0x80, 0x7f, 0x01)); // buttons 1 and 3, X -128... (min -127: -128 is null)
  h.input(2, Uint8Array.of(1, 0x02, 0x10, 0xf0, 0x00)); // button 2, X 16, Y -16
  h.input(2, Uint8Array.of(2, 0xcd, 0x00)); // Play/Pause
}

const PUBLIC = [
  "real/249-lofree-kbd-fw-upgrade-reenum.pcapng",
  "real/288-sunplus-optical-mouse.pcap",
  "real/293-ls-mouse-usbsniffer.pcapng",
  "real/288-ls-keyboard-keepalive-divided.pcapng",
];

describe("HID reports agree with tshark", () => {
  const cases: [string, () => string][] = [
    ...PUBLIC.map((f): [string, () => string] => [f, () => join(publicDir, f)]),
    ["built raw capture", () => tempFile(hidCapture("raw", healthy))],
    ["built usbmon capture", () => tempFile(hidCapture("usbmon", healthy))],
  ];
  for (const [name, path] of cases) {
    it(`every report field on ${name}`, async () => {
      const file = path();
      const theirs = tsharkReports(file);
      const mine = await ourReports(file);
      expect(theirs.length, "tshark decodes HID reports here").toBeGreaterThan(0);
      const matched = new Set<TransferSummary>();
      let compared = 0;
      for (const s of theirs) {
        const t = mine.find((m) => m.firstPacket <= s.record && s.record <= m.lastPacket);
        expect(t, `report at record ${s.record}`).toBeDefined();
        const fields = t!.class!.fields;
        expect(fields, `record ${s.record}`).toMatchObject(s.values);
        // The array's usages: usbscope lists them under the usage page's name.
        const arrays = Object.entries(fields).filter(
          ([k, v]) =>
            typeof v === "string" && k !== "reportType" && !k.startsWith("Vendor") && k !== "protocol",
        );
        const listed = arrays.flatMap(([, v]) => (v === "none" ? [] : String(v).split(", ")));
        expect(listed, `record ${s.record}`).toEqual(s.array);
        // Vendor fields: their bytes are the report's.
        for (const [k, v] of Object.entries(fields))
          if (k.startsWith("Vendor")) {
            expect(s.data, `record ${s.record} ${k}`).toContain(
              String(v).replace(/ …$/, "").replace(/ /g, ""),
            );
            compared++;
          }
        compared += Object.keys(s.values).length + s.array.length;
        matched.add(t!);
      }
      expect(
        mine.filter((t) => !matched.has(t)).map((t) => `${t.class!.summary} [${t.firstPacket}]`),
      ).toEqual([]);
      expect(compared, "values compared").toBeGreaterThan(theirs.length);
    });
  }

  it("neither decodes reports whose device's report descriptor the capture lacks", async () => {
    for (const f of ["real/249-hid-keyboard-multi-device.pcapng", "real/220-elecom-mouse-usbmontools.pcap"]) {
      const file = join(publicDir, f);
      expect(tsharkReports(file), f).toEqual([]);
      expect(await ourReports(file), f).toEqual([]);
    }
  });
});
