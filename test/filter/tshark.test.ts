// Every field of the filter language against tshark, on every public capture: each capture's
// expressions are chosen from what tshark sees in it, and `packets --filter EXPR` (PacketLines with
// the compiled filter, which is all `packets` does) must select as many records as the equivalent
// display filter. Raw captures (usbll): dev and ep select whole transactions, where usbll marks only
// the token, so those comparisons are made on tokens (issue 14). URB captures: usb.* per event.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { publicCaptures } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";
import {
  compileFilterOptions,
  fileSource,
  gatherFacts,
  PacketLines,
  readCapture,
  type CompiledFilter,
} from "../../src/index.js";

const F = [
  "frame.number",
  "frame.time_relative",
  "usbll.pid",
  "usbll.device_addr",
  "usbll.endp",
  "usbll.data",
  "usb.device_address",
  "usb.endpoint_address",
  "usb.transfer_type",
  "usb.urb_type",
  "usb.urb_status",
  "usb.irp_info.direction",
  "usb.capdata",
] as const;
type Frame = Record<(typeof F)[number], string>;

function frames(file: string): Frame[] {
  return tsharkFields(file, F, [], "f").map((cols) => {
    const o = {} as Frame;
    F.forEach((name, i) => (o[name] = cols[i] ?? ""));
    return o;
  });
}

const num = (s: string) => (s === "" ? NaN : Number(s));
const PID_NAMES: Record<number, string> = { 0x69: "IN", 0xe1: "OUT", 0x2d: "SETUP", 0xb4: "PING" };
const DATA_PIDS = [0xc3, 0x4b, 0x87, 0x0f];
const hex2 = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;

interface Case {
  expr: string;
  /** What tshark counts, as a -Y filter would state it (for the failure message). */
  tshark: string;
  want: number;
}

/** A time between two records' times (so neither side rounds across it), about `at` of the way through. */
function splitTime(times: number[], at: number): number | undefined {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  if (sorted.length < 2) return undefined;
  const i = Math.min(sorted.length - 2, Math.floor(sorted.length * at));
  return (sorted[i]! + sorted[i + 1]!) / 2;
}

/** The first 3-byte sequence in a payload (hex, colons), the bytes tshark shows for a field. */
const firstBytes = (fs: Frame[], field: "usbll.data" | "usb.capdata") => {
  const f = fs.find((x) => x[field].replace(/:/g, "").length >= 6);
  return f ? f[field].replace(/:/g, "").slice(0, 6).match(/../g)!.join(":") : undefined;
};
const hasBytes = (s: string, seq: string) => {
  const h = s.replace(/:/g, "");
  const want = seq.replace(/:/g, "");
  for (let i = 0; i + want.length <= h.length; i += 2) if (h.startsWith(want, i)) return true;
  return false;
};

