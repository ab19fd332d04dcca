// Class requests against tshark 4.0: on every public capture with CDC or HID class requests and on the
// built captures (raw and usbmon), tshark runs once with all the fields, and every request it decodes
// (usbcom request code; usbhid bRequest, report type, report ID, idle duration) must be the request
// usbscope names at that record, with the same values, and every CDC or HID request usbscope decodes must
// be one tshark decodes. CDC line coding and control line state (PSTN 1.2 §6.3.10-12): tshark 4.0 has no
// line coding fields (`tshark -G fields` lists no usbcom.line_coding), but it places the 7 bytes of every
// SET_LINE_CODING and GET_LINE_CODING reply in usbcom.control.payload and SET_CONTROL_LINE_STATE's wValue
// in usbcom.control.value; those bytes, read by PSTN Table 17 and §6.3.12, must be usbscope's dwDTERate,
// bCharFormat, bParityType, bDataBits (with the stop bits and parity named) and DTR, RTS. CDC
// notifications (no public capture has one) on built captures: name, interface, wValue, SERIAL_STATE's
// bmUartState and CONNECTION_SPEED_CHANGE's bit rates. Hub requests
// are compared in tsharkHub.test.ts, DFU requests in tsharkDfu.test.ts.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { tsharkFields } from "../helpers/tshark.js";
import { publicDir } from "../helpers/paths.js";
import { tempFile } from "../builder/helpers.js";
import { analyzeFile, type TransferSummary } from "../../src/index.js";
import { CDC_NOTIFICATIONS, CDC_REQUESTS } from "../../src/classes/cdc.js";
import { rawCapture, urbCapture } from "../../builder/capture.js";
import { compositeGadget } from "../../builder/classDevices.js";
import { HID_REQUESTS, REPORT_TYPES } from "../../src/classes/hid.js";
import { GADGET, rawClassCapture, urbClassCapture } from "./helpers.js";

const FIELDS = [
  "frame.number",
  "usbcom.control.request_code",
  "usbhid.setup.bRequest",
  "usbhid.setup.ReportType",
  "usbhid.setup.ReportID",
  "usbhid.setup.Duration",
  "usbcom.control.value",
  "usbcom.control.response_code",
  "usbcom.control.payload",
];

/** PSTN 1.2 Table 17: bCharFormat and bParityType as usbscope names them. */
const STOP_BITS = ["1", "1.5", "2"];
const PARITY = ["none", "odd", "even", "mark", "space"];

/** The line coding tshark's payload bytes hold (PSTN 1.2 Table 17), as usbscope's fields. */
function lineCoding(hex: string): Record<string, number | string> {
  const b = Buffer.from(hex, "hex");
  expect(b.length, `line coding ${hex}`).toBe(7);
  return {
    dwDTERate: b.readUInt32LE(0),
    bCharFormat: b[4]!,
    bParityType: b[5]!,
    bDataBits: b[6]!,
    stopBits: STOP_BITS[b[4]!]!,
    parity: PARITY[b[5]!]!,
  };
}

/** How many CDC values were compared, over all captures (checked at the end). */
const compared = { lineCodings: 0, lineStates: 0, notifications: 0 };

const NOTIFICATION_FIELDS = [
  "frame.number",
  "usbcom.interrupt.notification_code",
  "usbcom.interrupt.value",
  "usbcom.interrupt.index",
  "usbcom.interrupt.conn_speed_change.dl_bitrate",
  "usbcom.interrupt.conn_speed_change.ul_bitrate",
  "usbcom.interrupt.payload",
];

interface Seen {
  record: number;
  cls: "CDC" | "HID";
  name: string;
  fields: Record<string, number | string | boolean>;
}

