// --filter and the shortcuts on `packets` and `transfers`, on real captures; `usbscope filter`.
// Token counts are checked against tshark's usbll dissector (it marks only tokens with an address).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { publicDir } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";
import { FIELDS, PacketLines, compileFilterOptions, fileSource, readCapture } from "../../src/index.js";

const MOUSE = path.join(publicDir, "packetry/mouse/capture.pcap");
const BAD_CABLE = path.join(publicDir, "real/288-analyzer-testdev-bad-cable.pcap");
const KEYBOARDS = path.join(publicDir, "real/249-hid-keyboard-multi-device.pcapng");
const KEEPALIVE = path.join(publicDir, "real/288-ls-keyboard-keepalive-divided.pcapng");

const lines = (out: string) => out.split("\n").filter((l) => l.length > 0);

describe("packets --filter on a raw capture", () => {
  // One tshark run for the capture: PID, address and endpoint of every frame.
  const frames = tsharkFields(MOUSE, ["usbll.pid", "usbll.device_addr", "usbll.endp"]);
  const tokens = (pid: number, dev: number, ep: number) =>
    frames.filter((f) => Number(f[0]) === pid && f[1] === String(dev) && f[2] === String(ep)).length;

  it("counts the tokens tshark counts (usbll.device_addr, usbll.endp, usbll.pid)", async () => {
    for (const [pid, name, dev, ep] of [
      [0x69, "IN", 4, 1],
      [0x69, "IN", 4, 0],
      [0x2d, "SETUP", 0, 0],
      [0xe1, "OUT", 4, 0],
    ] as const) {
      const r = await cli(["packets", MOUSE, "--filter", `dev==${dev} && ep==${ep} && pid==${name}`]);
      expect(r.code).toBe(0);
      const n = tokens(pid, dev, ep);
      expect(n).toBeGreaterThan(0);
      expect(lines(r.out).length, `${name} ${dev}.${ep}`).toBe(n);
    }
  });

  it("a data packet and its handshake belong to their token's device and endpoint", async () => {
    const r = await cli(["packets", MOUSE, "--filter", "dev==4 && ep==1"]);
    const pids = lines(r.out).map((l) => l.trim().split(/\s+/)[2]);
    // Every NAK and DATA packet selected follows its IN token.
    for (let i = 0; i < pids.length; i++)
      if (pids[i] === "NAK" || pids[i]!.startsWith("DATA")) expect(pids[i - 1]).toBe("IN");
    expect(pids.filter((p) => p === "NAK").length).toBeGreaterThan(100);
    expect(pids.filter((p) => p === "IN").length).toBe(tokens(0x69, 4, 1));
  });

  it("status==nak selects each NAKed transaction whole: the token and its NAK", async () => {
    const r = await cli(["packets", MOUSE, "--filter", "status==nak"]);
    const pids = lines(r.out).map((l) => l.trim().split(/\s+/)[2]);
    const naks = frames.filter((f) => Number(f[0]) === 0x5a).length;
    expect(pids.length).toBe(2 * naks);
    for (let i = 0; i < pids.length; i += 2) expect([pids[i], pids[i + 1]]).toEqual(["IN", "NAK"]);
    // --hide-polls takes exactly those away.
    const all = lines((await cli(["packets", MOUSE])).out).length;
    expect(lines((await cli(["packets", MOUSE, "--hide-polls"])).out).length).toBe(all - 2 * naks);
  });

  it("--hide-sof leaves the 108 records of 14,698 that are not SOFs", async () => {
    const sofs = tsharkFields(BAD_CABLE, ["usbll.pid"]).filter((f) => Number(f[0]) === 0xa5).length;
    expect(sofs).toBe(14590);
    const r = await cli(["packets", BAD_CABLE, "--hide-sof"]);
    expect(lines(r.out).length).toBe(14698 - sofs);
    expect(r.out).not.toMatch(/ SOF /);
  });

  it("the facts of the whole capture: vidpid, request, rule", async () => {
    const all = await cli(["packets", MOUSE, "--filter", "dev==4"]);
    const byId = await cli(["packets", MOUSE, "--device", "1bcf:0005"]);
    expect(byId.out).toBe(all.out);
    const req = await cli(["packets", MOUSE, "--filter", "request==SET_CONFIGURATION && pid==SETUP"]);
    expect(lines(req.out)).toHaveLength(1);
    // The capture's one finding, as analyze states it, selects its record.
    const found = JSON.parse((await cli(["analyze", "--json", MOUSE])).out).findings;
    expect(found).toHaveLength(1);
    const rule = await cli(["packets", MOUSE, "--filter", `rule==${found[0].rule}`]);
    expect(lines(rule.out).map((l) => l.trim().split(/\s+/)[0])).toEqual([String(found[0].packet)]);
  });

  it("the selection does not depend on where batches end", async () => {
    const run = async (chunkSize?: number) => {
      let out = "";
      const filter = compileFilterOptions({ filter: "dev==4 && (status==nak || len>0)" })!;
      const sink = new PacketLines((t) => void (out += t), { filter });
      const source = await fileSource(MOUSE);
      await readCapture(source, [sink], { chunkSize });
      await source.close();
      return out;
    };
    const whole = await run();
    expect(lines(whole).length).toBeGreaterThan(1000);
    expect(await run(97)).toBe(whole);
  });

  it("a bus event inside a transaction (a low-speed keepalive) leaves it whole, wherever batches end", async () => {
    const run = async (expr: string, chunkSize?: number) => {
      let out = "";
      const sink = new PacketLines((t) => void (out += t), {
        filter: compileFilterOptions({ filter: expr })!,
      });
      const source = await fileSource(KEEPALIVE);
      await readCapture(source, [sink], { chunkSize });
      await source.close();
      return out;
    };
    const naks = tsharkFields(KEEPALIVE, ["usbll.pid"]).filter((f) => Number(f[0]) === 0x5a).length;
    const whole = await run("status==nak || index in 225..230");
    // Every NAK with its token: the keepalive at 228 sits between the IN at 227 and its NAK at 229.
    expect(lines(whole).filter((l) => / NAK /.test(l)).length).toBe(naks);
    expect(lines(await run("index in 225..230"))).toHaveLength(6);
    expect(lines(await run("status==nak && index in 225..230")).map((l) => l.trim().split(/\s+/)[0])).toEqual(
      ["225", "226", "227", "229", "230"],
    );
    for (const chunk of [97, 1000, 4099])
      expect(await run("status==nak || index in 225..230", chunk)).toBe(whole);
  });
});