function rawCases(fs: Frame[]): Case[] {
  const out: Case[] = [];
  const count = (p: (f: Frame) => boolean) => fs.filter(p).length;
  // Every PID seen, by number.
  for (const pid of new Set(fs.map((f) => num(f["usbll.pid"])).filter((n) => !isNaN(n))))
    out.push({
      expr: `pid==${hex2(pid)}`,
      tshark: `usbll.pid==${hex2(pid)}`,
      want: count((f) => num(f["usbll.pid"]) === pid),
    });
  out.push({
    expr: "kind==sof",
    tshark: "usbll.pid==0xa5",
    want: count((f) => num(f["usbll.pid"]) === 0xa5),
  });
  out.push({
    expr: "kind==setup && pid==SETUP",
    tshark: "usbll.pid==0x2d",
    want: count((f) => num(f["usbll.pid"]) === 0x2d),
  });
  // dev, ep, epaddr, dir on every device, endpoint and token seen.
  const tokens = fs.filter((f) => PID_NAMES[num(f["usbll.pid"])] && f["usbll.device_addr"] !== "");
  const keys = new Set(
    tokens.map((f) => `${f["usbll.device_addr"]} ${f["usbll.endp"]} ${num(f["usbll.pid"])}`),
  );
  for (const key of keys) {
    const [dev, ep, pid] = key.split(" ").map(Number) as [number, number, number];
    const want = count(
      (f) =>
        num(f["usbll.pid"]) === pid && num(f["usbll.device_addr"]) === dev && num(f["usbll.endp"]) === ep,
    );
    const ts = `usbll.device_addr==${dev} && usbll.endp==${ep} && usbll.pid==${hex2(pid)}`;
    out.push({ expr: `dev==${dev} && ep==${ep} && pid==${PID_NAMES[pid]}`, tshark: ts, want });
    if (pid === 0x69 || pid === 0xe1)
      out.push({
        expr: `dev==${dev} && epaddr==${hex2(ep | (pid === 0x69 ? 0x80 : 0))} && pid==${PID_NAMES[pid]}`,
        tshark: ts,
        want,
      });
  }
  for (const dev of new Set(tokens.map((f) => num(f["usbll.device_addr"]))))
    out.push({
      expr: `dev==${dev} && pid==IN`,
      tshark: `usbll.device_addr==${dev} && usbll.pid==0x69`,
      want: count((f) => num(f["usbll.pid"]) === 0x69 && num(f["usbll.device_addr"]) === dev),
    });
  out.push({
    expr: "dir==in && pid==IN",
    tshark: "usbll.pid==0x69",
    want: count((f) => num(f["usbll.pid"]) === 0x69 && f["usbll.device_addr"] !== ""),
  });
  out.push({
    expr: "dir==out && pid==OUT",
    tshark: "usbll.pid==0xe1",
    want: count((f) => num(f["usbll.pid"]) === 0xe1 && f["usbll.device_addr"] !== ""),
  });
  // status: each NAK, STALL or ACK is its transaction's outcome.
  for (const [name, pid] of [
    ["nak", 0x5a],
    ["stall", 0x1e],
  ] as const)
    out.push({
      expr: `status==${name} && pid==${hex2(pid)}`,
      tshark: `usbll.pid==${hex2(pid)}`,
      want: count((f) => num(f["usbll.pid"]) === pid),
    });
  // len and data on data packets: the payload without PID and CRC16 (usbll.data).
  const isData = (f: Frame) => DATA_PIDS.includes(num(f["usbll.pid"]));
  const dataExpr = DATA_PIDS.map((p) => `pid==${hex2(p)}`).join(" || ");
  const lens = new Set(fs.filter(isData).map((f) => f["usbll.data"].replace(/:/g, "").length / 2));
  for (const n of lens)
    out.push({
      expr: `len==${n} && (${dataExpr})`,
      tshark: `len(usbll.data)==${n}`,
      want: count((f) => isData(f) && f["usbll.data"].replace(/:/g, "").length / 2 === n),
    });
  const seq = firstBytes(fs, "usbll.data");
  if (seq)
    out.push({
      expr: `data contains ${seq} && (${dataExpr})`,
      tshark: `usbll.data contains ${seq}`,
      want: count((f) => isData(f) && hasBytes(f["usbll.data"], seq)),
    });
  return out.concat(timeIndexCases(fs));
}

function urbCases(fs: Frame[]): Case[] {
  const out: Case[] = [];
  const count = (p: (f: Frame) => boolean) => fs.filter(p).length;
  const ev = fs.filter((f) => f["usb.device_address"] !== "" && f["usb.endpoint_address"] !== "");
  const epa = (f: Frame) => num(f["usb.endpoint_address"]);
  for (const key of new Set(ev.map((f) => `${f["usb.device_address"]} ${epa(f)}`))) {
    const [dev, addr] = key.split(" ").map(Number) as [number, number];
    const want = count((f) => num(f["usb.device_address"]) === dev && epa(f) === addr);
    const ts = `usb.device_address==${dev} && usb.endpoint_address==${hex2(addr)}`;
    out.push({ expr: `dev==${dev} && epaddr==${hex2(addr)}`, tshark: ts, want });
    out.push({
      expr: `dev==${dev} && ep==${addr & 0x0f} && dir==${addr & 0x80 ? "in" : "out"}`,
      tshark: ts,
      want,
    });
  }
  for (const dev of new Set(ev.map((f) => num(f["usb.device_address"]))))
    out.push({
      expr: `dev==${dev}`,
      tshark: `usb.device_address==${dev}`,
      want: count((f) => num(f["usb.device_address"]) === dev),
    });
  // kind: usb.transfer_type 0 iso, 1 interrupt, 2 control, 3 bulk.
  const KIND = ["iso", "interrupt", "control", "bulk"];
  for (const t of new Set(ev.map((f) => num(f["usb.transfer_type"]))))
    if (KIND[t])
      out.push({
        expr: `kind==${KIND[t]}`,
        tshark: `usb.transfer_type==${t}`,
        want: count((f) => num(f["usb.transfer_type"]) === t),
      });
  // status of completions (usbmon's urb_status), by number.
  const completions = ev.filter((f) => f["usb.urb_type"] === "'C'" || num(f["usb.urb_type"]) === 0x43);
  for (const s of new Set(completions.map((f) => num(f["usb.urb_status"])).filter((n) => !isNaN(n))))
    out.push({
      expr: `status==${s}`,
      tshark: `usb.urb_type=='C' && usb.urb_status==${s}`,
      want: completions.filter((f) => num(f["usb.urb_status"]) === s).length,
    });
  return out.concat(timeIndexCases(fs));
}

