// usbscope diff on built pairs that differ in one thing: a descriptor field, a request, a timing; and an
// expectations file against a capture.
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { buildCapture, tempDir, writeCapture, type Variant } from "./helpers.js";

const dir = tempDir();
let n = 0;
const file = (v: Variant = {}) => writeCapture(dir, `d-${n++}.pcap`, buildCapture("pcap", v));

interface DiffJson {
  device: string;
  same: boolean;
  identity: { field: string; message: string }[];
  descriptors: { where: string; field?: string; kind: string; a?: unknown; b?: unknown; message: string }[];
  timeline: { change: string; step: string; message: string }[];
  findings: { onlyA: { rule: string }[]; onlyB: { rule: string; severity: string; count: number }[] };
  notes: string[];
}

async function diff(a: string, b: string): Promise<{ code: number; json: DiffJson; text: string }> {
  const j = await cli(["diff", "--json", a, b]);
  const t = await cli(["diff", a, b]);
  expect(j.err).toBe("");
  expect(t.code).toBe(j.code);
  return { code: j.code, json: JSON.parse(j.out) as DiffJson, text: t.out };
}

/** GET_STATUS to the device after enumeration (§9.4.5); `stall`: the device STALLs it. */
const getStatus = (stall: boolean): Variant => ({
  afterRaw: (sim) =>
    void sim.controlRead(
      5,
      { bmRequestType: 0x80, bRequest: 0, wValue: 0, wIndex: 0, wLength: 2 },
      stall ? undefined : Uint8Array.of(0, 0),
      64,
    ),
});

describe("usbscope diff", () => {
  it("the same product twice: no differences, exit 0", async () => {
    const r = await diff(file(), file());
    expect(r.code).toBe(0);
    expect(r.json.same).toBe(true);
    expect(r.text.trimEnd().split("\n").at(-1)).toBe("no differences");
  });

  it("one descriptor field: that field and nothing else", async () => {
    const r = await diff(file(), file({ bulkIn: { wMaxPacketSize: 32 } }));
    expect(r.code).toBe(1);
    expect(r.json.descriptors).toEqual([
      {
        where: "configuration 1, interface 1 (CDC Data), endpoint 0x83",
        field: "wMaxPacketSize",
        kind: "changed",
        a: 64,
        b: 32,
        message: "configuration 1, interface 1 (CDC Data), endpoint 0x83: wMaxPacketSize 64 → 32",
      },
    ]);
    expect([r.json.identity, r.json.timeline, r.json.findings.onlyA, r.json.findings.onlyB]).toEqual([
      [],
      [],
      [],
      [],
    ]);
    expect(r.text).toContain(
      "\nDescriptors\n  configuration 1, interface 1 (CDC Data), endpoint 0x83: wMaxPacketSize 64 → 32\n",
    );
  });

  it("one request: a request only one side made, and one whose answer changed (with the finding only that side has)", async () => {
    const added = await diff(file(getStatus(false)), file());
    expect(added.json.timeline.map((t) => [t.change, t.message.replace(/ \(#\d+\)$/, "")])).toEqual([
      ["removed", "GET_STATUS: only in A"],
    ]);
    expect([added.json.descriptors, added.json.identity]).toEqual([[], []]);
    const stalled = await diff(file(getStatus(false)), file(getStatus(true)));
    expect(stalled.json.timeline.map((t) => [t.change, t.message])).toEqual([
      ["answer", "GET_STATUS: answered ok, 2 bytes in A, stall, 0 bytes in B"],
    ]);
    expect(stalled.json.findings.onlyA).toEqual([]);
    expect(stalled.json.findings.onlyB.map((f) => f.rule)).toContain("CTRL_STALL");
    expect(stalled.json.descriptors).toEqual([]);
  });

  it("one timing: the request that came later, and the enumeration time", async () => {
    const r = await diff(file(), file({ enumerate: { setAddressDelayNs: 300_000_000 } }));
    expect(r.json.timeline).toHaveLength(1);
    expect(r.json.timeline[0]!.change).toBe("slower");
    expect(r.json.timeline[0]!.message).toMatch(
      /^GET_DESCRIPTOR DEVICE \(wLength 18\): came 300\.\d ms after the previous request in B, 10\.\d ms in A$/,
    );
    expect(r.json.identity.map((i) => i.field)).toEqual(["enumerationMs"]);
    expect(r.json.identity[0]!.message).toMatch(/^enumeration took 3\d\d\.\d ms in B, 11\.\d ms in A$/);
    expect([r.json.descriptors, r.json.findings.onlyB]).toEqual([[], []]);
    // Jitter below the threshold is no difference.
    expect((await diff(file(), file({ enumerate: { setAddressDelayNs: 12_000_000 } }))).json.same).toBe(true);
  });

  it("an expectations file against a capture: descriptors and state; what the file cannot hold is said", async () => {
    const good = file();
    const product = writeCapture(dir, "product.json", (await cli(["expect", good])).out);
    const r = await diff(product, file({ bulkIn: { wMaxPacketSize: 32 } }));
    expect(r.json.descriptors.map((d) => d.message)).toEqual([
      "configuration 1, interface 1 (CDC Data), endpoint 0x83: wMaxPacketSize 64 → 32",
    ]);
    expect(r.json.notes).toEqual([
      "an expectations file holds no enumeration timeline: the timelines are not compared",
      "an expectations file holds no findings: the findings are not compared",
    ]);
    expect((await diff(product, good)).json.same).toBe(true);
  });

  it("a device that is not on one side, and unreadable inputs, are input errors", async () => {
    const other = await cli(["diff", file(), file({ device: { idProduct: 0x0c0d } })]);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/device 1209:0c0c is not in the capture/);
    expect((await cli(["diff", "/nope.pcap", file()])).code).toBe(2);
    expect((await cli(["diff", "-", "-"])).code).toBe(2);
    const broken = writeCapture(dir, "broken.json", "{ nope");
    const r = await cli(["diff", broken, file()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken.json: not JSON/);
  });
});
