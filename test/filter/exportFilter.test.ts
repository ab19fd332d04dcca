// `usbscope export --filter`: what is selected, kept whole, and read back by tshark and by usbscope.
// Each capture is read by tshark once per file, with every field the assertions need.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { publicDir, repoRoot } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";
import { DFU, dir, exported, findings, IPHONE, KEYBOARDS, MOUSE } from "./exportHelpers.js";

describe("export --filter", () => {
  it("dev==N: usbscope finds the same findings for that device in the export (URB and raw captures)", async () => {
    for (const [file, dev] of [
      [DFU, 10],
      [KEYBOARDS, 10],
      [IPHONE, 1],
    ] as const) {
      const { out, err } = await exported(file, "--filter", `dev==${dev}`);
      const total = tsharkFields(file, ["frame.number"]).length;
      const written = tsharkFields(out, ["frame.number"]).length;
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(total);
      expect(err).toContain(`${written} of ${total} records`);
      expect(await findings(out, dev)).toEqual(await findings(file, dev));
    }
  });

  it("raw: whole transactions by default, only the tokens with --no-whole", async () => {
    const f = tsharkFields(MOUSE, ["usbll.pid", "usbll.device_addr", "usbll.endp"]);
    const tokens = f.filter((x) => Number(x[0]) === 0x69 && x[1] === "4" && x[2] === "1").length;
    const only = await exported(MOUSE, "--filter", "pid==IN && dev==4 && ep==1", "--no-whole");
    expect(tsharkFields(only.out, ["usbll.pid"]).map((x) => Number(x[0]))).toEqual(Array(tokens).fill(0x69));
    const whole = await exported(MOUSE, "--filter", "pid==IN && dev==4 && ep==1");
    const packets = (await cli(["packets", MOUSE, "--filter", "dev==4 && ep==1"])).out
      .trim()
      .split("\n").length;
    expect(tsharkFields(whole.out, ["usbll.pid"]).length).toBe(packets);
    expect(packets).toBeGreaterThan(tokens);
  });

  it("raw: a control transfer is kept whole when one of its packets is selected", async () => {
    const r = await exported(MOUSE, "--filter", "pid==SETUP && request==SET_CONFIGURATION");
    const transfer = (await cli(["transfers", "--json", MOUSE, "--filter", "request==SET_CONFIGURATION"]))
      .out;
    const t = JSON.parse(transfer.trim());
    const written = tsharkFields(r.out, ["usbll.pid"]).length;
    // The SETUP through the status stage: every packet of the transfer's transactions.
    const packets = t.transactions.reduce((s: number, x: { pids: string[] }) => s + x.pids.length, 0);
    expect(t.lastPacket - t.firstPacket + 1).toBe(packets);
    expect(written).toBe(packets);
  });

  it("URB: a completion brings its submission along, unless --no-whole", async () => {
    const f = tsharkFields(DFU, ["usb.urb_status", "usb.urb_type"]);
    const stalls = f.filter((x) => x[0] === "-32" && x[1] === "'C'").length;
    expect(stalls).toBeGreaterThan(0);
    const only = await exported(DFU, "--filter", "status==EPIPE", "--no-whole");
    expect(tsharkFields(only.out, ["usb.urb_status"]).map((x) => x[0])).toEqual(Array(stalls).fill("-32"));
    const whole = await exported(DFU, "--filter", "status==EPIPE");
    const types = tsharkFields(whole.out, ["usb.urb_type"]).map((x) => x[0]);
    expect(types.length).toBe(2 * stalls);
    expect(types.filter((t) => t === "'S'").length).toBe(stalls);
  });

  it("-o - writes the same bytes to stdout", () => {
    const file = path.join(dir, "stdout-ref.pcapng");
    const main = path.join(repoRoot, "dist/cli/main.js");
    const a = spawnSync("node", [main, "export", DFU, "--filter", "dev==10", "-o", file]);
    expect(a.status).toBe(0);
    const b = spawnSync("node", [main, "export", DFU, "--filter", "dev==10", "-o", "-"], {
      maxBuffer: 1 << 28,
    });
    expect(b.status).toBe(0);
    expect(Buffer.compare(b.stdout, readFileSync(file))).toBe(0);
  });

  it("input and usage errors", async () => {
    expect((await cli(["export", MOUSE, "-o", MOUSE])).err).toContain("would overwrite the capture");
    expect((await cli(["export", "-", "-o", path.join(dir, "x.pcapng")])).code).toBe(2);
    const text = path.join(publicDir, "real/text-usbmon-film-scanner-enum.usbmon");
    const t = await cli(["export", text, "-o", path.join(dir, "t.pcapng")]);
    expect(t.code).toBe(2);
    expect(t.err).toContain("usbmon text has no pcap records");
    const bad = await cli(["export", MOUSE, "-o", path.join(dir, "y.pcapng"), "--filter", "dev=="]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/column 6/);
  });
});
