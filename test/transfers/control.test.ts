import { describe, expect, it } from "vitest";
import { LinkType, Pid } from "../../as/shared/constants.js";
import { run } from "./helpers/context.js";
import {
  ACK,
  NAK,
  STALL,
  data0,
  data1,
  inTok,
  outTok,
  setupBytes,
  setupTok,
  split,
} from "./helpers/packets.js";
import {
  GET_DESCRIPTOR_DEVICE,
  SET_ADDRESS,
  chunk,
  controlNoData,
  controlRead,
  controlWrite,
  deviceDescriptor,
  inData,
  range,
  setupStage,
  statusIn,
  statusOut,
} from "./helpers/scenarios.js";

const LOW = { speed: "low", linktype: LinkType.USB_2_0_LOW_SPEED } as const;
const MS = 1_000_000;

/** Times 1 µs apart, with `gapNs` added before packet `at` and every packet after it. */
function timesWithGap(n: number, at: number, gapNs: number): number[] {
  return Array.from({ length: n }, (_, i) => i * 1000 + (i >= at ? gapNs : 0));
}

describe("control transfers (§8.5.3)", () => {
  it("reconstructs a control read: setup, data in packets, status", () => {
    const desc = deviceDescriptor(8);
    const packets = controlRead(0, GET_DESCRIPTOR_DEVICE(64), chunk(desc, 8));
    const r = run(packets, LOW);
    expect(r.controls).toHaveLength(1);
    const ct = r.controls[0];
    expect(ct).toMatchObject({
      index: 0,
      source: "packets",
      address: 0,
      request: "GET_DESCRIPTOR DEVICE",
      status: "ok",
      firstPacket: 0,
      lastPacket: packets.length - 1,
    });
    expect(ct.setup).toEqual({ bmRequestType: 0x80, bRequest: 6, wValue: 0x0100, wIndex: 0, wLength: 64 });
    expect(Array.from(ct.data)).toEqual(desc);
    expect(ct.statusTime).toBeDefined();
    expect(r.findings).toEqual([]);
  });

  it("reconstructs a control write and a request without data stage", () => {
    const r = run([
      ...controlWrite(3, setupBytes(0x21, 0x09, 0x0200, 0, 3), [[1, 2, 3]]),
      ...controlNoData(3, setupBytes(0x00, 9, 1, 0, 0)),
    ]);
    expect(r.controls.map((c) => [c.request, c.status, Array.from(c.data)])).toEqual([
      ["class OUT 0x09 to interface wValue=0x0200 wIndex=0x0000 wLength=3", "ok", [1, 2, 3]],
      ["SET_CONFIGURATION 1", "ok", []],
    ]);
    expect(r.findings).toEqual([]);
  });

  it("moves a device to its new address after SET_ADDRESS", () => {
    const r = run([
      ...controlNoData(0, SET_ADDRESS(7)),
      ...controlRead(7, GET_DESCRIPTOR_DEVICE(18), chunk(deviceDescriptor(64), 64)),
    ]);
    expect(r.controls.map((c) => [c.address, c.request, c.status])).toEqual([
      [0, "SET_ADDRESS 7", "ok"],
      [7, "GET_DESCRIPTOR DEVICE", "ok"],
    ]);
  });

  it("folds NAKs into the transfer and lists them in the tree", () => {
    const packets = [
      ...setupStage(2, GET_DESCRIPTOR_DEVICE(18)),
      inTok(2),
      NAK,
      inTok(2),
      NAK,
      ...inData(2, [range(18)]),
      ...statusOut(2),
    ];
    const r = run(packets);
    expect(r.controls[0].status).toBe("ok");
    expect(r.transfers[0]).toMatchObject({ kind: "control", nakCount: 2, dataLength: 18 });
    expect(r.transfers[0].transactions.map((t) => t.outcome)).toEqual(["ACK", "NAK", "NAK", "ACK", "ACK"]);
  });
});

