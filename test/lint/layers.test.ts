// The layer rules of eslint.config.js (README "Architecture"), proven both ways: a wrong import fails the
// lint with a message naming the layer rule, and the right one passes. Lints source text under a file
// name, so no file is written.
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/paths.js";

const eslint = new ESLint({ cwd: repoRoot });

async function layerMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${filePath}` });
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layer rules", () => {
  const cases: Array<[file: string, wrong: string, right: string, words: RegExp]> = [
    [
      "cli/commands/example.ts",
      `import { analyzeSource } from "../../src/analyze.js";`,
      `import { analyzeSource } from "../../src/index.js";`,
      /cli\/ imports the library only through its front door/,
    ],
    [
      "viewer/example.js",
      `import { Pid } from "../dist/as/shared/constants.js";`,
      `import { Pid } from "../dist/src/index.js";`,
      /viewer\/ imports the library only through its front door/,
    ],
    [
      "src/devices/example.ts",
      `import { descriptorRules } from "../rules/descriptor/index.js";`,
      `import type { DescriptorRule } from "./descriptorRule.js";`,
      /never import a rule module/,
    ],
    [
      "src/transfers/example.ts",
      `import { renderTransfer } from "../report/transferTree.js";`,
      `import { pidName } from "../usb/pid.js";`,
      /presentation lives in src\/report/,
    ],
    [
      "src/usb/example.ts",
      `import { pidName } from "../packets/packetChecks.js";`,
      `import { Pid } from "../../as/shared/constants.js";`,
      /src\/usb\/ is the ground floor/,
    ],
    [
      "src/report/example.ts",
      `import type { AnalyzeOptions } from "../analyze.js";`,
      `import type { AnalysisResult } from "../result.js";`,
      /does not import the analysis entry point/,
    ],
    [
      "src/packets/example.ts",
      `import { DeviceTracker } from "../devices/tracker.js";`,
      `import { finding } from "../usb/finding.js";`,
      /may import only its own floor and those below/,
    ],
    [
      "src/devices/example.ts",
      `import { ClassDecoder } from "../classes/classDecoder.js";`,
      `import type { UsbDevice } from "./device.js";`,
      /may import only its own floor and those below/,
    ],
    [
      "src/classes/example.ts",
      `import { renderTransfer } from "../report/transferTree.js";`,
      `import { activeConfiguration } from "../devices/device.js";`,
      /presentation lives in src\/report/,
    ],
    [
      "src/analyze.ts",
      `import { rawCapture } from "../builder/capture.js";`,
      `import { descriptorRules } from "./rules/descriptor/index.js";`,
      /nothing in src\/ imports cli\/, viewer\/ or the capture builder/,
    ],
  ];
  for (const [file, wrong, right, words] of cases) {
    it(`${file}: rejects \`${wrong}\` and accepts \`${right}\``, async () => {
      const bad = await layerMessages(file, `${wrong}\nexport {};\n`);
      expect(bad.length).toBeGreaterThan(0);
      expect(bad.join("\n")).toMatch(/layer rule/);
      expect(bad.join("\n")).toMatch(words);
      expect(await layerMessages(file, `${right}\nexport {};\n`)).toEqual([]);
    });
  }
});
