// The human report of `usbscope analyze`: summary, then diagnosis, then findings in plain words.
import type { AnalysisResult } from "../result.js";
import type { Finding } from "../usb/finding.js";
import { secondsBetween } from "../usb/time.js";
import { sanitizeTerminal } from "./sanitize.js";
import { diagnosisLines } from "./diagnosis.js";
import { linktypeName } from "../usb/linkTypes.js";

export function analysisText(r: AnalysisResult): string {
  const out: string[] = [];
  const c = r.findings.countBySeverity;
  out.push(`usbscope: ${sanitizeTerminal(r.file)}`);
  const order =
    r.capture.format === "usbmon-text" ? "" : r.capture.bigEndian ? ", big-endian" : ", little-endian";
  out.push(`  format        ${r.capture.format}${order}`);
  if (r.linktypes.length)
    out.push(`  link types    ${r.linktypes.map((lt) => `${lt} (${linktypeName(lt)})`).join(", ")}`);
  out.push(`  speed         ${r.speed}`);
  const span = r.firstTime && r.lastTime ? `, ${secondsBetween(r.firstTime, r.lastTime).toFixed(6)} s` : "";
  if (r.capture.format === "usbmon-text") out.push(`  URB events    ${r.urbEvents}`);
  else out.push(`  records       ${r.capture.records}${span}`);
  if (r.packets > 0) {
    out.push(`  packets       ${r.packets}`);
    out.push(
      `  by PID        ${[...r.pidCounts.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([p, n]) => `${p} ${n}`)
        .join(", ")}`,
    );
  }
  if (r.transactions > 0) out.push(`  transactions  ${r.transactions}`);
  if (r.urbEvents > 0 && r.capture.format !== "usbmon-text") out.push(`  URB events    ${r.urbEvents}`);
  out.push(`  control       ${r.controlTransferCount} transfers`);
  if (r.busEvents.counts.size)
    out.push(`  bus events    ${[...r.busEvents.counts].map(([e, n]) => `${e} ${n}`).join(", ")}`);
  out.push(
    `  findings      ${c.error} error${c.error === 1 ? "" : "s"}, ${c.warning} warning${c.warning === 1 ? "" : "s"}, ${c.info} info`,
  );
  const diagnosis = diagnosisLines(r);
  if (diagnosis.length) {
    out.push("", "Devices");
    for (const line of diagnosis) out.push(`  ${sanitizeTerminal(line)}`);
    const more = r.descriptors.notListed;
    if (more > 0) out.push(`  … and ${more} more device${more === 1 ? "" : "s"}, checked but not listed`);
  }
  if (r.busEvents.list.length) {
    out.push(
      "",
      "Bus events (recorded by the sniffer; keepalives, chirp bits and folded frames counted, not listed)",
    );
    for (const e of r.busEvents.list.slice(0, MAX_BUS_EVENT_LINES)) {
      const t = r.firstTime ? `  +${secondsBetween(r.firstTime, e.time).toFixed(6)}s` : "";
      out.push(`  #${String(e.index).padEnd(6)}${t}  ${e.event}`);
    }
    const more = r.busEvents.list.length - MAX_BUS_EVENT_LINES;
    if (more > 0) out.push(`  … and ${more} more (--json lists them)`);
  }
  const findings = r.findings.sorted();
  if (findings.length) {
    out.push("", "Findings");
    for (const f of findings) out.push(findingLine(f, r));
    for (const [rule, n] of r.findings.dropped)
      out.push(`  … and ${n} more ${rule} finding${n === 1 ? "" : "s"} not listed`);
  }
  return out.join("\n") + "\n";
}

/** Bus events listed in the text report; the JSON document has them all. */
const MAX_BUS_EVENT_LINES = 40;

const SEVERITY_WORD = { error: "error  ", warning: "warning", info: "info   " } as const;

export function findingLine(f: Finding, r?: Pick<AnalysisResult, "firstTime">): string {
  const where = f.packet !== undefined ? `#${f.packet}` : f.offset !== undefined ? `@${f.offset}` : "";
  const when = f.time && r?.firstTime ? `+${secondsBetween(r.firstTime, f.time).toFixed(6)}s` : "";
  const dev = f.device !== undefined ? ` dev ${f.device}` : "";
  const spec = f.spec ? ` [${f.spec}]` : "";
  return `  ${SEVERITY_WORD[f.severity]} ${f.rule.padEnd(22)} ${where.padEnd(8)} ${when.padEnd(14)}${dev} ${sanitizeTerminal(f.message)}${spec}`;
}
