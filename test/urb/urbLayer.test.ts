import { describe, expect, it } from "vitest";
import { UrbLayer } from "../../src/urb/urbLayer.js";
import { UsbmonTextParser } from "../../src/urb/usbmonText.js";
import { PROPOSED_RULE_IDS, urbRules } from "../../src/urb/rules.js";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { recordingContext } from "./helpers/context.js";
import { GET_DESCRIPTOR_DEVICE, monBin, usbPcap } from "./helpers/build.js";
import type { RecordBatch } from "../../src/usb/model.js";
import { PacketStatus } from "../../as/shared/constants.js";

/** Feed usbmon text through the parser into a fresh layer. */
function runText(text: string, options = {}) {
  const rc = recordingContext();
  const layer = new UrbLayer(rc.ctx, options);
  const p = new UsbmonTextParser((ev) => layer.onUrbEvent(ev), { findings: rc.ctx.findings });
  p.push(text);
  p.end();
  layer.onEnd();
  return { ...rc, layer };
}

/** A batch holding the given records back to back (as the core would give them). */
function batchOf(linktype: number, records: Uint8Array[], firstIndex = 0): RecordBatch {
  const n = records.length;
  const total = records.reduce((s, r) => s + r.length, 0);
  const bytes = new Uint8Array(total + 16);
  const b: RecordBatch = {
    firstIndex,
    count: n,
    bytes,
    offset: new Float64Array(n),
    tsSec: new Float64Array(n),
    tsNsec: new Uint32Array(n),
    linktype: new Uint16Array(n),
    pid: new Uint8Array(n),
    status: new Uint8Array(n),
    address: new Uint8Array(n),
    endpoint: new Uint8Array(n),
    frame: new Uint16Array(n),
    dataOffset: new Uint32Array(n),
    dataLength: new Uint32Array(n),
    origLength: new Uint32Array(n),
  };
  let o = 16;
  records.forEach((r, i) => {
    bytes.set(r, o);
    b.dataOffset[i] = o;
    b.dataLength[i] = r.length;
    b.origLength[i] = r.length;
    b.linktype[i] = linktype;
    b.status[i] = PacketStatus.NOT_RAW;
    b.tsSec[i] = 100 + i;
    b.offset[i] = 24 + i * 100;
    o += r.length;
  });
  return b;
}

const DEVICE_DESC = [0x12, 0x01, 0x00, 0x02, 0, 0, 0, 0x40, 0xe3, 0x05, 0x42, 0x01, 0x02, 0x03, 0, 0, 0, 1];

describe("UrbLayer: control transfers from usbmon", () => {
  it("builds an IN control transfer from S + C with the completion's data", () => {
    const { transfers, findings } = runText(
      "ffff880307c1d5c0 2888952157 S Ci:1:000:0 s 80 06 0100 0000 0040 64 <\n" +
        "ffff880307c1d5c0 2888953012 C Ci:1:000:0 0 18 = 12010002 ffffff40 e3054201 02030000 0001\n",
    );
    expect(findings).toEqual([]);
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({
      index: 0,
      source: "urb",
      bus: 1,
      address: 0,
      request: "GET_DESCRIPTOR DEVICE",
      status: "ok",
      urbStatus: 0,
      firstPacket: 0,
      lastPacket: 1,
      setup: { bmRequestType: 0x80, bRequest: 6, wValue: 0x100, wIndex: 0, wLength: 64 },
    });
    expect([...transfers[0].data]).toEqual([
      0x12, 0x01, 0x00, 0x02, 0xff, 0xff, 0xff, 0x40, 0xe3, 0x05, 0x42, 0x01, 0x02, 0x03, 0, 0, 0, 1,
    ]);
  });

  it("takes OUT data from the submission", () => {
    const { transfers } = runText("a 1 S Co:1:016:0 s 40 0c 0087 0008 0001 1 = 04\na 2 C Co:1:016:0 0 1 >\n");
    expect(transfers[0]).toMatchObject({ request: expect.stringMatching(/^vendor OUT 0x0c /), status: "ok" });
    expect([...transfers[0].data]).toEqual([4]);
  });

  it("numbers transfers by SETUP order and reports them in completion order", () => {
    const { transfers } = runText(
      "a 1 S Ci:1:002:0 s 80 06 0100 0000 0012 18 <\n" +
        "b 2 S Ci:1:003:0 s 80 06 0200 0000 0009 9 <\n" +
        "b 3 C Ci:1:003:0 0 0\n" +
        "a 4 C Ci:1:002:0 0 0\n",
    );
    expect(transfers.map((t) => [t.index, t.address])).toEqual([
      [1, 3],
      [0, 2],
    ]);
  });

  it("marks -32 as stall and reports it as CTRL_STALL info, as a raw capture's STALL handshake is", () => {
    const { transfers, rules, findings } = runText(
      "a 1 S Ci:1:002:0 s 80 06 0600 0000 000a 10 <\na 2 C Ci:1:002:0 -32 0\n",
    );
    expect(transfers[0]).toMatchObject({
      status: "stall",
      urbStatus: -32,
      request: "GET_DESCRIPTOR DEVICE_QUALIFIER",
    });
    expect(rules()).toEqual(["CTRL_STALL/info"]);
    expect(findings[0].message).toContain("EPIPE");
    expect(findings[0]).toMatchObject({ packet: 1, device: 2, endpoint: 0x80 });
  });

  it("marks other errors as error with the status in words", () => {
    const { transfers } = runText("a 1 S Ci:1:002:0 s 80 06 0100 0000 0012 18 <\na 2 C Ci:1:002:0 -71 0\n");
    expect(transfers[0]).toMatchObject({ status: "error", urbStatus: -71 });
    expect(transfers[0].detail).toContain("EPROTO");
  });

  it("reports a submission error (E) as a failed control transfer", () => {
    const { transfers, rules } = runText(
      "a 1 S Co:1:002:0 s 00 09 0001 0000 0000 0\na 2 E Co:1:002:0 -19 0\n",
    );
    expect(transfers[0]).toMatchObject({ status: "error", request: "SET_CONFIGURATION 1", urbStatus: -19 });
    // -19 ENODEV: the host stack refused it (the device was gone); the bus shows nothing about the device.
    expect(rules()).toEqual(["URB_ERROR/info"]);
  });

  it("closes open control transfers as incomplete at the end", () => {
    const { transfers, rules } = runText("a 1 S Ci:1:002:0 s 80 06 0100 0000 0012 18 <\n");
    expect(transfers[0]).toMatchObject({ status: "incomplete", firstPacket: 0 });
    expect(rules()).toEqual(["FMT_URB_UNPAIRED/warning"]);
  });
});

