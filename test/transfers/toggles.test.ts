import { describe, expect, it } from "vitest";
import { LinkType, Pid } from "../../as/shared/constants.js";
import { run } from "./helpers/context.js";
import { ACK, NAK, data, data0, data1, inTok, outTok, setupBytes, split } from "./helpers/packets.js";
import { controlNoData } from "./helpers/scenarios.js";

const BULK = { "5:0x81": "bulk", "5:0x02": "bulk" } as const;
const bulkIn = (pid: Pid, payload: number[]) => [inTok(5, 1), data(pid, payload), ACK];

describe("TOGGLE_BULK_INT (§8.6)", () => {
  it("flags a DATA PID that does not alternate after an ACK, at its data packet", () => {
    const r = run([...bulkIn(Pid.DATA0, [1]), ...bulkIn(Pid.DATA0, [2])], { endpointTypes: BULK });
    expect(r.rule("TOGGLE_BULK_INT").map((f) => [f.packet, f.severity])).toEqual([[4, "error"]]);
  });

  it("stays silent when toggles alternate and NAKed attempts repeat the same toggle", () => {
    const r = run(
      [
        ...bulkIn(Pid.DATA0, [1]),
        inTok(5, 1),
        NAK,
        ...bulkIn(Pid.DATA1, [2]),
        outTok(5, 2),
        data0([7]),
        NAK,
        outTok(5, 2),
        data0([7]),
        ACK,
        outTok(5, 2),
        data1([8]),
        ACK,
      ],
      { endpointTypes: BULK },
    );
    expect(r.rule("TOGGLE_BULK_INT")).toEqual([]);
  });

  it("reports the same PID with identical data after an ACK as a retransmission (info) and counts it once", () => {
    const r = run(
      [...bulkIn(Pid.DATA0, [1, 2, 3]), ...bulkIn(Pid.DATA0, [1, 2, 3]), ...bulkIn(Pid.DATA1, [4])],
      { endpointTypes: BULK },
    );
    expect(r.rule("TOGGLE_BULK_INT").map((f) => [f.packet, f.severity])).toEqual([[4, "info"]]);
    const counted = r.transfers.filter((t) => t.device === 5).reduce((s, t) => s + t.dataLength, 0);
    expect(counted).toBe(4);
  });

  it("reports a resend after a lost handshake as info, and counts the data once", () => {
    const r = run(
      [outTok(5, 2), data0([9, 9]), outTok(5, 2), data0([9, 9]), ACK, outTok(5, 2), data1([1]), ACK],
      { endpointTypes: BULK },
    );
    expect(r.rule("TOGGLE_BULK_INT").map((f) => [f.packet, f.severity])).toEqual([[3, "info"]]);
    expect(r.rule("NO_HANDSHAKE").map((f) => f.packet)).toEqual([1]);
    expect(r.transfers.filter((t) => t.device === 5).reduce((s, t) => s + t.dataLength, 0)).toBe(3);
  });

  it("flags the same PID with different data after an ACK as an error", () => {
    const r = run([...bulkIn(Pid.DATA1, [1]), ...bulkIn(Pid.DATA0, [2]), ...bulkIn(Pid.DATA0, [3])], {
      endpointTypes: BULK,
    });
    expect(r.rule("TOGGLE_BULK_INT").map((f) => [f.packet, f.severity])).toEqual([[7, "error"]]);
  });

  it("tracks toggles per device, endpoint and direction", () => {
    const types = { ...BULK, "6:0x81": "bulk" } as const;
    const r = run(
      [
        ...bulkIn(Pid.DATA0, [1]),
        inTok(6, 1),
        data0([1]),
        ACK,
        outTok(5, 2),
        data0([1]),
        ACK,
        ...bulkIn(Pid.DATA1, [2]),
      ],
      { endpointTypes: types },
    );
    expect(r.rule("TOGGLE_BULK_INT")).toEqual([]);
  });

  it("checks the data of a split pair: start split's DATA PID, complete split's handshake", () => {
    const ss = () => split({ hub: 9, port: 1, complete: false, et: 2 });
    const cs = () => split({ hub: 9, port: 1, complete: true, et: 2 });
    const pair = (pid: Pid, payload: number[]) => [
      ss(),
      outTok(5, 2),
      data(pid, payload),
      ACK,
      cs(),
      outTok(5, 2),
      ACK,
    ];
    const good = run([...pair(Pid.DATA0, [1]), ...pair(Pid.DATA1, [2])]);
    expect(good.rule("TOGGLE_BULK_INT")).toEqual([]);
    const bad = run([...pair(Pid.DATA0, [1]), ...pair(Pid.DATA0, [2])]);
    expect(bad.rule("TOGGLE_BULK_INT").map((f) => f.severity)).toEqual(["error"]);
  });
});