function tsharkRequests(path: string): Seen[] {
  const out: Seen[] = [];
  for (const [frame, cdc, hid, type, id, duration, value, response, payload] of tsharkFields(path, FIELDS)) {
    const record = Number(frame) - 1;
    if (cdc) {
      const code = Number(cdc);
      let fields: Record<string, number | string | boolean> = {};
      // SET_LINE_CODING carries the line coding in its data stage (PSTN 1.2 §6.3.10).
      if (code === 0x20 && payload) fields = lineCoding(payload);
      // SET_CONTROL_LINE_STATE: wValue bit 0 DTR, bit 1 RTS (PSTN 1.2 §6.3.12).
      if (code === 0x22) fields = { DTR: (Number(value) & 1) !== 0, RTS: (Number(value) & 2) !== 0 };
      out.push({ record, cls: "CDC", name: CDC_REQUESTS[code]!, fields });
    } else if (response && payload) {
      // GET_LINE_CODING's reply (PSTN 1.2 §6.3.11), on the completion's record.
      expect(Number(response), `usbcom response at record ${record}`).toBe(0x21);
      out.push({ record, cls: "CDC", name: CDC_REQUESTS[0x21]!, fields: lineCoding(payload) });
    } else if (hid) {
      const code = Number(hid);
      const fields: Record<string, number | string> = {};
      if (type) fields.reportType = REPORT_TYPES[Number(type)]!;
      // tshark shows the report ID of GET_IDLE, SET_IDLE, GET_REPORT and SET_REPORT, the duration of SET_IDLE.
      if (id && code !== 0x03 && code !== 0x0b) fields.reportId = Number(id);
      if (duration && code === 0x0a) fields.duration = Number(duration);
      out.push({ record, cls: "HID", name: HID_REQUESTS[code]!, fields });
    }
  }
  return out;
}

async function ours(path: string): Promise<TransferSummary[]> {
  const ts: TransferSummary[] = [];
  await analyzeFile(path, { onTransfer: (t) => ts.push(t) });
  return ts.filter((t) => t.kind === "control" && (t.class?.class === "CDC" || t.class?.class === "HID"));
}

const PUBLIC = [
  "real/294-fs-cdc-vcp-usbsniffer.pcapng",
  "real/220-cdc-msc-dfu-bootloader-linux.pcapng",
  "real/249-microbit-daplink-bos-webusb-hub.pcapng",
  "real/249-microbit-daplink-msc-cdc.pcapng",
  "real/288-sunplus-optical-mouse.pcap",
  "real/288-esp32s3-jtag-serial-cdc-badge.pcap",
  "real/249-lofree-kbd-fw-upgrade-reenum.pcapng",
  "packetry/emf2022-badge/capture.pcap",
];