/**
 * data on URB captures: tshark hands a payload to class dissectors (usb.capdata only when none takes it),
 * so bulk and interrupt payloads are compared on the bytes after the fixed header (usbmon 64, USBPcap 27),
 * with a 4-byte sequence from the first bulk or interrupt payload tshark shows.
 */
function urbDataCase(file: string, fs: Frame[]): Case | undefined {
  const bulkOrInt = fs.filter((f) => [1, 3].includes(num(f["usb.transfer_type"])));
  const f = bulkOrInt.find((x) => x["usb.capdata"].replace(/:/g, "").length >= 8);
  if (!f) return undefined;
  const seq = f["usb.capdata"].replace(/:/g, "").slice(0, 8).match(/../g)!.join(":");
  const header = fs.some((x) => x["usb.irp_info.direction"] !== "") ? 27 : 64;
  const display = `(usb.transfer_type==1 || usb.transfer_type==3) && frame[${header}:] contains ${seq}`;
  return {
    expr: `data contains ${seq} && (kind==bulk || kind==interrupt)`,
    tshark: display,
    want: tsharkFields(file, ["frame.number"], ["-Y", display]).length,
  };
}

/** time and index, on every record. */
function timeIndexCases(fs: Frame[]): Case[] {
  const out: Case[] = [];
  const n = fs.length;
  const lo = Math.floor(n / 4);
  const hi = Math.floor((3 * n) / 4);
  out.push({
    expr: `index in ${lo}..${hi}`,
    tshark: `frame.number in {${lo + 1}..${hi + 1}}`,
    want: hi - lo + 1,
  });
  out.push({ expr: `index>=${hi}`, tshark: `frame.number>=${hi + 1}`, want: n - hi });
  // Raw captures: the records tshark decodes as usbll (a sniffer's bus events have no time in tshark).
  const raw = fs.some((f) => f["usbll.pid"] !== "");
  const timed = fs.filter((f) => !raw || f["usbll.pid"] !== "");
  const times = timed.map((f) => num(f["frame.time_relative"]));
  for (const at of [0.25, 0.5, 0.9]) {
    const t = splitTime(times, at);
    if (t !== undefined)
      out.push({
        expr: `time<${t.toFixed(9)}${raw ? " && pid" : ""}`,
        tshark: `frame.time_relative<${t.toFixed(9)}${raw ? " && usbll.pid" : ""}`,
        want: times.filter((x) => x < t).length,
      });
  }
  return out;
}

/** How many records each filter selects: one read of the capture, one PacketLines per filter. */
async function selected(file: string, exprs: string[]): Promise<number[]> {
  const src = await fileSource(file);
  const facts = await gatherFacts(src, file);
  await src.close();
  const sinks = exprs.map(
    (filter) =>
      new PacketLines(() => {}, { filter: compileFilterOptions({ filter }, facts) as CompiledFilter }),
  );
  const source = await fileSource(file);
  await readCapture(source, sinks, {
    onFormat: (_f, bigEndian) => sinks.forEach((s) => s.setByteOrder(bigEndian)),
  });
  await source.close();
  return sinks.map((s) => s.selected);
}

let urbDataCompared = 0;

describe("each field against tshark on the public captures", () => {
  for (const file of publicCaptures()) {
    const name = path.relative(path.resolve(file, "../.."), file);
    it(name, async () => {
      const fs = frames(file);
      const raw = fs.some((f) => f["usbll.pid"] !== "");
      const urb = fs.some((f) => f["usb.device_address"] !== "");
      expect(raw || urb, "tshark decodes the capture as usbll or usb").toBe(true);
      const cases = raw ? rawCases(fs) : urbCases(fs);
      const data = raw ? undefined : urbDataCase(file, fs);
      if (data) {
        cases.push(data);
        urbDataCompared++;
      }
      expect(cases.length).toBeGreaterThan(3);
      const got = await selected(
        file,
        cases.map((c) => c.expr),
      );
      const wrong = cases
        .map((c, i) => ({ ...c, got: got[i] }))
        .filter((c) => c.got !== c.want)
        .map((c) => `${c.expr}: usbscope ${c.got}, tshark -Y '${c.tshark}' ${c.want}`);
      expect(wrong).toEqual([]);
    });
  }
});

