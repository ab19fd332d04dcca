import type { AnalysisContext, ControlTransfer } from "../../../src/usb/model.js";
import type { Finding } from "../../../src/usb/finding.js";

/** An AnalysisContext that records what the layer reports. */
export function recordingContext() {
  const findings: Finding[] = [];
  const transfers: ControlTransfer[] = [];
  const ctx: AnalysisContext = {
    findings: { add: (f) => void findings.push(f) },
    onControlTransfer: (t) => void transfers.push(t),
    endpoints: { endpointType: () => undefined },
    speed: "unknown",
  };
  return { ctx, findings, transfers, rules: () => findings.map((f) => `${f.rule}/${f.severity}`) };
}
