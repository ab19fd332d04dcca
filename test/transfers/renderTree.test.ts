import { describe, expect, it } from "vitest";
import { renderTree } from "../../src/report/transferTree.js";
import { run } from "./helpers/context.js";
import { NAK, inTok } from "./helpers/packets.js";
import { GET_DESCRIPTOR_DEVICE, controlRead, range } from "./helpers/scenarios.js";

describe("renderTree", () => {
  const r = run(
    [...controlRead(3, GET_DESCRIPTOR_DEVICE(18), [range(18)]), inTok(3, 1), NAK, inTok(3, 1), NAK],
    { endpointTypes: { "3:0x81": "interrupt" } },
  );

  it("renders transfers at depth 1", () => {
    expect(renderTree(r.transfers, 1)).toBe(
      [
        "Control transfer on 3.0 IN: GET_DESCRIPTOR DEVICE, 18 data bytes, ok [packet 0]",
        "Polling 2 times on 3.1 IN, NAK [packet 9]",
        "",
      ].join("\n"),
    );
  });

  it("adds transactions at depth 2 and packets at depth 3", () => {
    const two = renderTree(r.transfers, 2).split("\n");
    expect(two.slice(0, 4)).toEqual([
      "Control transfer on 3.0 IN: GET_DESCRIPTOR DEVICE, 18 data bytes, ok [packet 0]",
      "  SETUP DATA0 ACK, 8 bytes, ACK [transaction 0]",
      "  IN DATA1 ACK, 18 bytes, ACK [transaction 1]",
      "  OUT DATA1 ACK, 0 bytes, ACK [transaction 2]",
    ]);
    const three = renderTree(r.transfers.slice(1), 3).split("\n");
    expect(three).toEqual([
      "Polling 2 times on 3.1 IN, NAK [packet 9]",
      "  IN NAK, NAK [transaction 3]",
      "    IN [packet 9]",
      "    NAK [packet 10]",
      "  IN NAK, NAK [transaction 4]",
      "    IN [packet 11]",
      "    NAK [packet 12]",
      "",
    ]);
  });
});