describe("class requests agree with tshark", () => {
  const cases: [string, () => string][] = [
    ...PUBLIC.map((f): [string, () => string] => [f, () => join(publicDir, f)]),
    ["built raw capture", () => tempFile(rawClassCapture())],
    ["built usbmon capture", () => tempFile(urbClassCapture("usbmon64"))],
    ["built USBPcap capture", () => tempFile(urbClassCapture("usbpcap"))],
  ];
  for (const [name, path] of cases) {
    it(`every CDC and HID request on ${name}`, async () => {
      const file = path();
      const theirs = tsharkRequests(file);
      const mine = await ours(file);
      expect(theirs.length, "tshark decodes class requests here").toBeGreaterThan(0);
      const matched = new Set<TransferSummary>();
      for (const s of theirs) {
        // The transfer holding tshark's record (raw: the SETUP's data packet; URBs: the submission).
        const t = mine.find((m) => m.firstPacket <= s.record && s.record <= m.lastPacket);
        expect(t, `${s.cls} ${s.name} at record ${s.record}`).toBeDefined();
        expect([t!.class!.class, t!.class!.name]).toEqual([s.cls, s.name]);
        expect(t!.class!.fields, `${s.cls} ${s.name} at record ${s.record}`).toMatchObject(s.fields);
        if ("dwDTERate" in s.fields) compared.lineCodings++;
        if ("DTR" in s.fields) compared.lineStates++;
        matched.add(t!);
      }
      // Both ways: nothing decoded as CDC or HID that tshark does not decode too (folded repeats aside).
      expect(
        mine.filter((t) => !matched.has(t) && !t.repeat).map((t) => `${t.request} [${t.firstPacket}]`),
      ).toEqual([]);
    });
  }

  it("compared every line coding and control line state (the counts the README gives)", () => {
    // 15 line codings and 10 line states on the public captures, 2 and 1 on each built one.
    expect([compared.lineCodings, compared.lineStates]).toEqual([21, 13]);
  });

  it("every CDC notification on built raw and usbmon captures (SERIAL_STATE, NETWORK_CONNECTION, CONNECTION_SPEED_CHANGE)", async () => {
    // CDC 1.2 §6.3: the 8-byte header, then the data; PSTN 1.2 Table 31 (SERIAL_STATE), CDC 1.2 §6.3.3.
    const notifications = [
      Uint8Array.of(0xa1, 0x20, 0, 0, 0, 0, 2, 0, 0x03, 0x00),
      Uint8Array.of(0xa1, 0x00, 1, 0, 0, 0, 0, 0),
      Uint8Array.of(0xa1, 0x2a, 0, 0, 0, 0, 8, 0, 0x00, 0xe1, 0xf5, 0x05, 0x80, 0xf0, 0xfa, 0x02),
    ];
    const files = [
      rawCapture({ speed: "full" }, (sim) => {
        sim.enumerate(compositeGadget({ address: GADGET }));
        for (const n of notifications) sim.bulkIn(GADGET, 3, n, 16);
      }).bytes,
      urbCapture({ format: "usbmon64" }, (host) => {
        host.enumerate(compositeGadget({ address: GADGET }));
        for (const n of notifications) host.interruptIn(GADGET, 3, n);
      }).bytes,
    ].map((b) => tempFile(b));
    for (const file of files) {
      const rows = tsharkFields(file, NOTIFICATION_FIELDS, ["-Y", "usbcom.interrupt.notification_code"]);
      expect(rows.length).toBe(notifications.length);
      const mine: TransferSummary[] = [];
      await analyzeFile(file, { onTransfer: (t) => mine.push(t) });
      for (const [frame, code, value, index, dl, ul, payload] of rows) {
        const record = Number(frame) - 1;
        const t = mine.find((m) => m.kind !== "control" && m.firstPacket <= record && record <= m.lastPacket);
        const fields: Record<string, number | string | boolean> = {};
        // tshark 4.0 shows wValue and wIndex of NETWORK_CONNECTION and CONNECTION_SPEED_CHANGE; SERIAL_STATE's
        // header and data it leaves as payload bytes (wValue, wIndex, wLength, then the UART state bitmap).
        if (payload) {
          const b = Buffer.from(payload, "hex");
          Object.assign(fields, { wValue: b.readUInt16LE(0), interface: b.readUInt16LE(2) });
          if (Number(code) === 0x20) fields.bmUartState = b.readUInt16LE(6);
        } else Object.assign(fields, { wValue: Number(value), interface: Number(index) });
        if (dl) Object.assign(fields, { DLBitRate: Number(dl), ULBitRate: Number(ul) });
        expect(t?.class, `notification at record ${record}`).toMatchObject({
          class: "CDC",
          name: CDC_NOTIFICATIONS[Number(code)],
          fields,
        });
        compared.notifications++;
      }
      // Both ways: every notification usbscope decodes is one tshark decodes.
      const names = new Set(Object.values(CDC_NOTIFICATIONS));
      expect(mine.filter((t) => t.class && names.has(t.class.name)).length).toBe(rows.length);
    }
    expect(compared.notifications).toBe(6);
  });

  it("names the one difference: the Windows bootloader's CDC requests, which tshark cannot place", async () => {
    // USBPcap on Windows: the configuration set is read at records 6-8, but tshark does not dissect that
    // completion as a configuration descriptor, so it learns that interface 2 is CDC only from the second read
    // (record 518), after the CDC requests (records 228-238). usbscope is right: the first read says it.
    const file = join(publicDir, "real/249-cdc-msc-dfu-bootloader-windows.pcapng");
    expect(tsharkRequests(file)).toEqual([]);
    const conf = tsharkFields(
      file,
      ["frame.number", "usb.bInterfaceClass"],
      ["-Y", "usb.bDescriptorType == 2 && usb.bInterfaceClass"],
    );
    expect(Math.min(...conf.map((r) => Number(r[0])))).toBe(520);
    expect((await ours(file)).map((t) => [t.firstPacket, t.class!.name])).toEqual([
      [228, "GET_LINE_CODING"],
      [231, "SET_CONTROL_LINE_STATE"],
      [233, "SET_LINE_CODING"],
      [236, "GET_LINE_CODING"],
    ]);
  });
});
