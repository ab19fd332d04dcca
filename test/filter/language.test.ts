// The filter language on literal expressions: every operator, precedence, every error with its column.
// Records here are plain objects read through a test Subject, so each expectation is worked out by hand.
import { describe, expect, it } from "vitest";
import { parseFilter } from "../../src/filter/parser.js";
import { compileTree, type FilterEnv } from "../../src/filter/compile.js";
import { FilterError } from "../../src/filter/filterError.js";
import { KindBit, StatusBit, type Subject } from "../../src/filter/subject.js";
import { checkFilter, compileFilterOptions } from "../../src/filter/filter.js";
import { CaptureFacts } from "../../src/filter/facts.js";
import { Pid } from "../../as/shared/constants.js";

interface Rec {
  dev?: number;
  epaddr?: number;
  kind?: number;
  pid?: number;
  status?: number;
  urb?: number;
  len?: number;
  t?: [number, number];
  index: number;
  last?: number;
  data?: number[];
  findings?: { rule: string; severity: "error" | "warning" | "info" }[];
  request?: string;
}

const subject: Subject<Rec> = {
  dev: (r) => r.dev ?? NaN,
  bus: () => NaN,
  epaddr: (r) => r.epaddr ?? NaN,
  kind: (r) => r.kind ?? 0,
  pid: (r) => r.pid ?? NaN,
  status: (r) => r.status ?? 0,
  urbStatus: (r) => r.urb ?? NaN,
  len: (r) => r.len ?? NaN,
  sec: (r) => r.t?.[0] ?? NaN,
  nsec: (r) => r.t?.[1] ?? NaN,
  first: (r) => r.index,
  last: (r) => r.last ?? r.index,
  data: (r) => (r.data ? Uint8Array.from(r.data) : undefined),
  findings: (r) => r.findings,
  request: (r) => r.request,
};

function judge(expr: string, recs: Rec[], env: FilterEnv = {}): number[] {
  const p = compileTree(parseFilter(expr), subject, env);
  return recs.filter(p).map((r) => r.index);
}

function errorOf(expr: string): FilterError {
  try {
    compileTree(parseFilter(expr), subject, {});
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`no error for ${expr}`);
}

const R: Rec[] = [
  {
    index: 0,
    dev: 5,
    epaddr: 0x81,
    pid: Pid.IN,
    kind: KindBit.INTERRUPT | KindBit.POLL,
    status: StatusBit.NAK,
    len: NaN,
    t: [100, 0],
  },
  {
    index: 1,
    dev: 5,
    epaddr: 0x01,
    pid: Pid.OUT,
    kind: KindBit.BULK,
    status: StatusBit.OK,
    len: 64,
    t: [100, 500_000_000],
    data: [0x55, 0x53, 0x42, 0x43, 1],
  },
  {
    index: 2,
    dev: 7,
    epaddr: 0x00,
    pid: Pid.SETUP,
    kind: KindBit.CONTROL | KindBit.SETUP,
    status: StatusBit.STALL,
    len: 8,
    t: [101, 0],
    request: "GET_DESCRIPTOR DEVICE",
    findings: [{ rule: "CRC16", severity: "error" }],
  },
  {
    index: 3,
    pid: Pid.SOF,
    kind: KindBit.SOF,
    status: StatusBit.OK,
    t: [101, 250_000_000],
    findings: [{ rule: "PID_SEQUENCE", severity: "warning" }],
  },
];

