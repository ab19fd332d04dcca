// DFU (USB DFU 1.1) traffic for the class tests: a device in DFU mode (§4.2: interface class 0xFE,
// subclass 1, protocol 2) and a download as dfu-util runs it (§6.1.1: DNLOAD, GETSTATUS polling while the
// device reports dfuDNBUSY, DNLOAD of wLength 0, manifestation), with the device's and the host's faults
// the DFU rules look for. Works on the wire (BusSim) and as URBs (UrbHost).
import type { BusSim } from "./bus.js";
import type { UrbHost } from "./urb.js";
import { configuration, deviceDescriptor, interfaceDesc } from "./descriptors.js";
import { setupPacket, type DeviceModel } from "./device.js";
import type { SetupPacket } from "../src/usb/model.js";

const u16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];

/** DFU 1.1 §6.1.2: bState. */
export const DfuState = {
  appIDLE: 0,
  dfuIDLE: 2,
  dfuDNLOAD_SYNC: 3,
  dfuDNBUSY: 4,
  dfuDNLOAD_IDLE: 5,
  dfuMANIFEST_SYNC: 6,
  dfuMANIFEST: 7,
  dfuMANIFEST_WAIT_RESET: 8,
  dfuUPLOAD_IDLE: 9,
  dfuERROR: 10,
} as const;

/** DFU 1.1 §6.1.2: some bStatus values. */
export const DfuStatus = { OK: 0, errWRITE: 3, errVERIFY: 7, errSTALLEDPKT: 15 } as const;

/** The 6-byte GETSTATUS reply (§6.1.2): bStatus, bwPollTimeout (3 bytes), bState, iString. */
export function dfuStatus(bStatus: number, pollTimeoutMs: number, bState: number): Uint8Array {
  return Uint8Array.of(
    bStatus,
    pollTimeoutMs & 0xff,
    (pollTimeoutMs >> 8) & 0xff,
    (pollTimeoutMs >> 16) & 0xff,
    bState,
    0,
  );
}

/** A device in DFU mode: one DFU interface (0), its functional descriptor (§4.1.3 Table 4.2). */
export function dfuModeDevice(
  o: { address?: number; transferSize?: number; manifestationTolerant?: boolean; canDnload?: boolean } = {},
): DeviceModel {
  const attributes = (o.canDnload === false ? 0 : 0x01) | 0x02 | (o.manifestationTolerant ? 0x04 : 0) | 0x08;
  const functional = Uint8Array.of(
    9,
    0x21,
    attributes,
    ...u16(1000),
    ...u16(o.transferSize ?? 64),
    ...u16(0x0110),
  );
  return {
    speed: "full",
    address: o.address ?? 9,
    deviceDescriptor: deviceDescriptor({ idVendor: 0x1209, idProduct: 0xdf11, bMaxPacketSize0: 64 }),
    configDescriptor: configuration({}, [
      interfaceDesc(
        { bInterfaceNumber: 0, bInterfaceClass: 0xfe, bInterfaceSubClass: 1, bInterfaceProtocol: 2 },
        [functional],
      ),
    ]),
  };
}

/** A host issuing control requests; `undefined` as the response (or `stall`) makes the device STALL. */
export interface ControlHost {
  read(addr: number, setup: SetupPacket, response: Uint8Array | undefined): void;
  write(addr: number, setup: SetupPacket, data: Uint8Array, stall?: boolean): void;
  none(addr: number, setup: SetupPacket, stall?: boolean): void;
  idleMs(ms: number): void;
  /** A bus reset (the wire) or nothing (URBs do not show it). */
  reset(): void;
}

export function busControlHost(sim: BusSim, maxPacket0 = 64): ControlHost {
  return {
    read: (a, s, r) => void sim.controlRead(a, s, r, maxPacket0),
    write: (a, s, d, stall) => void sim.controlWrite(a, s, d, maxPacket0, stall ? { stall: "data" } : {}),
    none: (a, s, stall) => void sim.controlNoData(a, s, stall ? { stall: "status" } : {}),
    idleMs: (ms) => void sim.idle(ms * 1e6),
    reset: () => void sim.reset(),
  };
}