describe("TOGGLE_RESET_DATA0 (§9.1.1.5)", () => {
  const setConfig = controlNoData(5, setupBytes(0x00, 9, 1, 0, 0));
  const clearHalt = controlNoData(5, setupBytes(0x02, 1, 0, 0x81, 0));
  const setInterface = controlNoData(5, setupBytes(0x01, 11, 1, 0, 0));

  it("flags DATA1 as the first packet after SET_CONFIGURATION", () => {
    const packets = [...bulkIn(Pid.DATA0, [1]), ...setConfig, ...bulkIn(Pid.DATA1, [2])];
    const r = run(packets, { endpointTypes: BULK });
    expect(r.rule("TOGGLE_RESET_DATA0").map((f) => f.packet)).toEqual([packets.length - 2]);
    expect(r.rule("TOGGLE_BULK_INT")).toEqual([]);
  });

  it("stays silent on DATA0 after SET_CONFIGURATION", () => {
    const r = run([...bulkIn(Pid.DATA0, [1]), ...setConfig, ...bulkIn(Pid.DATA0, [2])], {
      endpointTypes: BULK,
    });
    expect(r.rule("TOGGLE_RESET_DATA0")).toEqual([]);
    expect(r.rule("TOGGLE_BULK_INT")).toEqual([]);
  });

  it("flags DATA1 after CLEAR_FEATURE(ENDPOINT_HALT) on that endpoint only", () => {
    const packets = [
      ...bulkIn(Pid.DATA0, [1]),
      outTok(5, 2),
      data0([1]),
      ACK,
      ...clearHalt,
      outTok(5, 2),
      data1([2]),
      ACK,
      ...bulkIn(Pid.DATA1, [2]),
    ];
    const r = run(packets, { endpointTypes: BULK });
    expect(r.rule("TOGGLE_RESET_DATA0").map((f) => f.packet)).toEqual([packets.length - 2]);
  });

  it("after SET_INTERFACE with the configuration known, flags a first DATA1 on the new alternate setting's endpoints only", () => {
    // SET_INTERFACE(interface 0, alternate 1): its endpoints (0x81) restart at DATA0; 0x02 belongs elsewhere.
    const ifaces = { "5:0:1": [0x81] };
    const packets = [
      ...bulkIn(Pid.DATA0, [1]),
      outTok(5, 2),
      data0([1]),
      ACK,
      ...setInterface,
      outTok(5, 2),
      data1([2]),
      ACK,
      ...bulkIn(Pid.DATA1, [2]),
    ];
    const r = run(packets, { endpointTypes: BULK, interfaceEndpoints: ifaces });
    expect(r.rule("TOGGLE_RESET_DATA0").map((f) => f.packet)).toEqual([packets.length - 2]);
    expect(r.rule("TOGGLE_BULK_INT")).toEqual([]);
    const good = run([...bulkIn(Pid.DATA0, [1]), ...setInterface, ...bulkIn(Pid.DATA0, [2])], {
      endpointTypes: BULK,
      interfaceEndpoints: ifaces,
    });
    expect(good.rule("TOGGLE_RESET_DATA0")).toEqual([]);
    expect(good.rule("TOGGLE_BULK_INT")).toEqual([]);
  });

  it("after SET_INTERFACE with no descriptors, flags DATA1 only when it does not continue the old sequence either", () => {
    const continues = run([...bulkIn(Pid.DATA0, [1]), ...setInterface, ...bulkIn(Pid.DATA1, [2])], {
      endpointTypes: BULK,
    });
    expect(continues.rule("TOGGLE_RESET_DATA0")).toEqual([]);
    const breaks = run(
      [...bulkIn(Pid.DATA0, [1]), ...bulkIn(Pid.DATA1, [2]), ...setInterface, ...bulkIn(Pid.DATA1, [3])],
      { endpointTypes: BULK },
    );
    expect(breaks.rule("TOGGLE_RESET_DATA0")).toHaveLength(1);
  });
});

describe("TOGGLE_ISO (§5.9.2)", () => {
  const ISO = { "5:0x83": "isochronous", "5:0x81": "bulk" } as const;
  it("flags DATA1 on a full-speed isochronous endpoint", () => {
    const r = run([inTok(5, 3), data1([1, 2])], {
      endpointTypes: ISO,
      speed: "full",
      linktype: LinkType.USB_2_0_FULL_SPEED,
    });
    expect(r.rule("TOGGLE_ISO").map((f) => f.packet)).toEqual([1]);
  });

  it("stays silent on DATA0 at full speed and DATA2 at high speed", () => {
    expect(
      run([inTok(5, 3), data0([1, 2]), inTok(5, 3), data0([1, 2])], {
        endpointTypes: ISO,
        speed: "full",
        linktype: LinkType.USB_2_0_FULL_SPEED,
      }).rule("TOGGLE_ISO"),
    ).toEqual([]);
    expect(
      run([inTok(5, 3), data(Pid.DATA2, [1, 2]), inTok(5, 3), data1([1, 2])], {
        endpointTypes: ISO,
        speed: "high",
      }).rule("TOGGLE_ISO"),
    ).toEqual([]);
  });

  it("does not judge high-bandwidth PIDs when the speed is unknown (link type 288)", () => {
    expect(
      run([inTok(5, 3), data(Pid.DATA2, [1, 2])], {
        endpointTypes: ISO,
        speed: "unknown",
        linktype: LinkType.USB_2_0,
      }).rule("TOGGLE_ISO"),
    ).toEqual([]);
  });

  it("allows MDATA from an isochronous complete split, flags DATA1 from an isochronous start split", () => {
    const cs = split({ hub: 9, port: 1, complete: true, et: 1 });
    expect(
      run([cs, inTok(5, 3), data(Pid.MDATA, [1, 2])], { endpointTypes: ISO }).rule("TOGGLE_ISO"),
    ).toEqual([]);
    const ss = split({ hub: 9, port: 1, complete: false, et: 1 });
    expect(
      run([ss, outTok(5, 4), data1([1, 2])], { endpointTypes: ISO })
        .rule("TOGGLE_ISO")
        .map((f) => f.packet),
    ).toEqual([2]); // SSPLIT, OUT, DATA1: the data packet
  });

  it("flags DATA2 on a bulk endpoint", () => {
    const r = run([inTok(5, 1), data(Pid.DATA2, [1]), ACK], { endpointTypes: ISO });
    expect(r.rule("TOGGLE_ISO").map((f) => f.packet)).toEqual([1]);
  });
});