describe("comparisons", () => {
  it("== != < <= > >= on numbers", () => {
    expect(judge("dev==5", R)).toEqual([0, 1]);
    expect(judge("dev!=5", R)).toEqual([2]); // record 3 has no device: it matches no comparison on dev
    expect(judge("len<64", R)).toEqual([2]);
    expect(judge("len<=64", R)).toEqual([1, 2]);
    expect(judge("len>8", R)).toEqual([1]);
    expect(judge("len>=8", R)).toEqual([1, 2]);
    expect(judge("epaddr==0x81", R)).toEqual([0]);
    expect(judge("ep==1", R)).toEqual([0, 1]);
  });
  it("ranges with in, inclusive at both ends", () => {
    expect(judge("index in 1..2", R)).toEqual([1, 2]);
    expect(judge("dev in 6..127", R)).toEqual([2]);
    // A span (a transfer) matches when it overlaps the range.
    expect(judge("index in 5..6", [{ index: 4, last: 9 }, { index: 7 }])).toEqual([4]);
    expect(judge("index==6", [{ index: 4, last: 9 }])).toEqual([4]);
  });
  it("enumerated fields by name", () => {
    expect(judge("dir==in", R)).toEqual([0]);
    expect(judge("dir==out", R)).toEqual([1, 2]);
    expect(judge("kind==setup", R)).toEqual([2]);
    expect(judge("kind==control", R)).toEqual([2]);
    expect(judge("kind!=sof", R)).toEqual([0, 1, 2]);
    expect(judge("kind==poll", R)).toEqual([0]);
    expect(judge("pid==IN", R)).toEqual([0]);
    expect(judge("pid==setup", R)).toEqual([2]);
    expect(judge("pid!=SOF", R)).toEqual([0, 1, 2]);
    expect(judge("status==nak", R)).toEqual([0]);
    expect(judge("status==stall || status==ok", R)).toEqual([1, 2, 3]);
  });
  it("URB statuses by number and by name", () => {
    const u: Rec[] = [
      { index: 0, urb: -32 },
      { index: 1, urb: 0 },
      { index: 2, urb: 0xc0000004 },
    ];
    expect(judge("status==-32", u)).toEqual([0]);
    expect(judge("status==EPIPE", u)).toEqual([0]);
    expect(judge("status!=EPIPE", u)).toEqual([1, 2]);
    expect(judge("status==USBD_STATUS_STALL_PID", u)).toEqual([2]);
    expect(judge("status==0xc0000004", u)).toEqual([2]);
  });
  it("time from the first record in ns, and absolute ISO times", () => {
    const env: FilterEnv = { origin: { sec: 100, nsec: 0 } };
    expect(judge("time<0.5", R, env)).toEqual([0]);
    expect(judge("time>=0.5", R, env)).toEqual([1, 2, 3]);
    expect(judge("time==500ms", R, env)).toEqual([1]);
    expect(judge("time in 1..1.25", R, env)).toEqual([2, 3]);
    // 1.25 s is exactly 1 250 000 000 ns: no float rounding loses the edge.
    expect(judge("time>1.249999999", R, env)).toEqual([3]);
    expect(judge("time<=1970-01-01T00:01:40.5Z", R)).toEqual([0, 1]);
    expect(judge("time>1970-01-01T01:01:40+01:00", R)).toEqual([1, 2, 3]);
  });
  it("findings: rule and severity, ordered by severity", () => {
    expect(judge("rule", R)).toEqual([2, 3]);
    expect(judge("rule==CRC16", R)).toEqual([2]);
    expect(judge("rule!=CRC16", R)).toEqual([0, 1, 3]);
    expect(judge("severity==warning", R)).toEqual([3]);
    expect(judge("severity>=warning", R)).toEqual([2, 3]);
    expect(judge("severity>warning", R)).toEqual([2]);
    expect(judge("severity<error", R)).toEqual([3]);
  });
  it("requests by their first words", () => {
    expect(judge("request==GET_DESCRIPTOR", R)).toEqual([2]);
    expect(judge('request=="get_descriptor device"', R)).toEqual([2]);
    expect(judge("request==GET_DESC", R)).toEqual([]);
    expect(judge("request!=SET_ADDRESS", R)).toEqual([2]);
  });
  it("data contains a byte sequence, written three ways", () => {
    expect(judge("data contains 55:53:42:43", R)).toEqual([1]);
    expect(judge("data contains 53424301", R)).toEqual([1]);
    expect(judge('data contains "USBC"', R)).toEqual([1]);
    expect(judge("data contains 43:55", R)).toEqual([]);
    expect(judge("data==55:53:42:43:01", R)).toEqual([1]);
    expect(judge("data==55:53", R)).toEqual([]);
  });
  it("vidpid through the facts of the capture", () => {
    const facts = new CaptureFacts();
    expect(judge("vidpid==1209:0001", R, { facts })).toEqual([]);
    // A device record as the descriptor layer hands it: what addDevice reads.
    facts.addDevice({
      addresses: [0, 7],
      device: { descriptor: { idVendor: 0x1209, idProduct: 0x0001 } },
      configurations: new Map(),
    } as never);
    expect(judge("vidpid==1209:0001", R, { facts })).toEqual([2]);
    expect(judge("vidpid!=1209:0001", R, { facts })).toEqual([0, 1]);
  });
});

