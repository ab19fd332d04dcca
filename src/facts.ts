// The pass before a filter that needs the whole capture known (vidpid, rule, severity, request,
// endpoint types): one analysis, keeping only what the filter reads (src/filter/facts.ts).
import { analyzeSource } from "./analyze.js";
import type { ByteSource } from "./capture/source.js";
import { CaptureFacts } from "./filter/facts.js";

export async function gatherFacts(source: ByteSource, name: string): Promise<CaptureFacts> {
  const facts = new CaptureFacts();
  const result = await analyzeSource(source, name, {
    onFinding: (f) => facts.addFinding(f),
    onControlTransfer: (ct) => facts.addControlTransfer(ct),
    keepControlTransfers: false,
    onDevice: (_report, _diagnosis, device) => facts.addDevice(device),
  });
  for (const d of result.descriptors.tracked) facts.addDevice(d);
  return facts;
}