describe("the comparisons ran", () => {
  it("data was compared on URB payloads of several captures", () => {
    expect(urbDataCompared).toBeGreaterThanOrEqual(4);
  });
});

describe("request on URB captures", () => {
  it("names a control transfer's URBs on endpoint 0, not another endpoint's URB submitted meanwhile", async () => {
    // Record 61 submits GET_DESCRIPTOR to device 4, record 62 a bulk OUT to its endpoint 1, record 63 completes the control transfer.
    const file = publicCaptures().find((f) => f.endsWith("220-egis0570-fingerprint-bulk.pcapng"))!;
    const [onEp0, elsewhere, ep1] = await selected(file, [
      "request==GET_DESCRIPTOR && index in 61..63",
      "request && !(ep==0)",
      "dev==4 && ep==1 && index in 61..63",
    ]);
    expect([onEp0, elsewhere, ep1]).toEqual([2, 0, 1]);
  });
});

/** The records (0-based) `packets --filter EXPR` prints, read back from its lines. */
async function selectedRecords(file: string, filter: string): Promise<Set<number>> {
  const src = await fileSource(file);
  const facts = await gatherFacts(src, file);
  await src.close();
  const out = new Set<number>();
  const sink = new PacketLines(
    (text) => {
      for (const line of text.split("\n"))
        if (/^\s*\d+\s/.test(line)) out.add(Number(line.trim().split(/\s+/)[0]));
    },
    { filter: compileFilterOptions({ filter }, facts) as CompiledFilter },
  );
  const source = await fileSource(file);
  await readCapture(source, [sink], { onFormat: (_f, bigEndian) => sink.setByteOrder(bigEndian) });
  await source.close();
  return out;
}

describe("request on every public URB capture against tshark's request/response links", () => {
  // tshark marks the request on the submission that carries the SETUP and links each later record of
  // the transfer to it by usb.request_in; usbscope's `request` selects every record of the control
  // transfer. Two places where tshark cannot say: a GET_DESCRIPTOR to an interface that usbhid
  // dissects (HID report descriptor) carries no usb.setup.bRequest, so it is recognised by its
  // usbhid descriptor fields; and where USBPcap recorded a data stage of its own, tshark links it to
  // nothing (no SETUP, no request_in) and takes the status stage after it for the reply to it (a
  // "GET STATUS status" in 249-cdc-msc-dfu-bootloader-windows, whose data stage holds the 18 bytes
  // of the device descriptor): usbscope may select those records where tshark is lost, and only them.
  const URB_FIELDS = [
    "frame.number",
    "usb.setup.bRequest",
    "usb.bmRequestType",
    "usb.request_in",
    "usbhid.descriptor.hid.bDescriptorType",
  ] as const;
  for (const file of publicCaptures().filter((f) => /\/(220|249)-/.test(f))) {
    it(path.basename(file), async () => {
      const rows = tsharkFields(file, URB_FIELDS, [], "f");
      const requests = new Set<string>();
      const want = new Set<number>();
      const unlinked = new Set<number>();
      for (const [frame, bRequest, bmRequestType, requestIn, hidType] of rows) {
        const index = Number(frame) - 1;
        const standard = bmRequestType !== "" && (Number(bmRequestType) & 0x60) === 0;
        if (standard && (bRequest === "6" || (bRequest === "" && hidType !== ""))) {
          requests.add(frame!);
          want.add(index);
        } else if (requestIn && requests.has(requestIn)) want.add(index);
        else if ((!bmRequestType && !requestIn) || (requestIn && unlinked.has(Number(requestIn) - 1)))
          unlinked.add(index);
      }
      const got = await selectedRecords(file, "request==GET_DESCRIPTOR");
      expect(want.size, "tshark sees GET_DESCRIPTOR requests").toBeGreaterThan(0);
      expect(
        [...want].filter((i) => !got.has(i)),
        "records tshark links to a GET_DESCRIPTOR",
      ).toEqual([]);
      expect(
        [...got].filter((i) => !want.has(i) && !unlinked.has(i)),
        "records usbscope adds that tshark links elsewhere",
      ).toEqual([]);
    });
  }
});
