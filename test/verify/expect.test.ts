// expect + verify --expect: every expectation proven both ways on built captures (a trace that passes and one that
// fails for exactly that reason), the tolerances that turn a failure back into a pass, and the file's errors.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { cli } from "../helpers/cli.js";
import { UrbErrno } from "../../builder/urb.js";
import { bosDesc, usb2ExtensionCap } from "../../builder/descriptors.js";
import {
  buildCapture,
  extension,
  FORMATS,
  productModel,
  tempDir,
  writeCapture,
  type Format,
  type Variant,
} from "./helpers.js";

interface CheckJson {
  check: string;
  outcome: "passed" | "failed" | "skipped";
  messages: string[];
  notes: string[];
}
interface VerdictJson {
  file: string;
  ok: boolean;
  reason?: string;
  checks: CheckJson[];
}

const dir = tempDir();
let n = 0;

/** The expectations `usbscope expect` writes for the good product's capture in `format`, as an object. */
async function expectationsFrom(format: Format = "pcap"): Promise<Record<string, any>> {
  const good = writeCapture(dir, `good-${n++}.${extension(format)}`, buildCapture(format));
  const r = await cli(["expect", good]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Record<string, any>;
}

/** verify --json of one capture against `expectations`; the verdict and the exit status. */
async function verify(
  expectations: Record<string, any>,
  format: Format,
  variant: Variant = {},
  flags: string[] = [],
  models?: ReturnType<typeof productModel>[],
): Promise<{ code: number; verdict: VerdictJson }> {
  const file = writeCapture(dir, `e-${n++}.json`, JSON.stringify(expectations));
  const trace = writeCapture(dir, `t-${n++}.${extension(format)}`, buildCapture(format, variant, models));
  const r = await cli(["verify", "--json", "--expect", file, ...flags, trace]);
  expect(r.err).toBe("");
  return { code: r.code, verdict: JSON.parse(r.out.trim().split("\n")[0]!) as VerdictJson };
}

const failing = (v: VerdictJson) => v.checks.filter((c) => c.outcome === "failed").map((c) => c.check);
const messages = (v: VerdictJson, check: string) => v.checks.find((c) => c.check === check)!.messages;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe("usbscope expect", () => {
  it("writes a readable, versioned expectations file: identity in hex, descriptors with spec field names, state, time, tolerances", async () => {
    const e = await expectationsFrom("pcap");
    expect(e["schemaVersion"]).toBe(1);
    expect(e["identity"]).toEqual({ idVendor: "0x1209", idProduct: "0x0c0c", speed: "full" });
    expect(e["state"]).toBe("configured");
    expect(e["enumerationMs"]).toBeGreaterThan(10);
    const d = e["descriptors"];
    expect(d.device).toMatchObject({
      bcdUSB: "0x0201",
      idVendor: "0x1209",
      bcdDevice: "0x0100",
      iSerialNumber: 3,
    });
    const [comm, data] = d.configurations[0].interfaces;
    expect(comm.classSpecific).toEqual([
      {
        kind: "cdc-header",
        bLength: 5,
        bDescriptorType: 36,
        name: "Header",
        bDescriptorSubtype: 0,
        bcdCDC: "0x0110",
      },
    ]);
    expect(comm.endpoints[0]).toMatchObject({
      bEndpointAddress: "0x82",
      bmAttributes: "0x03",
      wMaxPacketSize: 16,
      bInterval: 10,
    });
    expect(data.endpoints.map((x: { bEndpointAddress: string }) => x.bEndpointAddress)).toEqual([
      "0x83",
      "0x04",
    ]);
    expect(d.bos.capabilities[0]).toMatchObject({ bDevCapabilityType: 2, name: "USB 2.0 Extension" });
    expect(d.strings).toEqual({ 0: ["0x0409"], 1: "usbscope", 2: "Serial", 3: "SN0001" });
    expect(e["tolerances"]).toEqual({
      ignore: [],
      enumerationBudgetMs: 100,
      allowRules: [],
      forbidRules: [],
    });
  });

  it("names the device with --device when the capture holds several, and says so when it is not there", async () => {
    const two = writeCapture(
      dir,
      "two.pcap",
      buildCapture("usbmon64", {}, [
        productModel(),
        productModel({ address: 6, device: { idProduct: 0x0c0d } }),
      ]),
    );
    const r = await cli(["expect", two]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /2 devices match .*1209:0c0c at address 5 on bus 1, 1209:0c0d at address 6 on bus 1; name one with --device VID:PID/,
    );
    const chosen = await cli(["expect", "--device", "1209:0c0d", two]);
    expect(chosen.code).toBe(0);
    expect(JSON.parse(chosen.out).identity.idProduct).toBe("0x0c0d");
    const none = await cli(["expect", "--device", "1209:ffff", two]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/device 1209:ffff is not in the capture; the capture has 2 devices/);
    expect((await cli(["expect", "--device", "nope", two])).code).toBe(2);
  });
});

describe("verify --expect: every expectation both ways", () => {
  it("the good product passes in every format, against expectations written from a raw capture or a URB capture", async () => {
    for (const from of ["pcap", "usbmon64"] as const) {
      const e = await expectationsFrom(from);
      for (const f of FORMATS) {
        const { code, verdict } = await verify(e, f);
        expect({ f, from, failing: failing(verdict) }).toEqual({ f, from, failing: [] });
        expect(code).toBe(0);
      }
    }
  });

  it("usbmon text keeps 32 bytes of a reply: what the capture cut is a note, not a difference", async () => {
    const { verdict } = await verify(await expectationsFrom("pcap"), "text");
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.find((c) => c.check === "descriptors")!.notes.join("\n")).toMatch(
      /configuration 1, interface 1 \(CDC Data\) not checked: the capture holds only part of that descriptor/,
    );
  });

  const cases: Array<{ name: string; variant: Variant; check: string; message: RegExp; format?: Format }> = [
    {
      name: "an endpoint's wMaxPacketSize",
      variant: { bulkIn: { wMaxPacketSize: 32 } },
      check: "descriptors",
      message:
        /^configuration 1, interface 1 \(CDC Data\), endpoint 0x83: wMaxPacketSize expected 64, got 32$/,
    },
    {
      name: "an interface gone",
      variant: { noDataInterface: true },
      check: "descriptors",
      message: /^configuration 1, interface 1 \(CDC Data\): expected, missing from the capture$/,
    },
    {
      name: "an empty serial number",
      variant: { strings: { 1: "usbscope", 2: "Serial", 3: "" } },
      check: "descriptors",
      message: /^string 3 \(iSerialNumber\): expected "SN0001", got ""$/,
    },
    {
      name: "bcdDevice",
      variant: { device: { bcdDevice: 0x0200 } },
      check: "descriptors",
      message: /^device descriptor: bcdDevice expected 0x0100, got 0x0200$/,
    },
    {
      name: "a BOS capability",
      variant: { bos: bosDesc([usb2ExtensionCap(2)]) },
      check: "descriptors",
      message: /^BOS, capability 1 \(USB 2\.0 Extension\): bmAttributes expected 0x00, got 0x02$/,
    },
    {
      name: "the state reached",
      variant: { enumerate: { stopAfter: "configAll" } },
      check: "state",
      message: /^state reached: expected configured, got addressed/,
    },
    {
      name: "the enumeration time",
      variant: { enumerate: { setAddressDelayNs: 300_000_000 } },
      check: "enumeration time",
      message:
        /^enumeration took 3\d\d\.\d ms, over the budget of 100 ms \(the good capture took 11\.\d ms\)$/,
    },
    {
      name: "the device itself",
      variant: { device: { idProduct: 0x0c0d } },
      check: "device",
      message: /^device 1209:0c0c is not in the capture; the capture has 1 device: 1209:0c0d at address 5$/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the good trace passes, the changed one fails for exactly that reason`, async () => {
      const e = await expectationsFrom("pcap");
      const format = c.format ?? "pcap";
      const good = await verify(e, format);
      expect(good.verdict.ok).toBe(true);
      expect(good.code).toBe(0);
      const bad = await verify(e, format, c.variant);
      expect(bad.code).toBe(1);
      expect(failing(bad.verdict)[0]).toBe(c.check);
      expect(messages(bad.verdict, c.check).some((m) => c.message.test(m))).toBe(true);
      expect(bad.verdict.reason).toBe(messages(bad.verdict, c.check)[0]);
      // Nothing else fails: the changed trace breaks no USB rule.
      if (c.check !== "state") expect(failing(bad.verdict)).toEqual([c.check]);
    });
  }

  it("the speed: a full-speed trace against expectations of a high-speed product fails and says so", async () => {
    const e = await expectationsFrom("pcap");
    const high = clone(e);
    high["identity"].speed = "high";
    expect((await verify(e, "pcap")).verdict.ok).toBe(true);
    const bad = await verify(high, "pcap");
    expect(failing(bad.verdict)).toEqual(["speed"]);
    expect(messages(bad.verdict, "speed")[0]).toMatch(/^speed: expected high, got full/);
  });

  it("several candidates: a capture with the product twice is a failure that says so", async () => {
    const e = await expectationsFrom("pcap");
    const bad = await verify(e, "usbmon64", {}, [], [productModel(), productModel({ address: 6 })]);
    expect(failing(bad.verdict)).toEqual(["device"]);
    expect(bad.verdict.reason).toMatch(
      /^2 devices match 1209:0c0c, the expectations describe one: 1209:0c0c at address 5 on bus 1, 1209:0c0c at address 6 on bus 1$/,
    );
    expect(bad.verdict.checks.filter((c) => c.outcome === "skipped")).toHaveLength(5);
  });
});

describe("verify --expect: tolerances and rules", () => {
  it("ignore: bcdDevice, and iSerialNumber (the string it points at) stop failing; other fields still fail", async () => {
    const e = await expectationsFrom("pcap");
    const variant: Variant = {
      device: { bcdDevice: 0x0200 },
      strings: { 1: "usbscope", 2: "Serial", 3: "SN0002" },
    };
    const bad = await verify(e, "pcap", variant);
    expect(messages(bad.verdict, "descriptors")).toEqual([
      "device descriptor: bcdDevice expected 0x0100, got 0x0200",
      'string 3 (iSerialNumber): expected "SN0001", got "SN0002"',
    ]);
    const tolerant = clone(e);
    tolerant["tolerances"].ignore = ["bcdDevice", "iSerialNumber"];
    expect((await verify(tolerant, "pcap", variant)).verdict.ok).toBe(true);
    const still = await verify(tolerant, "pcap", { ...variant, bulkIn: { wMaxPacketSize: 32 } });
    expect(messages(still.verdict, "descriptors")).toEqual([
      "configuration 1, interface 1 (CDC Data), endpoint 0x83: wMaxPacketSize expected 64, got 32",
    ]);
    // A place and a field, as the message words them.
    const one = clone(e);
    one["tolerances"].ignore = ["configuration 1, interface 1 (CDC Data), endpoint 0x83: wMaxPacketSize"];
    expect((await verify(one, "pcap", { bulkIn: { wMaxPacketSize: 32 } })).verdict.ok).toBe(true);
  });

  it("the time budget is editable: a slow enumeration passes a larger budget, and null stops the check", async () => {
    const e = await expectationsFrom("pcap");
    const slow: Variant = { enumerate: { setAddressDelayNs: 300_000_000 } };
    expect((await verify(e, "pcap", slow)).verdict.ok).toBe(false);
    const larger = clone(e);
    larger["tolerances"].enumerationBudgetMs = 1000;
    expect((await verify(larger, "pcap", slow)).verdict.ok).toBe(true);
    const off = clone(e);
    off["tolerances"].enumerationBudgetMs = null;
    const v = (await verify(off, "pcap", slow)).verdict;
    expect(v.ok).toBe(true);
    expect(v.checks.find((c) => c.check === "enumeration time")!.outcome).toBe("skipped");
  });

  it("an error finding fails the trace; allowed with a reason it passes and the reason is kept", async () => {
    const e = await expectationsFrom("usbmon64");
    // A vendor read the device answers past wLength: EOVERFLOW, CTRL_RESP_OVER_WLENGTH (error).
    const babble: Variant = {
      after: (h) =>
        void h.control(
          5,
          { bmRequestType: 0xc0, bRequest: 1, wValue: 0, wIndex: 0, wLength: 4 },
          {
            response: new Uint8Array(8),
            faults: { ignoreWLength: true },
          },
        ),
    };
    const bad = await verify(e, "usbmon64", babble);
    expect(failing(bad.verdict)).toEqual(["rules"]);
    expect(messages(bad.verdict, "rules")[0]).toMatch(/^CTRL_RESP_OVER_WLENGTH \(error\) #\d+: /);
    const allowed = clone(e);
    allowed["tolerances"].allowRules = [
      { rule: "CTRL_RESP_OVER_WLENGTH", reason: "the vendor read is a known quirk" },
    ];
    const ok = await verify(allowed, "usbmon64", babble);
    expect(ok.verdict.ok).toBe(true);
    expect(ok.verdict.checks.find((c) => c.check === "rules")!.notes).toEqual([
      "CTRL_RESP_OVER_WLENGTH ×1 allowed: the vendor read is a known quirk",
    ]);
  });

  it("--fail-on warning fails a trace with a warning that passes by default", async () => {
    const e = await expectationsFrom("usbmon64");
    const protocolError: Variant = {
      after: (h) => void h.bulkIn(5, 3, new Uint8Array(0), { status: UrbErrno.EPROTO }),
    };
    const def = await verify(e, "usbmon64", protocolError);
    expect(def.verdict.ok).toBe(true);
    const strict = await verify(e, "usbmon64", protocolError, ["--fail-on", "warning"]);
    expect(failing(strict.verdict)).toEqual(["rules"]);
    expect(messages(strict.verdict, "rules")[0]).toMatch(/^URB_ERROR \(warning\) #\d+: /);
    expect((await verify(e, "usbmon64", {}, ["--fail-on", "warning"])).verdict.ok).toBe(true);
  });

  it("a forbidden rule fails whatever its severity (CTRL_STALL is info)", async () => {
    const e = await expectationsFrom("pcap");
    // A vendor read the device STALLs, on the wire: CTRL_STALL (info).
    const stall: Variant = {
      afterRaw: (sim) =>
        void sim.controlRead(
          5,
          { bmRequestType: 0xc0, bRequest: 7, wValue: 0, wIndex: 0, wLength: 4 },
          undefined,
          64,
        ),
    };
    expect((await verify(e, "pcap", stall)).verdict.ok).toBe(true);
    const strict = clone(e);
    strict["tolerances"].forbidRules = [
      { rule: "CTRL_STALL", reason: "the firmware answers every vendor request" },
    ];
    const bad = await verify(strict, "pcap", stall);
    expect(failing(bad.verdict)).toEqual(["rules"]);
    expect(messages(bad.verdict, "rules")[0]).toMatch(/^forbidden rule CTRL_STALL \(info\) #\d+: /);
    expect((await verify(strict, "pcap")).verdict.ok).toBe(true);
  });
});

describe("verify --expect: the file and the output", () => {
  it("a file that cannot be used is an input error naming what is wrong", async () => {
    const e = await expectationsFrom("pcap");
    const trace = writeCapture(dir, "good-x.pcap", buildCapture("pcap"));
    const bad: Array<[unknown, RegExp]> = [
      ["{", /not JSON/],
      [{}, /no schemaVersion/],
      [{ ...e, schemaVersion: 2 }, /schemaVersion 2 is not supported/],
      [
        { ...e, tolerances: { allowRules: [{ rule: "CRC16" }] } },
        /allowRules\[0\] allows CRC16 without a reason/,
      ],
      [{ ...e, tolerances: { forbidRules: ["CRC17"] } }, /"CRC17" is not a usbscope rule/],
      [{ ...e, tolerances: { ignore: ["iSerailNumber"] } }, /"iSerailNumber" names no field/],
      [{ ...e, identity: { idVendor: "0x12345" } }, /identity.idVendor must be a 16-bit number/],
      [{ ...e, state: "plugged" }, /state must be one of configured, addressed, default/],
    ];
    for (const [doc, words] of bad) {
      const f = writeCapture(dir, `bad-${n++}.json`, typeof doc === "string" ? doc : JSON.stringify(doc));
      const r = await cli(["verify", "--expect", f, trace]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(words);
      expect(r.out).toBe("");
    }
    expect((await cli(["verify", "--expect", "/nope.json", trace])).err).toMatch(
      /cannot read \/nope.json: no such file/,
    );
  });

  it("text: one line per trace with the first reason ranked, --verbose lists every difference, and a summary line", async () => {
    const e = await expectationsFrom("pcap");
    const f = writeCapture(dir, `e-${n++}.json`, JSON.stringify(e));
    const good = writeCapture(dir, "good-line.pcap", buildCapture("pcap"));
    const bad = writeCapture(
      dir,
      "bad-line.pcap",
      buildCapture("pcap", { bulkIn: { wMaxPacketSize: 32 }, device: { bcdDevice: 0x0101 } }),
    );
    const r = await cli(["verify", "--expect", f, good, bad]);
    expect(r.code).toBe(1);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toBe(`ok    ${good}`);
    expect(lines[1]).toBe(`FAIL  ${bad}: device descriptor: bcdDevice expected 0x0100, got 0x0101 (+1 more)`);
    expect(lines[2]).toMatch(/^2 captures: 1 passed, 1 failed, 0 unreadable in \d+\.\d\d s$/);
    const v = await cli(["verify", "--verbose", "--expect", f, bad]);
    expect(v.out).toContain(
      "      descriptors: configuration 1, interface 1 (CDC Data), endpoint 0x83: wMaxPacketSize expected 64, got 32\n",
    );
  });

  it("a hostile device string reaches the terminal without its control characters", async () => {
    const e = await expectationsFrom("pcap");
    const f = writeCapture(dir, `e-${n++}.json`, JSON.stringify(e));
    const evil = writeCapture(
      dir,
      "evil.pcap",
      buildCapture("pcap", { strings: { 1: "usbscope", 2: "Serial", 3: "\u001b[31mX\u202e" } }),
    );
    const r = await cli(["verify", "--verbose", "--expect", f, evil]);
    expect(r.out).toMatch(/string 3 \(iSerialNumber\): expected "SN0001", got "\\u001b\[31mX/);
    expect(r.out.includes("\u001b") || r.out.includes("\u202e")).toBe(false);
  });

  it("JUnit: one test case per expectation, the failure holding the diagnosis", async () => {
    const e = await expectationsFrom("pcap");
    const f = writeCapture(dir, `e-${n++}.json`, JSON.stringify(e));
    const bad = writeCapture(dir, "bad-junit.pcap", buildCapture("pcap", { bulkIn: { wMaxPacketSize: 32 } }));
    const junit = `${dir}/out-${n++}.xml`;
    await cli(["verify", "--expect", f, "--junit", junit, bad]);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain(
      '<testcase classname="' +
        bad +
        '" name="descriptors"><failure message="configuration 1, interface 1 (CDC Data), endpoint 0x83: wMaxPacketSize expected 64, got 32"',
    );
    for (const check of ["device", "state", "speed", "rules", "enumeration time"])
      expect(xml).toContain(`<testcase classname="${bad}" name="${check}">`);
  });
});
