// The public usbmon text captures (../shared/captures-public/real/text-usbmon-*): every event line
// becomes an event, control transfers come out with the right bytes.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { UsbmonTextParser } from "../../src/urb/usbmonText.js";
import { UrbLayer } from "../../src/urb/urbLayer.js";
import type { UrbEvent } from "../../src/urb/urbEvent.js";
import { recordingContext } from "./helpers/context.js";
import { publicDir } from "../helpers/paths.js";

const DIR = resolve(publicDir, "real");
const FILES = readdirSync(DIR).filter((f) => /^text-usbmon-.*\.(mon|usbmon)$/.test(f));

function run(file: string, chunkSize: number) {
  const bytes = new Uint8Array(readFileSync(resolve(DIR, file)));
  const rc = recordingContext();
  const layer = new UrbLayer(rc.ctx);
  const events: UrbEvent[] = [];
  const parser = new UsbmonTextParser(
    (ev) => {
      events.push(ev);
      layer.onUrbEvent(ev);
    },
    { findings: rc.ctx.findings },
  );
  for (let o = 0; o < bytes.length; o += chunkSize) parser.push(bytes.subarray(o, o + chunkSize));
  parser.end();
  layer.onEnd();
  const lines = new TextDecoder()
    .decode(bytes)
    .split("\n")
    .filter((l) => l.length > 0);
  return { ...rc, layer, parser, events, lines };
}

const hex = (s: string) =>
  Uint8Array.from(
    s
      .replace(/\s+/g, "")
      .match(/../g)!
      .map((h) => parseInt(h, 16)),
  );