describe("UrbLayer rules", () => {
  describe("URB_ERROR", () => {
    it("is info for URBs the host unlinked (-2, -104)", () => {
      const { rules } = runText(
        "a 1 S Bi:1:016:1 -115 512 <\na 2 C Bi:1:016:1 -2 0\nb 3 S Ii:1:016:2 -115:8 8 <\nb 4 C Ii:1:016:2 -104:8 0\n",
      );
      expect(rules()).toEqual(["URB_ERROR/info", "URB_ERROR/info"]);
    });
    it("stays silent on status 0", () => {
      const { findings } = runText("a 1 S Bi:1:016:1 -115 512 <\na 2 C Bi:1:016:1 0 0\n");
      expect(findings).toEqual([]);
    });
  });

  describe("CTRL_RESP_OVER_WLENGTH", () => {
    it("fires on a -75 (babble) control read", () => {
      const { rules, transfers } = runText(
        "a 1 S Ci:1:002:0 s 80 06 0100 0000 0008 8 <\na 2 C Ci:1:002:0 -75 8 = 12010002 00000040\n",
      );
      // One cause, one finding: the -75 is in CTRL_RESP_OVER_WLENGTH's message, no URB_ERROR beside it.
      expect(rules()).toEqual(["CTRL_RESP_OVER_WLENGTH/error"]);
      expect(transfers[0].status).toBe("error");
    });
    it("fires when more than wLength bytes came back", () => {
      const { rules } = runText(
        "a 1 S Ci:1:002:0 s 80 06 0100 0000 0002 2 <\na 2 C Ci:1:002:0 0 4 = 12010002\n",
      );
      expect(rules()).toEqual(["CTRL_RESP_OVER_WLENGTH/error"]);
    });
    it("stays silent on a -75 on a bulk URB and on a read within wLength", () => {
      const { findings } = runText(
        "a 1 S Ci:1:002:0 s 80 06 0100 0000 0012 18 <\na 2 C Ci:1:002:0 0 4 = 12010002\n",
      );
      expect(findings).toEqual([]);
      const bulk = runText("b 1 S Bi:1:002:1 -115 512 <\nb 2 C Bi:1:002:1 -75 0\n");
      expect(bulk.rules()).toEqual(["URB_ERROR/warning"]);
    });
  });

  describe("FMT_URB_UNPAIRED", () => {
    it("fires on a completion without submission (control: warning; other types: info, once per endpoint)", () => {
      const { rules, layer } = runText(
        "a 1 C Ci:1:002:0 0 0\nb 2 C Ii:1:002:1 0:8 4 = 00000000\nc 3 C Ii:1:002:1 0:8 4 = 00000000\n",
      );
      expect(rules()).toEqual(["FMT_URB_UNPAIRED/warning", "FMT_URB_UNPAIRED/info"]);
      expect(layer.unpairedCompletions).toBe(3);
    });
    it("fires when a tag is resubmitted before it completed", () => {
      const { rules, layer } = runText(
        "a 1 S Bi:1:002:1 -115 512 <\na 2 S Bi:1:002:1 -115 512 <\na 3 C Bi:1:002:1 0 0\n",
      );
      expect(rules()).toEqual(["FMT_URB_UNPAIRED/info"]);
      expect(layer.unpairedSubmissions).toBe(1);
    });
    it("evicts the oldest open URB beyond the cap, as a warning, keeping memory bounded", () => {
      let text = "";
      for (let i = 0; i < 10; i++) text += `${(0x100 + i).toString(16)} ${i} S Bi:1:002:1 -115 512 <\n`;
      const rc = recordingContext();
      const layer = new UrbLayer(rc.ctx, { maxPending: 4 });
      const p = new UsbmonTextParser((ev) => layer.onUrbEvent(ev));
      p.push(text);
      p.end();
      expect(layer.pendingCount).toBe(4);
      expect(rc.rules()).toEqual(new Array(6).fill("FMT_URB_UNPAIRED/warning"));
      expect(rc.findings[0].message).toContain("more than 4");
    });
    it("stays silent when every submission completes", () => {
      expect(runText("a 1 S Bi:1:002:1 -115 512 <\na 2 C Bi:1:002:1 0 0\n").findings).toEqual([]);
    });
  });
});

