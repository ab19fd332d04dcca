import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { startViewerServer, viewCommand, type ViewerServer } from "../../cli/commands/view.js";
import { publicDir, repoRoot } from "../helpers/paths.js";

const capture = path.join(publicDir, "real/288-bad-crcs.pcap");

/** A raw GET (fetch would normalise "..", which is exactly what these tests must send). */
function get(
  port: number,
  rawPath: string,
  host = `127.0.0.1:${port}`,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: rawPath, headers: { Host: host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("viewer server", () => {
  let server: ViewerServer;
  let empty: ViewerServer;
  beforeAll(async () => {
    server = await startViewerServer({ file: capture });
    empty = await startViewerServer({});
  });
  afterAll(async () => {
    await server.close();
    await empty.close();
  });

  it("listens on 127.0.0.1 on a free port and gives the viewer URL", () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/viewer/`);
  });

  it("redirects / to the viewer and serves its page", async () => {
    const root = await get(server.port, "/");
    expect(root.status).toBe(302);
    expect(root.headers.location).toBe("/viewer/");
    const page = await get(server.port, "/viewer/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body.toString()).toContain('<script type="module" src="main.js">');
  });

  it("serves the WASM core as application/wasm, the library from dist/ and uPlot", async () => {
    const wasm = await get(server.port, "/build/usbscope.wasm");
    expect(wasm.status).toBe(200);
    expect(wasm.headers["content-type"]).toBe("application/wasm");
    expect(wasm.body.equals(readFileSync(path.join(repoRoot, "build/usbscope.wasm")))).toBe(true);
    const lib = await get(server.port, "/dist/src/analyze.js");
    expect(lib.status).toBe(200);
    expect(lib.headers["content-type"]).toMatch(/^text\/javascript/);
    const uplot = await get(server.port, "/node_modules/uplot/dist/uPlot.esm.js");
    expect(uplot.status).toBe(200);
  });

  it("serves the capture at /capture with its name, and 204 when there is none", async () => {
    const c = await get(server.port, "/capture");
    expect(c.status).toBe(200);
    expect(c.body.equals(readFileSync(capture))).toBe(true);
    expect(c.headers["x-capture-name"]).toBe("288-bad-crcs.pcap");
    const none = await get(empty.port, "/capture");
    expect(none.status).toBe(204);
    expect(none.body.length).toBe(0);
  });

  it("never serves files outside its mounts", async () => {
    for (const p of [
      "/viewer/../package.json",
      "/viewer/%2e%2e/package.json",
      "/dist/..%2fpackage.json",
      "/viewer/..%2f..%2fmain%2fpackage.json",
      "/dist/..%2f..%2fpackage.json",
      "/build/../package.json",
      "/package.json",
      "/node_modules/commander/package.json",
      "/viewer/%00",
      "/build/usbscope.d.ts",
    ]) {
      const r = await get(server.port, p);
      expect(r.status, p).toBe(404);
    }
  });

  it("refuses requests whose Host is not loopback (DNS rebinding)", async () => {
    const r = await get(server.port, "/capture", `evil.example:${server.port}`);
    expect(r.status).toBe(421);
    const ok = await get(server.port, "/capture", `localhost:${server.port}`);
    expect(ok.status).toBe(200);
  });

  it("rejects a capture that does not exist", async () => {
    await expect(startViewerServer({ file: "/nonexistent/x.pcap" })).rejects.toThrow();
  });
});

describe("usbscope view", () => {
  const io = () => {
    const o = { out: "", err: "" };
    return {
      o,
      io: {
        out: (t: string) => void (o.out += t),
        err: (t: string) => void (o.err += t),
        stdin: Readable.from([]),
      },
    };
  };

  it("prints the URL, serves the file until stopped, then exits 0", async () => {
    const { o, io: theIo } = io();
    let code = -1;
    let served = 0;
    const cmd = viewCommand(theIo, (c) => (code = c), {
      async until(server) {
        served = (await get(server.port, "/capture")).body.length;
      },
    }).exitOverride();
    await cmd.parseAsync(["--no-open", capture], { from: "user" });
    expect(o.out).toMatch(/^usbscope viewer: http:\/\/127\.0\.0\.1:\d+\/viewer\/\n/);
    expect(served).toBe(readFileSync(capture).length);
    expect(code).toBe(0);
  });

  it("--filter, --device, --hide-sof and --hide-polls open the viewer with its filter bar set (the URL's hash)", async () => {
    const { o, io: theIo } = io();
    let code = -1;
    const cmd = viewCommand(theIo, (c) => (code = c), { until: async () => {} }).exitOverride();
    await cmd.parseAsync(
      [
        "--no-open",
        "--filter",
        "ep==1 && len>0",
        "--device",
        "1bcf:0005",
        "--hide-sof",
        "--hide-polls",
        capture,
      ],
      { from: "user" },
    );
    expect(code).toBe(0);
    const url = new URL(/^usbscope viewer: (\S+)\n/.exec(o.out)![1]!);
    const hash = new URLSearchParams(url.hash.slice(1));
    expect(hash.get("filter")).toBe("(ep==1 && len>0) && (vidpid==1bcf:0005)");
    expect([hash.get("hidesof"), hash.get("hidepolls")]).toEqual(["1", "1"]);
    const plain = io();
    await viewCommand(plain.io, () => {}, { until: async () => {} })
      .exitOverride()
      .parseAsync(["--no-open", capture], { from: "user" });
    expect(plain.o.out).not.toContain("#");
  });

  it("a bad --filter is a usage error with the caret, before anything is served", async () => {
    const { o, io: theIo } = io();
    let code = -1;
    let served = false;
    const cmd = viewCommand(theIo, (c) => (code = c), {
      until: async () => void (served = true),
    }).exitOverride();
    await cmd.parseAsync(["--no-open", "--filter", "dev==5 && ep=1", capture], { from: "user" });
    expect(code).toBe(2);
    expect(served).toBe(false);
    expect(o.out).toBe("");
    expect(o.err).toContain("dev==5 && ep=1\n              ^\n");
  });

  it("exits 2 with a one-line message for a missing file", async () => {
    const { o, io: theIo } = io();
    let code = -1;
    const cmd = viewCommand(theIo, (c) => (code = c), { until: async () => {} }).exitOverride();
    await cmd.parseAsync(["--no-open", "/nonexistent/x.pcap"], { from: "user" });
    expect(code).toBe(2);
    expect(o.err).toBe("usbscope: /nonexistent/x.pcap: no such file\n");
  });

  it("exits 2 when the port is taken", async () => {
    const taken = await startViewerServer({});
    try {
      const { o, io: theIo } = io();
      let code = -1;
      const cmd = viewCommand(theIo, (c) => (code = c), { until: async () => {} }).exitOverride();
      await cmd.parseAsync(["--no-open", "--port", String(taken.port)], { from: "user" });
      expect(code).toBe(2);
      expect(o.err).toBe(`usbscope: port ${taken.port} is in use\n`);
    } finally {
      await taken.close();
    }
  });

  it("rejects a port that is not a number", async () => {
    const { io: theIo } = io();
    const cmd = viewCommand(theIo, () => {}, { until: async () => {} })
      .exitOverride()
      .configureOutput({ writeErr: () => {} });
    await expect(cmd.parseAsync(["--port", "http"], { from: "user" })).rejects.toThrow(/port number/);
  });
});
