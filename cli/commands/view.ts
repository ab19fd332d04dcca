// usbscope view [FILE]: serves the viewer (viewer/, dist/, build/*.wasm, uPlot) on 127.0.0.1 and,
// with FILE, the capture at GET /capture, which the page loads and analyzes in the browser.
// The server only reads files under those roots, and answers only to a loopback Host header
// (a page on another site cannot reach it through DNS rebinding).
import { spawn } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { EXIT_OK, EXIT_USAGE, shownName, type Io } from "../io.js";
import { filterErrorText, withFilterOptions, type FilterFlags } from "./filterOptions.js";
import { compileFilterOptions, FilterError } from "../../src/index.js";

export interface ViewerServer {
  /** http://127.0.0.1:PORT/viewer/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ViewerServerOptions {
  /** Capture served at /capture; the page loads it on open. */
  file?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The repository (or installed package) root; found from this file by default. */
  root?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".md": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * Sent with every response. The page's own CSP (the meta tag in viewer/index.html, kept for other static
 * servers) plus what only a header can say: frame-ancestors (a meta CSP ignores it) with X-Frame-Options for
 * older browsers, so no other site can frame the viewer (clickjacking); no referrer leaves the page; no other
 * origin may load its resources.
 */
export const VIEWER_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": VIEWER_CSP,
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** URL prefix → directory under the root. The page uses the same layout, so any static server of the root works too. */
function mounts(root: string): Array<[string, string]> {
  return [
    ["/viewer/", path.join(root, "viewer")],
    ["/dist/", path.join(root, "dist")],
    ["/build/", path.join(root, "build")],
    ["/node_modules/uplot/dist/", uplotDir(root)],
  ];
}

/** uPlot's dist/ directory, wherever npm put it (hoisted out of this package when installed as a dependency). */
export function uplotDir(root: string): string {
  try {
    return path.dirname(createRequire(path.join(root, "package.json")).resolve("uplot"));
  } catch {
    return path.join(root, "node_modules", "uplot", "dist");
  }
}

/** The directory holding viewer/index.html, searched upward from this module (cli/commands or dist/cli/commands). */
export function findViewerRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, "viewer", "index.html"))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error("usbscope view: viewer/index.html not found next to the installed package");
}