describe("UrbLayer: counters and endpoint types", () => {
  it("counts URBs and bytes per transfer type and remembers each device's endpoints", () => {
    const { layer } = runText(
      "a 1 S Ci:1:002:0 s 80 06 0100 0000 0012 18 <\na 2 C Ci:1:002:0 0 18 = 12010002 00000040 e3054201 02030000 0001\n" +
        "b 3 S Bi:1:002:1 -115 512 <\nb 4 C Bi:1:002:1 0 512 = 00000000\n" +
        "c 5 S Ii:1:003:1 -115:8 4 <\nc 6 C Ii:1:003:1 -2:8 0\n",
    );
    expect(layer.counters.control).toEqual({ urbs: 1, bytes: 18, errors: 0 });
    expect(layer.counters.bulk).toEqual({ urbs: 1, bytes: 512, errors: 0 });
    expect(layer.counters.interrupt).toEqual({ urbs: 1, bytes: 0, errors: 1 });
    expect(layer.endpointType(2, 0x81, 1)).toBe("bulk");
    expect(layer.endpointType(2, 0x81)).toBe("bulk");
    expect(layer.endpointType(3, 0x81)).toBe("interrupt");
    expect(layer.endpointType(2, 0x80)).toBe("control");
    expect(layer.endpointType(2, 0x02)).toBeUndefined();
    expect(layer.devices()).toEqual([
      {
        bus: 1,
        device: 2,
        endpoints: [
          { endpoint: 0x80, type: "control" },
          { endpoint: 0x81, type: "bulk" },
        ],
      },
      { bus: 1, device: 3, endpoints: [{ endpoint: 0x81, type: "interrupt" }] },
    ]);
  });
});