describe("&& || ! and parentheses", () => {
  it("&& binds tighter than ||", () => {
    // dev==7 || (dev==5 && ep==1), not (dev==7 || dev==5) && ep==1
    expect(judge("dev==7 || dev==5 && ep==1", R)).toEqual([0, 1, 2]);
    expect(judge("(dev==7 || dev==5) && ep==1", R)).toEqual([0, 1]);
  });
  it("! binds tightest, and words work as well as symbols", () => {
    expect(judge("!dev==5", R)).toEqual([2, 3]);
    expect(judge("!(dev==5 || dev==7)", R)).toEqual([3]);
    expect(judge("not dev==5 and not kind==sof", R)).toEqual([2]);
    expect(judge("dev==7 or pid==SOF", R)).toEqual([2, 3]);
    expect(judge("!!dev==5", R)).toEqual([0, 1]);
  });
  it("a bare field tests that the record has it", () => {
    expect(judge("dev", R)).toEqual([0, 1, 2]);
    expect(judge("!dev", R)).toEqual([3]);
    expect(judge("data", R)).toEqual([1]);
  });
});

describe("errors point at their column", () => {
  const cases: [string, number, RegExp][] = [
    ["", 1, /expected a field name, found the end/],
    ["dev=5", 4, /"=" is not an operator: write "=="/],
    ["dev==5 & ep==1", 8, /"&" is not an operator: write "&&"/],
    ["dev==5 | ep==1", 8, /write "\|\|"/],
    ["dev==", 6, /expected a value after "==", found the end/],
    ["(dev==5", 8, /expected "\)" to close the "\(" at column 1/],
    ["dev==5)", 7, /this "\)" closes no "\("/],
    ["dev==5 ep==1", 8, /expected "&&", "\|\|" or the end/],
    ["foo==1", 1, /unknown field "foo"; the fields are: dev, vidpid, ep/],
    ["dev==200", 6, /a device address is 0\.\.127, not 200/],
    ["ep==x", 5, /expected an endpoint number, a number, found "x"/],
    ["kind==frob", 7, /unknown kind "frob"; kind: control, bulk/],
    ["kind<control", 5, /"kind" takes == and != only, not "<"/],
    ["pid==FOO", 6, /unknown PID "FOO"/],
    ["status==weird", 9, /unknown status "weird"/],
    ["dir==up", 6, /"dir" is in or out/],
    ["time>yesterday", 6, /expected a time/],
    ["index in 5", 10, /expected a range LOW\.\.HIGH/],
    ["index in 9..2", 10, /the range 9\.\.2 is empty/],
    ["index in ..2", 10, /the range has no low end/],
    ["len contains 5", 5, /"contains" is for data/],
    ["data contains 5g", 15, /expected bytes as hex/],
    ["rule==NOPE", 7, /unknown rule "NOPE"/],
    ["severity==bad", 11, /unknown severity "bad"/],
    ["severity in 1..2", 10, /"severity" takes == != < <= > >=, not "in"/],
    ["vidpid==12:", 9, /expected VID:PID as hex/],
    ['request=="abc', 10, /this quote is never closed/],
    ["dev==5 && $", 11, /unexpected character "\$"/],
    ["dev==5 && ||", 11, /expected a field name, found "\|\|"/],
    ["dev==5 && and", 11, /expected a field name, found "and"/],
    ["5==dev", 1, /expected a field name, found "5"/],
  ];
  for (const [expr, column, message] of cases)
    it(`${JSON.stringify(expr)}: column ${column}`, () => {
      const e = errorOf(expr);
      expect(e.message).toMatch(message);
      expect(e.column).toBe(column);
      const lines = e.render(expr).split("\n");
      expect(lines[1]!.indexOf("^")).toBe(column - 1);
    });
  it("checkFilter answers undefined for a good expression and the error for a bad one", () => {
    expect(checkFilter("dev==5 && !(kind==sof)")).toBeUndefined();
    expect(checkFilter("dev==")?.column).toBe(6);
  });
});

describe("shortcuts", () => {
  it("--hide-sof, --hide-polls and --device join the expression with &&", () => {
    const f = compileFilterOptions({ filter: "dev==5 || dev==7", hideSof: true, hidePolls: true })!;
    expect(f.text).toBe("(dev==5 || dev==7) && (!(kind==sof)) && (!(kind==poll))");
    expect(R.filter((r) => compileTree(f.tree, subject, {})(r)).map((r) => r.index)).toEqual([1, 2]);
    expect(compileFilterOptions({})).toBeUndefined();
    expect(compileFilterOptions({ device: "1209:0001" })!.needsFacts).toBe(true);
  });
  it("a bad --device value is an error about --device", () => {
    expect(() => compileFilterOptions({ device: "12090001" })).toThrow(/--device takes VID:PID/);
  });
});
