// `usbscope live` latency, for `npm run bench`: the time from the write of the usbmon text line that
// completes an enumeration (SET_CONFIGURATION's completion) into a FIFO to the stdout chunk that shows the
// device's line. The tests prove the line comes with no further input; how fast is measured here, never
// asserted in a timed test. Prints one JSON object: {events, medianMs, maxMs}.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../builder/descriptors.js";
import type { DeviceModel } from "../builder/device.js";
import { UrbHost, type UrbEvent } from "../builder/urb.js";
import { usbmonTextLine } from "../builder/usbmonText.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, "../cli/main.js");
const EVENTS = 15;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function device(address: number): DeviceModel {
  return {
    speed: "full",
    address,
    deviceDescriptor: deviceDescriptor({ idVendor: 0x1d50, idProduct: 0x6018 }),
    configDescriptor: configuration({}, [
      interfaceDesc({ bInterfaceClass: 3 }, [
        endpointDesc({ bEndpointAddress: 0x81, bmAttributes: 3, wMaxPacketSize: 8, bInterval: 10 }),
      ]),
    ]),
  };
}

async function main(): Promise<void> {
  const events: UrbEvent[] = [];
  const h = new UrbHost({ event: (e) => events.push(e) }, { busnum: 1 });
  // Address 2 warms up (node start, the WASM compile); 3.. are measured.
  const marks: { index: number; address: number }[] = [];
  for (let address = 2; address < 3 + EVENTS; address++) {
    marks.push({ index: h.enumerate(device(address)).setConfiguration!.complete, address });
    h.idle(20e6);
  }
  const lines = events.map((e) => Buffer.from(usbmonTextLine(e) + "\n"));

  const dir = mkdtempSync(path.join(tmpdir(), "usbscope-bench-live-"));
  const fifo = path.join(dir, "usbmon.fifo");
  execFileSync("mkfifo", [fifo]);
  const child = spawn(process.execPath, [cli, "live", fifo], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (t: string) => (stderr += t));
  let stdout = "";
  let waiter: (() => void) | undefined;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (t: string) => {
    stdout += t;
    waiter?.();
  });
  const waitFor = async (re: RegExp): Promise<number> => {
    const deadline = performance.now() + 10_000;
    while (!re.test(stdout)) {
      if (performance.now() > deadline) throw new Error(`live: no ${re} within 10 s:\n${stdout}\n${stderr}`);
      await new Promise<void>((resolve) => {
        waiter = resolve;
        setTimeout(resolve, 50);
      });
    }
    return performance.now();
  };
  const w = await open(fifo, "w");
  const latencies: number[] = [];
  let cursor = 0;
  for (const m of marks) {
    await w.write(Buffer.concat(lines.slice(cursor, m.index)));
    await sleep(m.address === 2 ? 0 : 100);
    const t0 = performance.now();
    await w.write(lines[m.index]!);
    const t1 = await waitFor(new RegExp(`^ {2}device +bus 1 dev ${m.address} `, "m"));
    if (m.address !== 2) latencies.push(t1 - t0);
    cursor = m.index + 1;
  }
  await w.close();
  await new Promise((r) => child.on("exit", r));
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const medianMs = latencies[latencies.length >> 1]!;
  console.log(JSON.stringify({ events: latencies.length, medianMs, maxMs: latencies[latencies.length - 1] }));
}

await main();
