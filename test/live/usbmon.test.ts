// What `usbscope live` says when usbmon cannot be read: one message with the command to run, exit 2.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { Readable } from "node:stream";
import { Command } from "commander";
import { describeUsbmonError, usbmonFile, usbmonOpenProblem, type UsbmonFs } from "../../src/live/usbmon.js";
import { liveCommand } from "../../cli/commands/live.js";
import type { OpenFile } from "../../src/live/liveSource.js";
import { repoRoot } from "../helpers/paths.js";

const DIR = "/sys/kernel/debug/usb/usbmon";
const FILE = "/sys/kernel/debug/usb/usbmon/0u";

const NO_DEVICES = mkdtempSync(path.join(tmpdir(), "usbscope-dev-"));

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

/** Run the live command in-process with injected file system calls. */
async function live(
  argv: string[],
  deps: { open?: OpenFile; fs?: UsbmonFs } = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  let code = 0;
  const cmd = liveCommand(
    { out: (t) => void (out += t), err: (t) => void (err += t), stdin: Readable.from([]) },
    (c) => (code = c),
    deps,
  );
  cmd.exitOverride();
  // A directory with no usbmonN in it stands for /dev unless the test names its own.
  const args = argv.includes("--usbmon-dev") || deps.open ? argv : [...argv, "--usbmon-dev", NO_DEVICES];
  await new Command("usbscope").addCommand(cmd).parseAsync(["live", ...args], { from: "user" });
  return { code, out, err };
}

describe("usbmon open errors name the fix", () => {
  it("EACCES and EPERM say to run as root or chmod the file", () => {
    for (const code of ["EACCES", "EPERM"]) {
      const m = usbmonOpenProblem(code, FILE, DIR, "exists", "exists");
      expect(m).toContain("permission denied");
      expect(m).toContain("sudo usbscope live");
      expect(m).toContain(`sudo chmod a+r ${FILE}`);
    }
  });

  it("a closed debugfs (stat of the directory denied) is a permission problem, not a missing module", () => {
    expect(usbmonOpenProblem("ENOENT", FILE, DIR, "denied", "denied")).toContain("permission denied");
  });

  it("ENOENT with debugfs's usb directory present but no usbmon directory says modprobe usbmon", () => {
    const m = usbmonOpenProblem("ENOENT", FILE, DIR, "missing", "exists");
    expect(m).toContain("sudo modprobe usbmon");
    expect(m).not.toContain("mount");
  });

  it("ENOENT with no usb directory in debugfs says mount debugfs", () => {
    const m = usbmonOpenProblem("ENOENT", FILE, DIR, "missing", "missing");
    expect(m).toContain("sudo mount -t debugfs none /sys/kernel/debug");
  });

  it("ENOENT with the usbmon directory present is a bus that does not exist", () => {
    const m = usbmonOpenProblem("ENOENT", "/sys/kernel/debug/usb/usbmon/9u", DIR, "exists", "exists");
    expect(m).toContain("no such bus");
    expect(m).toContain(usbmonFile(DIR, 0));
    expect(m).not.toContain("modprobe");
  });

  it("describeUsbmonError asks the file system about the directory and its parent", async () => {
    const fs: UsbmonFs = { state: async (p) => (p === "/sys/kernel/debug/usb" ? "exists" : "missing") };
    expect(await describeUsbmonError(errno("ENOENT"), FILE, DIR, fs)).toContain("sudo modprobe usbmon");
  });
});

describe("usbscope live without usbmon", () => {
  const root = mkdtempSync(path.join(tmpdir(), "usbscope-live-"));

  it("a debugfs that is not mounted (empty directory): mount command, exit 2", async () => {
    const debug = path.join(root, "nomount");
    mkdirSync(debug);
    const r = await live(["--usbmon-dir", path.join(debug, "usb/usbmon")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`sudo mount -t debugfs none ${debug}`);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.out).toBe("");
  });

  it("usbmon not loaded (debugfs usb directory without usbmon): modprobe, exit 2", async () => {
    const debug = path.join(root, "nomodule");
    mkdirSync(path.join(debug, "usb"), { recursive: true });
    const r = await live(["--usbmon-dir", path.join(debug, "usb/usbmon")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("sudo modprobe usbmon");
  });

  it("--bus N reads Nu: a bus that is not there is named, exit 2", async () => {
    const dir = path.join(root, "bus/usb/usbmon");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "0u"), "");
    const r = await live(["--bus", "3", "--usbmon-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path.join(dir, "3u")}: no such bus`);
  });

  it("permission denied on the usbmon text file, its binary device missing (injected opens; tests run as root): sudo or chmod, exit 2", async () => {
    const dir = path.join(root, "denied/usb/usbmon");
    mkdirSync(dir, { recursive: true });
    const opened: string[] = [];
    const open: OpenFile = async (p) => {
      opened.push(p);
      throw errno(p.startsWith("/dev/") ? "ENOENT" : "EACCES");
    };
    const r = await live(["--usbmon-dir", dir], { open });
    expect(opened).toEqual(["/dev/usbmon0", path.join(dir, "0u")]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `usbscope: cannot read ${path.join(dir, "0u")}: permission denied. usbmon is readable by root only: run usbscope as root (sudo usbscope live ...), or allow your user with: sudo chmod a+r ${path.join(dir, "0u")}\n`,
    );
  });

  it("permission denied on the binary device: the same message for /dev/usbmonN, and the text interface is not tried", async () => {
    const opened: string[] = [];
    const open: OpenFile = async (p) => {
      opened.push(p);
      throw errno("EACCES");
    };
    const r = await live(["--bus", "2"], { open });
    expect(opened).toEqual(["/dev/usbmon2"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "usbscope: cannot read /dev/usbmon2: permission denied. usbmon is readable by root only: run usbscope as root (sudo usbscope live ...), or allow your user with: sudo chmod a+r /dev/usbmon2\n",
    );
  });

  it("the default is bus 0: /dev/usbmon0, then /sys/kernel/debug/usb/usbmon/0u when the device node is missing", async () => {
    const opened: string[] = [];
    const open: OpenFile = async (p) => {
      opened.push(p);
      throw errno(p.startsWith("/dev/") ? "ENOENT" : "EACCES");
    };
    const r = await live([], { open, fs: { state: async () => "exists" } });
    expect(opened).toEqual(["/dev/usbmon0", FILE]);
    expect(r.code).toBe(2);
  });

  it("--bus with an input file is a usage error", async () => {
    const r = await live(["--bus", "1", "-"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--bus");
  });

  it("end to end: the real process on a missing debugfs prints the mount command and exits 2", () => {
    const debug = path.join(root, "e2e");
    mkdirSync(debug);
    const p = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, "dist/cli/main.js"),
        "live",
        "--usbmon-dir",
        path.join(debug, "usb/usbmon"),
        "--usbmon-dev",
        NO_DEVICES,
      ],
      { encoding: "utf8", timeout: 10_000 },
    );
    expect(p.status).toBe(2);
    expect(p.stderr).toBe(
      `usbscope: cannot read ${path.join(debug, "usb/usbmon/0u")}: debugfs is not mounted. Mount it with: sudo mount -t debugfs none ${debug} (then, if ${path.join(debug, "usb/usbmon")} is still missing: sudo modprobe usbmon)\n`,
    );
    expect(p.stdout).toBe("");
  });
});