export function urbControlHost(host: UrbHost): ControlHost {
  return {
    read: (a, s, r) => void host.control(a, s, { response: r }),
    write: (a, s, d, stall) =>
      void host.control(a, s, { outData: d, faults: stall ? { stall: "data" } : {} }),
    none: (a, s, stall) => void host.control(a, s, { faults: stall ? { stall: "status" } : {} }),
    idleMs: (ms) => void host.idle(ms * 1e6),
    reset: () => undefined,
  };
}

export interface DfuDownloadOptions {
  address?: number;
  interface?: number;
  /** The image; sent in blocks of `transferSize` (default 64). */
  image: Uint8Array;
  transferSize?: number;
  /** bwPollTimeout the device reports in dfuDNBUSY and dfuMANIFEST (default 20 ms). */
  pollTimeoutMs?: number;
  /** How long the host waits after such a reply (default: the bwPollTimeout). Less is the host's fault. */
  hostWaitMs?: number;
  /** The first GETSTATUS's reply (default OK, dfuIDLE); dfuERROR makes the host CLRSTATUS first. */
  initial?: { bStatus: number; bState: number };
  /** The device fails block `block`: the GETSTATUS after it reports `bStatus` in dfuERROR; the host clears it and stops. */
  failAt?: { block: number; bStatus: number };
  /** The host skips the GETSTATUS polling after each block, and the device accepts the next DNLOAD anyway. */
  skipPolling?: boolean;
  /** The host ends with DFU_ABORT after block `abortAfter` instead of finishing. */
  abortAfter?: number;
  /** Manifestation tolerant (§4.1.3 bit 2): dfuIDLE after manifestation; else dfuMANIFEST-WAIT-RESET and a bus reset. */
  manifestationTolerant?: boolean;
}

/** A download as dfu-util runs it (DFU 1.1 §6.1.1, §7), the device answering as its options say. */
export function dfuDownload(h: ControlHost, o: DfuDownloadOptions): void {
  const a = o.address ?? 9;
  const i = o.interface ?? 0;
  const size = o.transferSize ?? 64;
  const poll = o.pollTimeoutMs ?? 20;
  const wait = o.hostWaitMs ?? poll;
  const getStatus = (reply: Uint8Array) => h.read(a, setupPacket(0xa1, 0x03, 0, i, 6), reply);
  const init = o.initial ?? { bStatus: DfuStatus.OK, bState: DfuState.dfuIDLE };
  getStatus(dfuStatus(init.bStatus, 0, init.bState));
  if (init.bState === DfuState.dfuERROR) {
    h.none(a, setupPacket(0x21, 0x04, 0, i, 0));
    getStatus(dfuStatus(DfuStatus.OK, 0, DfuState.dfuIDLE));
  }
  const blocks = Math.ceil(o.image.length / size);
  for (let b = 0; b < blocks; b++) {
    const chunk = o.image.subarray(b * size, (b + 1) * size);
    h.write(a, setupPacket(0x21, 0x01, b, i, chunk.length), chunk);
    if (o.skipPolling) continue;
    getStatus(dfuStatus(DfuStatus.OK, poll, DfuState.dfuDNBUSY));
    h.idleMs(wait);
    if (o.failAt?.block === b) {
      getStatus(dfuStatus(o.failAt.bStatus, 0, DfuState.dfuERROR));
      h.none(a, setupPacket(0x21, 0x04, 0, i, 0));
      return;
    }
    getStatus(dfuStatus(DfuStatus.OK, 0, DfuState.dfuDNLOAD_IDLE));
    if (o.abortAfter === b) {
      h.none(a, setupPacket(0x21, 0x06, 0, i, 0));
      getStatus(dfuStatus(DfuStatus.OK, 0, DfuState.dfuIDLE));
      return;
    }
  }
  // §6.1.1: DNLOAD of wLength 0 ends the download; the device manifests (§7).
  h.none(a, setupPacket(0x21, 0x01, blocks, i, 0));
  getStatus(dfuStatus(DfuStatus.OK, poll, DfuState.dfuMANIFEST));
  h.idleMs(wait);
  if (o.manifestationTolerant) getStatus(dfuStatus(DfuStatus.OK, 0, DfuState.dfuIDLE));
  else {
    getStatus(dfuStatus(DfuStatus.OK, 0, DfuState.dfuMANIFEST_WAIT_RESET));
    h.reset();
  }
}

/** An image of `n` bytes. */
export function firmwareImage(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let k = 0; k < n; k++) b[k] = (k * 7 + 3) & 0xff;
  return b;
}