describe("CTRL_STALL and CTRL_INCOMPLETE", () => {
  it("reports a STALLed request as info and the transfer as stall", () => {
    const r = run([...setupStage(2, setupBytes(0x80, 6, 0x0600, 0, 10)), inTok(2), STALL]);
    expect(r.controls.map((c) => c.status)).toEqual(["stall"]);
    expect(r.rule("CTRL_STALL").map((f) => [f.packet, f.severity])).toEqual([[0, "info"]]);
  });

  it("flags a transfer abandoned by a new SETUP as an error, and one cut by the capture's end as info", () => {
    const packets = [
      ...setupStage(2, GET_DESCRIPTOR_DEVICE(18)),
      inTok(2),
      NAK,
      inTok(2),
      NAK,
      ...setupStage(2, GET_DESCRIPTOR_DEVICE(18)),
      inTok(2),
      NAK,
    ];
    const r = run(packets);
    expect(r.controls.map((c) => [c.index, c.status])).toEqual([
      [0, "incomplete"],
      [1, "incomplete"],
    ]);
    expect(r.rule("CTRL_INCOMPLETE").map((f) => [f.packet, f.severity])).toEqual([
      [0, "error"],
      [7, "info"],
    ]);
    expect(r.rule("CTRL_INCOMPLETE")[0].message).toMatch(/2 NAKs/);
  });

  it("reports a read the host dropped after the data stage (Windows' first 64-byte read) as info", () => {
    const packets = [
      ...setupStage(0, GET_DESCRIPTOR_DEVICE(64)),
      ...inData(0, [range(8), range(8), range(2)]),
      ...controlNoData(0, SET_ADDRESS(3)),
    ];
    const r = run(packets, { speed: "full", linktype: LinkType.USB_2_0_FULL_SPEED });
    expect(r.rule("CTRL_INCOMPLETE").map((f) => [f.packet, f.severity])).toEqual([[0, "info"]]);
    expect(r.controls.map((c) => [c.status, c.data.length])).toEqual([
      ["incomplete", 18],
      ["ok", 0],
    ]);
  });

  it("stays silent on completed transfers", () => {
    const r = run(controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(18)]));
    expect(r.rule("CTRL_INCOMPLETE")).toEqual([]);
    expect(r.rule("CTRL_STALL")).toEqual([]);
  });
});

describe("data stage rules", () => {
  it("CTRL_RESP_OVER_WLENGTH flags more data than wLength", () => {
    const r = run(controlRead(2, GET_DESCRIPTOR_DEVICE(4), [range(8)]));
    expect(r.rule("CTRL_RESP_OVER_WLENGTH").map((f) => f.packet)).toEqual([3]);
    expect(run(controlRead(2, GET_DESCRIPTOR_DEVICE(8), [range(8)])).rule("CTRL_RESP_OVER_WLENGTH")).toEqual(
      [],
    );
  });

  it("CTRL_ZLP_MISSING flags a short reply that is a multiple of wMaxPacketSize0 with no zero-length packet", () => {
    const r = run(controlRead(2, GET_DESCRIPTOR_DEVICE(64), [range(8), range(8)]), LOW);
    expect(r.rule("CTRL_ZLP_MISSING").map((f) => f.packet)).toEqual([9]);
  });

  it("CTRL_ZLP_MISSING stays silent with the zero-length packet, or when wLength is met", () => {
    expect(
      run(controlRead(2, GET_DESCRIPTOR_DEVICE(64), [range(8), range(8), []]), LOW).rule("CTRL_ZLP_MISSING"),
    ).toEqual([]);
    expect(
      run(controlRead(2, GET_DESCRIPTOR_DEVICE(16), [range(8), range(8)]), LOW).rule("CTRL_ZLP_MISSING"),
    ).toEqual([]);
  });

  it("CTRL_PKT_SIZE flags a data packet above bMaxPacketSize0 (low speed: 8)", () => {
    const r = run(controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(9), range(9)]), LOW);
    expect(r.rule("CTRL_PKT_SIZE").map((f) => f.packet)).toEqual([3, 6]);
    expect(
      run(controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(8), range(8), range(2)]), LOW).rule(
        "CTRL_PKT_SIZE",
      ),
    ).toEqual([]);
  });

  it("CTRL_PKT_SIZE uses bMaxPacketSize0 from the device descriptor the device returned", () => {
    const packets = [
      ...controlRead(2, GET_DESCRIPTOR_DEVICE(18), [deviceDescriptor(16)]),
      ...controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(18)]),
    ];
    const r = run(packets); // high speed: 64 until the descriptor says 16
    expect(r.rule("CTRL_PKT_SIZE").map((f) => f.packet)).toEqual([12]);
  });

  it("at full speed, checks the 64-byte limit but not short packets until the descriptor gives bMaxPacketSize0", () => {
    const FULL = { speed: "full", linktype: LinkType.USB_2_0_FULL_SPEED } as const;
    // An FS device with bMaxPacketSize0 8 answering its first GET_DESCRIPTOR: 8-byte packets are not short.
    const first = run(controlRead(0, GET_DESCRIPTOR_DEVICE(64), chunk(deviceDescriptor(8), 8)), FULL);
    expect(first.findings).toEqual([]);
    expect(
      run(controlRead(0, GET_DESCRIPTOR_DEVICE(100), [range(65), range(10)]), FULL)
        .rule("CTRL_PKT_SIZE")
        .map((f) => f.packet),
    ).toEqual([3]);
  });

  it("takes a split device's speed from the SPLIT S bit (low speed: 8-byte packets)", () => {
    const ss = () => split({ hub: 9, port: 1, complete: false, et: 0, s: true });
    const cs = () => split({ hub: 9, port: 1, complete: true, et: 0, s: true });
    const packets = [
      ss(),
      setupTok(0),
      data0(GET_DESCRIPTOR_DEVICE(64)),
      ACK,
      cs(),
      setupTok(0),
      ACK,
      ss(),
      inTok(0),
      ACK,
      cs(),
      inTok(0),
      data1(range(9)),
    ];
    expect(
      run(packets)
        .rule("CTRL_PKT_SIZE")
        .map((f) => f.packet),
    ).toEqual([7]);
  });

  it("CTRL_PKT_SIZE is skipped when the speed and the descriptor are unknown", () => {
    const r = run(controlRead(2, GET_DESCRIPTOR_DEVICE(200), [range(100)]), {
      speed: "unknown",
      linktype: LinkType.USB_2_0,
    });
    expect(r.rule("CTRL_PKT_SIZE")).toEqual([]);
  });

  it("CTRL_DATA_AFTER_END reports a device that keeps sending once per transfer", () => {
    const r = run(controlRead(2, GET_DESCRIPTOR_DEVICE(8), [range(8), range(8), range(8), range(8)]), LOW);
    expect(r.rule("CTRL_DATA_AFTER_END").map((f) => f.packet)).toEqual([6]);
  });

  it("CTRL_DATA_AFTER_END flags data after a short packet", () => {
    const r = run(controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(4), range(4)]), LOW);
    expect(r.rule("CTRL_DATA_AFTER_END").map((f) => f.packet)).toEqual([6]);
    expect(
      run(controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(8), range(4)]), LOW).rule("CTRL_DATA_AFTER_END"),
    ).toEqual([]);
  });
});