describe("packets --filter on a URB capture", () => {
  it("counts the URB events tshark counts (usb.device_address, usb.endpoint_address)", async () => {
    const f = tsharkFields(KEYBOARDS, ["usb.device_address", "usb.endpoint_address"]);
    const want = f.filter((x) => x[0] === "2" && (parseInt(x[1]!, 16) & 0x80) !== 0).length;
    expect(want).toBeGreaterThan(0);
    const r = await cli(["packets", KEYBOARDS, "--filter", "dev==2 && dir==in"]);
    expect(lines(r.out).length).toBe(want);
  });
});

describe("filter errors and a filter that cannot match", () => {
  it("a syntax error shows the expression with a caret under the column and exits 2", async () => {
    const r = await cli(["packets", MOUSE, "--filter", "dev==5 && ep=1"]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe(
      'usbscope: --filter: "=" is not an operator: write "==" to compare (column 13)\n  dev==5 && ep=1\n              ^\n',
    );
  });
  it("an unknown field lists the fields", async () => {
    const r = await cli(["transfers", MOUSE, "--filter", "endpoint==1"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `unknown field "endpoint"; the fields are: ${FIELDS.map((f) => f.name).join(", ")}`,
    );
  });
  it("a device that is not in the capture: said on stderr, exit 0, no records", async () => {
    const r = await cli(["packets", MOUSE, "--filter", "dev==9"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(r.err).toContain("no device at address 9 in this capture");
    const v = await cli(["packets", MOUSE, "--device", "1209:0001"]);
    expect(v.code).toBe(0);
    expect(v.out).toBe("");
    expect(v.err).toContain("no device 1209:0001");
  });
  it("a filter that matches stays silent on stderr", async () => {
    const r = await cli(["packets", MOUSE, "--filter", "dev==4"]);
    expect(r.err).toBe("");
    expect(r.out.length).toBeGreaterThan(0);
  });
});

describe("transfers --filter", () => {
  it("lists only the transfers selected", async () => {
    const r = await cli(["transfers", MOUSE, "--depth", "1", "--filter", "kind==control"]);
    const ls = lines(r.out);
    expect(ls.length).toBe(10);
    for (const l of ls) expect(l).toMatch(/^Control transfer on 4?\.?0|^Control transfer on 0\.0/);
    const set = await cli(["transfers", MOUSE, "--depth", "1", "--filter", "request==SET_CONFIGURATION"]);
    expect(lines(set.out)).toEqual([expect.stringContaining("SET_CONFIGURATION 1")]);
    const polls = await cli(["transfers", MOUSE, "--depth", "1", "--hide-polls"]);
    expect(polls.out).not.toMatch(/^Polling/m);
    expect((await cli(["transfers", MOUSE, "--depth", "1"])).out).toMatch(/^Polling/m);
  });
  it("on URB transfers: time from the first record", async () => {
    const all = lines((await cli(["transfers", KEYBOARDS, "--depth", "1"])).out);
    const early = lines((await cli(["transfers", KEYBOARDS, "--depth", "1", "--filter", "time<0.5"])).out);
    expect(early.length).toBeGreaterThan(0);
    expect(early.length).toBeLessThan(all.length);
  });
});

describe("descriptors --device", () => {
  it("lists only the device with that VID:PID; one that is not there is said on stderr", async () => {
    type Dev = { address: number; descriptors: { device: { idVendor: number; idProduct: number } } };
    const all = JSON.parse((await cli(["descriptors", "--json", KEYBOARDS])).out).devices as Dev[];
    expect(all.length).toBeGreaterThan(3);
    for (const d of all) {
      const { idVendor, idProduct } = d.descriptors.device;
      const vp = `${idVendor.toString(16).padStart(4, "0")}:${idProduct.toString(16).padStart(4, "0")}`;
      const r = await cli(["descriptors", "--json", "--device", vp, KEYBOARDS]);
      const got = JSON.parse(r.out).devices as Dev[];
      expect(got.map((g) => g.address)).toEqual(
        all
          .filter(
            (a) => a.descriptors.device.idVendor === idVendor && a.descriptors.device.idProduct === idProduct,
          )
          .map((a) => a.address),
      );
      expect(r.err).toBe("");
    }
    const none = await cli(["descriptors", "--device", "1209:0001", KEYBOARDS]);
    expect([none.code, none.out]).toEqual([0, "no device descriptors in this capture\n"]);
    expect(none.err).toContain("no device 1209:0001");
    expect((await cli(["descriptors", "--device", "zz", KEYBOARDS])).code).toBe(2);
  });
});

describe("usbscope filter", () => {
  it("--help documents the language and every field", async () => {
    const r = await cli(["filter", "--help"]);
    expect(r.code).toBe(0);
    for (const f of FIELDS) expect(r.out).toContain(`  ${f.name} `);
    expect(r.out).toContain("data contains");
  });
  it("checks an expression: ok, or the caret and exit 2", async () => {
    expect(await cli(["filter", "dev==5 && !(kind==sof)"])).toEqual({ code: 0, out: "ok\n", err: "" });
    const r = await cli(["filter", "dev==5 &&"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/column 10\)\n {2}dev==5 &&\n {11}\^\n$/);
  });
});
