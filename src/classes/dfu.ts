// DFU class requests (USB DFU 1.1 §3 Table 3.2, §6.1.2 GETSTATUS, Table 6.1 states, §6.1.2 status codes):
// DETACH, DNLOAD (block number, length), UPLOAD, GETSTATUS (bStatus, bwPollTimeout, bState by name),
// CLRSTATUS, GETSTATE, ABORT.
import type { SetupPacket } from "../usb/model.js";
import { decoded, uint, unknownCode, type DecodedRequest } from "./decoded.js";

export const DFU_REQUESTS: Record<number, string> = {
  0: "DFU_DETACH",
  1: "DFU_DNLOAD",
  2: "DFU_UPLOAD",
  3: "DFU_GETSTATUS",
  4: "DFU_CLRSTATUS",
  5: "DFU_GETSTATE",
  6: "DFU_ABORT",
};

/** DFU 1.1 §6.1.2: bStatus values. */
export const DFU_STATUS: readonly string[] = [
  "OK",
  "errTARGET",
  "errFILE",
  "errWRITE",
  "errERASE",
  "errCHECK_ERASED",
  "errPROG",
  "errVERIFY",
  "errADDRESS",
  "errNOTDONE",
  "errFIRMWARE",
  "errVENDOR",
  "errUSBR",
  "errPOR",
  "errUNKNOWN",
  "errSTALLEDPKT",
];

/** DFU 1.1 §6.1.2 Table: bState values. */
export const DFU_STATES: readonly string[] = [
  "appIDLE",
  "appDETACH",
  "dfuIDLE",
  "dfuDNLOAD-SYNC",
  "dfuDNBUSY",
  "dfuDNLOAD-IDLE",
  "dfuMANIFEST-SYNC",
  "dfuMANIFEST",
  "dfuMANIFEST-WAIT-RESET",
  "dfuUPLOAD-IDLE",
  "dfuERROR",
];

export const dfuStateName = (s: number) => DFU_STATES[s] ?? `state ${s}`;
export const dfuStatusName = (s: number) => DFU_STATUS[s] ?? `status ${s}`;

/** The 6 bytes GETSTATUS returns (§6.1.2). */
export interface DfuStatus {
  bStatus: number;
  bwPollTimeout: number;
  bState: number;
  iString: number;
}

export function parseDfuStatus(b: Uint8Array): DfuStatus | undefined {
  if (b.length < 6) return undefined;
  return { bStatus: b[0]!, bwPollTimeout: uint(b, 1, 3), bState: b[4]!, iString: b[5]! };
}

export function dfuRequest(setup: SetupPacket, data: Uint8Array | undefined): DecodedRequest {
  const name = DFU_REQUESTS[setup.bRequest] ?? unknownCode(setup.bRequest);
  const iface = setup.wIndex & 0xff;
  const fields: Record<string, number | string | boolean> = { interface: iface };
  let target = `interface ${iface}`;
  let summary: string | undefined;
  switch (setup.bRequest) {
    case 0: // DETACH: wValue is wTimeout in ms (§5.1)
      fields.wTimeout = setup.wValue;
      target += `, timeout ${setup.wValue} ms`;
      break;
    case 1: // DNLOAD: wValue block number, wLength bytes; wLength 0 ends the download (§6.1.1)
      fields.blockNum = setup.wValue;
      fields.wLength = setup.wLength;
      target +=
        setup.wLength === 0
          ? `, block ${setup.wValue}, end of download`
          : `, block ${setup.wValue}, ${setup.wLength} bytes`;
      break;
    case 2: // UPLOAD (§6.2)
      fields.blockNum = setup.wValue;
      fields.wLength = setup.wLength;
      target += `, block ${setup.wValue}`;
      if (data)
        summary = `${data.length} bytes${data.length < setup.wLength ? " (short: end of upload)" : ""}`;
      break;
    case 3: {
      const st = data ? parseDfuStatus(data) : undefined;
      if (st) {
        fields.bStatus = st.bStatus;
        fields.status = dfuStatusName(st.bStatus);
        fields.bwPollTimeout = st.bwPollTimeout;
        fields.bState = st.bState;
        fields.state = dfuStateName(st.bState);
        fields.iString = st.iString;
        summary = `${fields.status}, ${fields.state}, poll timeout ${st.bwPollTimeout} ms`;
      }
      break;
    }
    case 5:
      if (data && data.length >= 1) {
        fields.bState = data[0]!;
        fields.state = dfuStateName(data[0]!);
        summary = String(fields.state);
      }
      break;
  }
  return decoded("DFU", name, target, fields, summary);
}