describe("UrbLayer.onBatch", () => {
  it("builds control transfers from usbmon 220 records in a batch", () => {
    const rc = recordingContext();
    const layer = new UrbLayer(rc.ctx);
    layer.onBatch(
      batchOf(
        220,
        [
          monBin({ type: "S", flagSetup: 0, setup: GET_DESCRIPTOR_DEVICE, length: 18, id: 1n }),
          monBin({ type: "C", status: 0, data: DEVICE_DESC, id: 1n }),
        ],
        40,
      ),
    );
    layer.onEnd();
    expect(rc.findings).toEqual([]);
    expect(rc.transfers[0]).toMatchObject({
      request: "GET_DESCRIPTOR DEVICE",
      status: "ok",
      firstPacket: 40,
      lastPacket: 41,
      address: 2,
      bus: 1,
    });
    expect([...rc.transfers[0].data]).toEqual(DEVICE_DESC);
  });

  it("pairs USBPcap SETUP and COMPLETE stages (USBPcap >= 1.5)", () => {
    const rc = recordingContext();
    const layer = new UrbLayer(rc.ctx);
    layer.onBatch(
      batchOf(249, [
        usbPcap({ transfer: 2, stage: 0, info: 0, data: GET_DESCRIPTOR_DEVICE }),
        usbPcap({ transfer: 2, stage: 3, info: 1, data: DEVICE_DESC }),
        usbPcap({
          transfer: 2,
          stage: 0,
          info: 0,
          endpoint: 0,
          irpId: 7n,
          data: [0x00, 0x09, 1, 0, 0, 0, 0, 0],
        }),
        usbPcap({ transfer: 2, stage: 3, info: 1, endpoint: 0, irpId: 7n, status: 0xc0000004 }),
      ]),
    );
    layer.onEnd();
    expect(
      rc.transfers.map((t) => [t.request, t.status, t.firstPacket, t.lastPacket, t.data.length]),
    ).toEqual([
      ["GET_DESCRIPTOR DEVICE", "ok", 0, 1, 18],
      ["SET_CONFIGURATION 1", "stall", 2, 3, 0],
    ]);
    expect(rc.transfers[0].start).toEqual({ sec: 100, nsec: 0 });
    expect(rc.rules()).toEqual(["CTRL_STALL/info"]);
    expect(rc.findings[0].message).toContain("USBD_STATUS_STALL_PID");
  });

  it("keeps OUT data from the SETUP stage and ignores anything echoed in the COMPLETE stage", () => {
    const rc = recordingContext();
    const layer = new UrbLayer(rc.ctx);
    layer.onBatch(
      batchOf(249, [
        usbPcap({
          transfer: 2,
          stage: 0,
          info: 0,
          endpoint: 0,
          data: [0x21, 0x09, 0, 2, 0, 0, 2, 0, 0xaa, 0xbb],
        }),
        usbPcap({ transfer: 2, stage: 3, info: 1, endpoint: 0, data: [0xaa, 0xbb] }),
      ]),
    );
    expect(rc.transfers.map((t) => [t.request.split(" to ")[0], [...t.data]])).toEqual([
      ["class OUT 0x09", [0xaa, 0xbb]],
    ]);
  });

  it("survives a USBPcap control submission that is not a SETUP stage", () => {
    const rc = recordingContext();
    const layer = new UrbLayer(rc.ctx);
    layer.onBatch(
      batchOf(249, [
        usbPcap({ transfer: 2, stage: 2, info: 0 }),
        usbPcap({ transfer: 2, stage: 3, info: 1, data: [1] }),
      ]),
    );
    layer.onEnd();
    expect(rc.transfers).toEqual([]);
    expect(layer.pendingCount).toBe(0);
  });

  it("gathers USBPcap SETUP, DATA and STATUS stages (USBPcap < 1.5)", () => {
    const rc = recordingContext();
    const layer = new UrbLayer(rc.ctx);
    layer.onBatch(
      batchOf(249, [
        usbPcap({ transfer: 2, stage: 0, info: 0, endpoint: 0, data: [0x21, 0x20, 0, 0, 2, 0, 7, 0] }),
        usbPcap({ transfer: 2, stage: 1, info: 1, endpoint: 0, data: [0, 0xc2, 1, 0, 0, 0, 8] }),
        usbPcap({ transfer: 2, stage: 2, info: 1, endpoint: 0 }),
      ]),
    );
    layer.onEnd();
    expect(rc.findings).toEqual([]);
    expect(rc.transfers).toHaveLength(1);
    expect(rc.transfers[0]).toMatchObject({
      request: expect.stringMatching(/^class OUT 0x20 /),
      status: "ok",
      firstPacket: 0,
      lastPacket: 2,
    });
    expect([...rc.transfers[0].data]).toEqual([0, 0xc2, 1, 0, 0, 0, 8]);
  });

  it("reports a USBPcap DATA + STATUS pair whose SETUP stage is missing once, without a transfer", () => {
    const rc = recordingContext();
    const layer = new UrbLayer(rc.ctx);
    layer.onBatch(
      batchOf(249, [
        usbPcap({ transfer: 2, stage: 1, info: 1, data: [1, 2] }),
        usbPcap({ transfer: 2, stage: 2, info: 1 }),
      ]),
    );
    layer.onEnd();
    expect(rc.transfers).toEqual([]);
    expect(rc.rules()).toEqual(["FMT_URB_UNPAIRED/warning"]);
    expect(rc.findings[0].packet).toBe(1);
    expect(layer.unpairedCompletions).toBe(1);
    expect(layer.pendingCount).toBe(0);
  });

  it("ignores records of other link types", () => {
    const rc = recordingContext();
    const layer = new UrbLayer(rc.ctx);
    layer.onBatch(batchOf(288, [Uint8Array.of(0x2d, 0x00, 0x10)]));
    expect(layer.events).toBe(0);
  });
});

describe("urbRules", () => {
  it("lists each rule once, with IDs that RULES.md defines", () => {
    const ids = urbRules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const catalogue = readFileSync(resolve(process.cwd(), "../shared/RULES.md"), "utf8");
    for (const id of ids) if (!PROPOSED_RULE_IDS.includes(id)) expect(catalogue, id).toContain(id);
    expect(PROPOSED_RULE_IDS).toEqual(["FMT_TEXT_MALFORMED", "URB_TYPE_MISMATCH", "URB_UNKNOWN_TYPE"]);
    for (const r of urbRules) expect(["error", "warning", "info"]).toContain(r.severity);
  });
});
