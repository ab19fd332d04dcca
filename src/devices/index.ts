// The descriptor layer's public surface: what the CLI, the report and the viewer use.
export { DescriptorLayer, type DescriptorLayerResult, type DeviceReport } from "./descriptorLayer.js";
export { DeviceTracker, MAX_TRANSFERS } from "./tracker.js";
export type { UsbDevice, DeviceState, DescriptorRead, Held, SpeedGuess } from "./device.js";
export { diagnose, type Diagnosis, type Evidence, type Reached } from "./diagnosis.js";
export { enumerationTimeline, type EnumerationStep } from "./timeline.js";
export { guessSpeed } from "./speed.js";
export { renderDevice, type RenderNote } from "../descriptors/render.js";
export { descriptorsJson, type Json } from "../descriptors/json.js";
export { sanitizeTerminal, escapeHtml } from "../descriptors/strings.js";
export { descriptorRules, type DescriptorRule, type DescriptorRuleContext, type RuleHit, type FieldRef } from "../rules/descriptor/index.js";
