import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep workers to two so tshark-driven tests do not starve each other.
    maxWorkers: 2,
    reporters: ["default", "./test/summaryReporter.ts"],
  },
});