describe("setup stage rules", () => {
  it("CTRL_SETUP_NOT_ACKED flags a NAKed or STALLed SETUP", () => {
    const r = run([
      setupTok(2),
      data0(GET_DESCRIPTOR_DEVICE(18)),
      NAK,
      ...controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(18)]),
    ]);
    expect(r.rule("CTRL_SETUP_NOT_ACKED").map((f) => f.packet)).toEqual([0]);
    // The retry with the same bytes is the same transfer.
    expect(r.controls.map((c) => [c.firstPacket, c.status])).toEqual([[0, "ok"]]);
    expect(run(controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(18)])).rule("CTRL_SETUP_NOT_ACKED")).toEqual(
      [],
    );
  });

  it("CTRL_SETUP_FORMAT flags setup data sent as DATA1", () => {
    const r = run([setupTok(2), data1(GET_DESCRIPTOR_DEVICE(18)), ACK]);
    expect(r.rule("CTRL_SETUP_FORMAT").map((f) => f.packet)).toEqual([0]);
    expect(run(setupStage(2, GET_DESCRIPTOR_DEVICE(18))).rule("CTRL_SETUP_FORMAT")).toEqual([]);
  });

  it("SETADDR_FORMAT flags a SET_ADDRESS with wValue over 127 or nonzero wIndex", () => {
    const r = run([
      ...controlNoData(0, setupBytes(0, 5, 200, 0, 0)),
      ...controlNoData(0, setupBytes(0, 5, 3, 1, 0)),
    ]);
    expect(r.rule("SETADDR_FORMAT").map((f) => f.packet)).toEqual([0, 6]);
    expect(run(controlNoData(0, SET_ADDRESS(3))).rule("SETADDR_FORMAT")).toEqual([]);
  });

  it("EP0_HALT flags CLEAR_FEATURE(ENDPOINT_HALT) on endpoint 0", () => {
    const r = run(controlNoData(2, setupBytes(0x02, 1, 0, 0x80, 0)));
    expect(r.rule("EP0_HALT").map((f) => f.packet)).toEqual([0]);
    expect(run(controlNoData(2, setupBytes(0x02, 1, 0, 0x81, 0))).rule("EP0_HALT")).toEqual([]);
  });

  it("EP0_HALT flags an EP0 STALL that persists into the next SETUP", () => {
    const stalled = [...setupStage(2, setupBytes(0x80, 6, 0x0600, 0, 10)), inTok(2), STALL];
    const r = run([...stalled, setupTok(2), data0(GET_DESCRIPTOR_DEVICE(18)), STALL]);
    expect(r.rule("EP0_HALT").map((f) => f.packet)).toEqual([5]);
    expect(
      run([...stalled, ...controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(18)])]).rule("EP0_HALT"),
    ).toEqual([]);
  });
});

