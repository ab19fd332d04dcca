// Rule facts of DFU (USB DFU 1.1): what the device reports and how it keeps its state machine (§6.1,
// Appendix A), and how long the host waits when the device asks it to (bwPollTimeout, §6.1.2).
import type { RuleInfo } from "../usb/finding.js";

export const DFU_STATUS_ERROR: RuleInfo = {
  id: "DFU_STATUS_ERROR",
  severity: "error",
  otherSeverities: ["info"],
  spec: "USB DFU 1.1 §6.1.2 (bStatus), Appendix A.2.10",
  title:
    "DFU_GETSTATUS answered with an error bStatus (errWRITE, errVERIFY...): the download failed; info when the error was left from before the capture or follows a stalled request",
};
export const DFU_DNLOAD_STATE: RuleInfo = {
  id: "DFU_DNLOAD_STATE",
  severity: "error",
  spec: "USB DFU 1.1 §6.1.1, Appendix A.2",
  title:
    "the device accepted DFU_DNLOAD in a state that does not allow it (only dfuIDLE and dfuDNLOAD-IDLE do; wLength 0 only in dfuDNLOAD-IDLE): it must STALL and enter dfuERROR",
};
export const DFU_POLL_EARLY: RuleInfo = {
  id: "DFU_POLL_EARLY",
  severity: "warning",
  spec: "USB DFU 1.1 §6.1.2 (bwPollTimeout), Appendix A.2.5, A.2.7",
  title:
    "the host sent its next request before the bwPollTimeout the device asked for in dfuDNBUSY or dfuMANIFEST had passed (the host's fault), and the device answered it",
};

export const dfuRules: readonly RuleInfo[] = [DFU_STATUS_ERROR, DFU_DNLOAD_STATE, DFU_POLL_EARLY];