/** Start the viewer's static server on 127.0.0.1. */
export async function startViewerServer(options: ViewerServerOptions = {}): Promise<ViewerServer> {
  const root = options.root ?? findViewerRoot();
  const file = options.file === undefined ? undefined : path.resolve(options.file);
  if (file !== undefined) {
    const s = await stat(file);
    if (!s.isFile()) throw new Error(`${options.file}: not a regular file`); // shown through the sanitizing Io
  }
  let port = 0;
  const mounted = mounts(root);
  const server = createServer((req, res) => {
    handle(req, res, mounted, file, port).catch(() => send(res, 500, "internal error"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/viewer/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    ...SECURITY_HEADERS,
    ...headers,
  });
  res.end(text);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  mounted: Array<[string, string]>,
  file: string | undefined,
  port: number,
): Promise<void> {
  const host = req.headers.host ?? "";
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return send(res, 421, "wrong host");
  if (req.method !== "GET" && req.method !== "HEAD")
    return send(res, 405, "method not allowed", { Allow: "GET, HEAD" });
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  } catch {
    return send(res, 400, "bad path");
  }
  if (pathname === "/" || pathname === "/viewer") return send(res, 302, "", { Location: "/viewer/" });
  if (pathname === "/capture") {
    if (file === undefined) return send(res, 204, "");
    return sendFile(req, res, file, "application/octet-stream", {
      "X-Capture-Name": encodeURIComponent(path.basename(file)),
    });
  }
  for (const [prefix, base] of mounted) {
    if (!pathname.startsWith(prefix)) continue;
    let rel = pathname.slice(prefix.length);
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const target = path.resolve(base, rel);
    // No way out of the mount: "..", absolute paths and NUL bytes all fail this check.
    if (!target.startsWith(base + path.sep) || target.includes("\0")) return send(res, 404, "not found");
    if (prefix === "/build/" && !target.endsWith(".wasm")) return send(res, 404, "not found");
    const type = CONTENT_TYPES[path.extname(target)];
    if (!type) return send(res, 404, "not found");
    return sendFile(req, res, target, type);
  }
  send(res, 404, "not found");
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  target: string,
  type: string,
  extra: Record<string, string> = {},
): Promise<void> {
  let size: number;
  try {
    const s = await stat(target);
    if (!s.isFile()) return send(res, 404, "not found");
    size = s.size;
  } catch {
    return send(res, 404, "not found");
  }
  res.writeHead(200, {
    "Content-Type": type,
    "Content-Length": String(size),
    "Cache-Control": "no-store",
    ...SECURITY_HEADERS,
    ...extra,
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  const stream = createReadStream(target);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

/** Open `url` in the desktop's browser; failures only print the hint. */
function openBrowser(url: string, io: Io): void {
  const command =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  try {
    const child = spawn(command, [url], { stdio: "ignore", detached: true });
    child.on("error", () => io.err(`usbscope: cannot start a browser (${command}); open ${url}\n`));
    child.unref();
  } catch {
    io.err(`usbscope: cannot start a browser; open ${url}\n`);
  }
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("a port number 0..65535 (0 picks a free one)");
  return n;
}

/** Until the process is interrupted (Ctrl-C) or terminated. */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export function viewCommand(
  io: Io,
  setExit: (code: number) => void,
  options: { until?: (server: ViewerServer) => Promise<void> } = {},
): Command {
  const cmd = new Command("view")
    .description("open the browser viewer (served on 127.0.0.1); with FILE, it shows that capture")
    .argument("[file]", "pcap, pcapng or usbmon text capture to show")
    .option("--port <n>", "port to listen on (0 picks a free one)", parsePort, 0)
    .option("--no-open", "print the URL only; do not start a browser");
  // The filter flags fill the viewer's filter bar: the URL's #filter, #hidesof, #hidepolls.
  withFilterOptions(cmd, "records and transfers the viewer shows at first");
  return cmd.action(async (file: string | undefined, opts: FilterFlags & { port: number; open: boolean }) => {
    const hash = viewerHashOrUsage(opts, io, setExit);
    if (hash === undefined) return;
    let server: ViewerServer;
    try {
      server = await startViewerServer({ file, port: opts.port });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        err.code === "ENOENT"
          ? `${shownName(file ?? "")}: no such file`
          : err.code === "EACCES"
            ? `${shownName(file ?? "")}: permission denied`
            : err.code === "EADDRINUSE"
              ? `port ${opts.port} is in use`
              : err.message;
      io.err(`usbscope: ${why}\n`);
      setExit(EXIT_USAGE);
      return;
    }
    const url = server.url + hash;
    io.out(`usbscope viewer: ${url}\n`);
    if (opts.open) openBrowser(url, io);
    io.out("Press Ctrl-C to stop.\n");
    await (options.until ?? untilSignal)(server);
    await server.close();
    setExit(EXIT_OK);
  });
}

/** viewerHash, or undefined after saying why the filter does not compile (exit 2), as every command does. */
export function viewerHashOrUsage(
  flags: FilterFlags,
  io: Io,
  setExit: (code: number) => void,
): string | undefined {
  try {
    return viewerHash(flags);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    io.err(filterErrorText(e));
    setExit(EXIT_USAGE);
    return undefined;
  }
}

/**
 * The URL hash that opens the viewer with the filter flags in its filter bar ("" without any):
 * --filter and --device (as vidpid==VID:PID) joined with &&, the shortcuts as the bar's check boxes.
 * Throws FilterError as --filter does on the other commands.
 */
export function viewerHash(flags: FilterFlags): string {
  compileFilterOptions(flags);
  const parts = [flags.filter, flags.device !== undefined ? `vidpid==${flags.device}` : undefined].filter(
    (p): p is string => p !== undefined,
  );
  const p = new URLSearchParams();
  if (parts.length > 0)
    p.set("filter", parts.length > 1 ? parts.map((x) => `(${x})`).join(" && ") : parts[0]!);
  if (flags.hideSof) p.set("hidesof", "1");
  if (flags.hidePolls) p.set("hidepolls", "1");
  const text = p.toString();
  return text === "" ? "" : `#${text}`;
}