describe("control toggles", () => {
  it("TOGGLE_CTRL_DATA1_FIRST flags a data stage starting with DATA0", () => {
    const r = run([
      ...setupStage(2, GET_DESCRIPTOR_DEVICE(18)),
      ...inData(2, [range(18)], Pid.DATA0),
      ...statusOut(2),
    ]);
    expect(r.rule("TOGGLE_CTRL_DATA1_FIRST").map((f) => [f.packet, f.severity])).toEqual([[3, "error"]]);
  });

  it("TOGGLE_CTRL_DATA1_FIRST flags a data stage that does not alternate", () => {
    const r = run(
      [
        ...setupStage(2, GET_DESCRIPTOR_DEVICE(18)),
        inTok(2),
        data1(range(8)),
        ACK,
        inTok(2),
        data1(range(8, 8)),
        ACK,
        ...statusOut(2),
      ],
      LOW,
    );
    expect(r.rule("TOGGLE_CTRL_DATA1_FIRST").map((f) => [f.packet, f.severity])).toEqual([[6, "error"]]);
  });

  it("reports a repeated data packet after a handshake the device missed as info, counted once", () => {
    const r = run(
      [
        ...setupStage(2, GET_DESCRIPTOR_DEVICE(12)),
        inTok(2),
        data1(range(8)),
        ACK,
        inTok(2),
        data1(range(8)),
        ACK,
        inTok(2),
        data0(range(4, 8)),
        ACK,
        ...statusOut(2),
      ],
      LOW,
    );
    expect(r.rule("TOGGLE_CTRL_DATA1_FIRST").map((f) => [f.packet, f.severity])).toEqual([[6, "info"]]);
    expect(r.controls[0].data.length).toBe(12);
    expect(r.controls[0].status).toBe("ok");
  });

  it("stays silent on a well-formed data stage", () => {
    expect(
      run(controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(8), range(8), range(2)]), LOW).rule(
        "TOGGLE_CTRL_DATA1_FIRST",
      ),
    ).toEqual([]);
  });

  it("TOGGLE_CTRL_STATUS flags a status stage that is DATA0 or carries data", () => {
    const r = run([
      ...setupStage(2, GET_DESCRIPTOR_DEVICE(18)),
      ...inData(2, [range(18)]),
      outTok(2),
      data0([]),
      ACK,
    ]);
    expect(r.rule("TOGGLE_CTRL_STATUS").map((f) => f.packet)).toEqual([6]);
    const r2 = run([...setupStage(2, SET_ADDRESS(4)), inTok(2), data1([0]), ACK]);
    expect(r2.rule("TOGGLE_CTRL_STATUS").map((f) => f.packet)).toEqual([3]);
  });

  it("TOGGLE_CTRL_STATUS flags an OUT status stage for a request without data stage", () => {
    const r = run([...setupStage(2, SET_ADDRESS(4)), outTok(2), data1([]), ACK, ...statusIn(2)]);
    expect(r.rule("TOGGLE_CTRL_STATUS").map((f) => f.packet)).toEqual([3]);
  });

  it("TOGGLE_CTRL_STATUS stays silent on a zero-length DATA1 in the opposite direction", () => {
    const r = run([
      ...controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(18)]),
      ...controlNoData(2, SET_ADDRESS(4)),
    ]);
    expect(r.rule("TOGGLE_CTRL_STATUS")).toEqual([]);
  });
});