describe("public usbmon text captures", () => {
  it("finds the three files", () => {
    expect(FILES.sort()).toEqual([
      "text-usbmon-film-scanner-bulk-err.mon",
      "text-usbmon-film-scanner-enum.usbmon",
      "text-usbmon-film-scanner-fw-update.mon",
    ]);
  });

  for (const file of FILES) {
    describe(file, () => {
      const r = run(file, 4093); // an odd chunk size, so lines straddle chunks

      it("accounts for every event line, with no malformed line", () => {
        const eventLines = r.lines.filter((l) => /^[0-9a-f]+ \d+ [SCE] [CZIB][io]:\d+:\d+:\d+ /.test(l));
        expect(eventLines.length).toBe(r.lines.length);
        expect(r.events.length).toBe(eventLines.length);
        expect(r.parser.malformed).toBe(0);
        expect(r.findings.filter((f) => f.rule === "FMT_TEXT_MALFORMED")).toEqual([]);
        // Each event keeps its line's tag, event type and byte offset.
        const text = readFileSync(resolve(DIR, file), "latin1");
        r.events.forEach((ev, i) => {
          const line = eventLines[i];
          expect(text.startsWith(line, ev.offset!)).toBe(true);
          expect(ev.id).toBe(line.split(" ")[0]);
          expect(ev.kind[0].toUpperCase()).toBe(line.split(" ")[2]);
        });
      });

      it("pairs every submission and builds one control transfer per setup line", () => {
        const setups = r.lines.filter((l) => / S C[io]:\S+ s /.test(l)).length;
        expect(r.transfers.length).toBe(setups);
        expect(r.layer.unpairedSubmissions).toBe(0);
        expect(r.layer.unpairedCompletions).toBe(0);
        expect(r.transfers.every((t) => t.status === "ok")).toBe(true);
      });

      it("unwraps timestamps exactly where the µs counter goes back", () => {
        const ts = r.lines.map((l) => Number(l.split(" ")[1]));
        const backs = ts.filter((t, i) => i > 0 && t < ts[i - 1]).length;
        expect(r.findings.filter((f) => f.rule === "FMT_TEXT_TS_WRAP").length).toBe(backs);
        for (let i = 1; i < r.events.length; i++) {
          const a = r.events[i - 1].time,
            b = r.events[i].time;
          expect(b.sec * 1e9 + b.nsec).toBeGreaterThanOrEqual(a.sec * 1e9 + a.nsec);
        }
      });

      it("gives the same result when fed one whole chunk", () => {
        const whole = run(file, 1 << 24);
        expect(whole.events).toEqual(r.events);
        expect(whole.transfers).toEqual(r.transfers);
      });
    });
  }

  it("enum: GET_DESCRIPTOR DEVICE, SET_ADDRESS 2 and the configuration descriptor with their bytes", () => {
    const r = run("text-usbmon-film-scanner-enum.usbmon", 1000);
    const getDev = r.transfers.filter((t) => t.request === "GET_DESCRIPTOR DEVICE");
    expect(getDev.length).toBe(8); // grep -c "S Ci:.* s 80 06 0100"
    const deviceDescriptor = hex("12010002 ffffff40 e3054201 02030000 0001");
    for (const t of getDev) expect(t.data).toEqual(deviceDescriptor);
    expect(getDev.map((t) => t.address)).toContain(0);
    expect(r.transfers.filter((t) => t.request === "SET_ADDRESS 2").map((t) => t.address)).toEqual([0, 0]);
    const cfg = r.transfers.find(
      (t) => t.request.startsWith("GET_DESCRIPTOR CONFIGURATION") && t.setup.wLength === 0xff,
    )!;
    expect(cfg.data).toEqual(hex("09022700 010100c0 05090400 0003ffff ff000705 81020002 00070502 02000200"));
    expect(r.transfers.filter((t) => t.request === "SET_CONFIGURATION 1").length).toBe(2);
    expect(
      r.transfers.filter((t) => t.request.startsWith("CLEAR_FEATURE")).map((t) => t.setup.wIndex),
    ).toEqual([0x81, 0x02, 0x83]);
    // Port status reads on the root hub (class IN GET_STATUS: 0xa3 0x00).
    expect(
      r.transfers.filter((t) => t.request.startsWith("class IN 0x00 ")).every((t) => t.data.length === 4),
    ).toBe(true);
    // The 39-byte configuration reads show only 32 bytes (mon_text DATA_MAX): reported once for the endpoint.
    expect(r.findings.map((f) => [f.rule, f.packet, f.device, f.endpoint])).toEqual([
      ["FMT_TEXT_DATA_TRUNC", 5, 2, 0x80],
    ]);
    const cut = r.transfers.filter((t) => t.detail !== undefined);
    expect(cut.length).toBe(
      r.transfers.filter((t) => t.request.startsWith("GET_DESCRIPTOR CONFIGURATION") && t.data.length === 32)
        .length,
    );
    expect(cut[0].detail).toBe("the capture holds 32 of the 39 data bytes");
    expect((cut[0] as { dataTruncated?: boolean }).dataTruncated).toBe(true);
  });

  it("bulk-err: the killed bulk IN URB is an info URB_ERROR (-2 ENOENT) on the right line", () => {
    const r = run("text-usbmon-film-scanner-bulk-err.mon", 512);
    const errs = r.findings.filter((f) => f.rule === "URB_ERROR");
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ severity: "info", packet: 111, device: 16, endpoint: 0x81 });
    expect(errs[0].message).toContain("-2 ENOENT");
    expect(r.layer.counters.bulk.errors).toBe(1);
    expect(r.layer.endpointType(16, 0x81, 1)).toBe("bulk");
    // Vendor OUT writes keep the submitted byte as data.
    expect(r.transfers[0]).toMatchObject({
      request: expect.stringMatching(/^vendor OUT 0x0c /),
      address: 16,
      firstPacket: 0,
      lastPacket: 1,
    });
    expect([...r.transfers[0].data]).toEqual([0x04]);
  });

  it("fw-update: thousands of vendor control transfers, bulk counted without copies", () => {
    const r = run("text-usbmon-film-scanner-fw-update.mon", 65536);
    expect(r.transfers.length).toBe(3212);
    expect(r.layer.counters.control.urbs).toBe(3212);
    expect(r.layer.counters.bulk.urbs).toBe(3357 - 3212);
    expect(r.events.filter((e) => e.transferType === "bulk").every((e) => e.data.length === 0)).toBe(true);
    expect(r.layer.pendingCount).toBe(0);
  });
});
