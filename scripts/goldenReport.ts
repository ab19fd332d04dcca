// The text report of a golden capture as `usbscope analyze captures/NAME/FILE | cat` prints it: 100 columns
// (the width of a pipe), no colour. captures/NAME/report.txt holds it; test/golden checks the CLI against it.
import { analysisText, analyzeSource, bufferSource } from "../src/index.js";

/** Columns of a report written into a pipe (cli/io.ts PIPE_COLUMNS). */
export const GOLDEN_COLUMNS = 100;

export async function goldenReport(bytes: Uint8Array, name: string): Promise<string> {
  const r = await analyzeSource(bufferSource(bytes), name);
  return analysisText(r, { width: GOLDEN_COLUMNS });
}