describe("timing (§9.2.6)", () => {
  it("SETADDR_TIMING flags a SET_ADDRESS status stage later than 50 ms", () => {
    const packets = controlNoData(0, SET_ADDRESS(4));
    const r = run(packets, { timesNs: timesWithGap(packets.length, 3, 60 * MS) });
    expect(r.rule("SETADDR_TIMING").map((f) => f.packet)).toEqual([0]);
    expect(r.rule("REQ_TIMING")).toEqual([]);
    expect(
      run(packets, { timesNs: timesWithGap(packets.length, 3, 10 * MS) }).rule("SETADDR_TIMING"),
    ).toEqual([]);
  });

  it("SETADDR_TIMING flags a device that still answers at its old address after SET_ADDRESS", () => {
    const packets = [...controlNoData(0, SET_ADDRESS(4)), ...setupStage(0, GET_DESCRIPTOR_DEVICE(18))];
    expect(
      run(packets)
        .rule("SETADDR_TIMING")
        .map((f) => f.packet),
    ).toEqual([6]);
    const moved = [
      ...controlNoData(0, SET_ADDRESS(4)),
      ...controlRead(4, GET_DESCRIPTOR_DEVICE(18), [range(18)]),
      ...setupStage(0, GET_DESCRIPTOR_DEVICE(18)),
    ];
    expect(run(moved).rule("SETADDR_TIMING")).toEqual([]); // once it answered at 4, a device at 0 is a new one
  });

  it("SETADDR_TIMING flags a device that does not accept a SETUP at its new address after the 2 ms recovery (§9.2.6.3)", () => {
    const setAddress = controlNoData(0, SET_ADDRESS(4));
    // The host's first SETUP to address 4: token and DATA0, and no ACK from the device.
    const unanswered = [...setAddress, setupTok(4), data0(GET_DESCRIPTOR_DEVICE(18))];
    const late = run(unanswered, { timesNs: timesWithGap(unanswered.length, setAddress.length, 3 * MS) });
    expect(late.rule("SETADDR_TIMING").map((f) => f.packet)).toEqual([setAddress.length]);
    expect(late.rule("SETADDR_TIMING")[0]!.message).toMatch(
      /did not answer the SETUP at its new address 4, sent 3\.0 ms after/,
    );
    // Within the 2 ms the device may still be busy: the host's haste, not the device's fault.
    expect(
      run(unanswered, { timesNs: timesWithGap(unanswered.length, setAddress.length, 1 * MS) }).rule(
        "SETADDR_TIMING",
      ),
    ).toEqual([]);
    // Answered after the recovery: nothing to say.
    const answered = [...setAddress, ...controlRead(4, GET_DESCRIPTOR_DEVICE(18), [range(18)])];
    expect(
      run(answered, { timesNs: timesWithGap(answered.length, setAddress.length, 3 * MS) }).rule(
        "SETADDR_TIMING",
      ),
    ).toEqual([]);
  });

  it("REQ_TIMING warns about a no-data request over 50 ms and a first IN data packet over 500 ms", () => {
    const noData = controlNoData(2, setupBytes(0, 9, 1, 0, 0));
    const r = run(noData, { timesNs: timesWithGap(noData.length, 3, 60 * MS) });
    expect(r.rule("REQ_TIMING").map((f) => [f.packet, f.severity])).toEqual([[0, "warning"]]);
    const read = controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(18)]);
    const r2 = run(read, { timesNs: timesWithGap(read.length, 3, 600 * MS) });
    expect(r2.rule("REQ_TIMING").map((f) => f.message)).toEqual([
      expect.stringMatching(/first IN data 600\.\d ms/),
    ]);
  });

  it("REQ_TIMING stays silent on prompt requests", () => {
    const read = controlRead(2, GET_DESCRIPTOR_DEVICE(18), [range(18)]);
    expect(run(read, { timesNs: timesWithGap(read.length, 3, 20 * MS) }).rule("REQ_TIMING")).toEqual([]);
  });
});

describe("data stage integrity", () => {
  it("marks a transfer whose data packet is missing from the capture as error, not ok", () => {
    // IN → (data lost) → ACK: the host took data we never saw (iso-unambiguous has this).
    const r = run([...setupStage(2, GET_DESCRIPTOR_DEVICE(2)), inTok(2), ACK, ...statusOut(2)]);
    expect(r.controls.map((c) => c.status)).toEqual(["error"]);
    expect(r.rule("PID_SEQUENCE").map((f) => f.packet)).toEqual([4]);
  });

  it("keeps a data payload split over batches intact", () => {
    const desc = deviceDescriptor(8);
    const r = run(controlRead(0, GET_DESCRIPTOR_DEVICE(18), chunk(desc, 8)), { ...LOW, batchSize: 1 });
    expect(Array.from(r.controls[0].data)).toEqual(desc);
  });
});
