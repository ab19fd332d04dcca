// Packet sequences for common transactions and control transfers (USB 2.0 §8.5), for unit tests.
import { Pid } from "../../../as/shared/constants.js";
import { ACK, type Packet, data, data0, data1, inTok, outTok, setupBytes, setupTok } from "./packets.js";

/** SETUP stage: SETUP, DATA0 (8 bytes), ACK. */
export function setupStage(address: number, setup: number[], endpoint = 0): Packet[] {
  return [setupTok(address, endpoint), data0(setup), ACK];
}

/** Data transactions on `token`'s direction, DATA1, DATA0, ... (from `firstToggle`), each ACKed. */
function dataTransactions(
  token: (address: number, endpoint: number) => Packet,
  address: number,
  chunks: number[][],
  firstToggle: Pid,
  endpoint: number,
): Packet[] {
  let pid = firstToggle;
  const out: Packet[] = [];
  for (const c of chunks) {
    out.push(token(address, endpoint), data(pid, c), ACK);
    pid = pid === Pid.DATA0 ? Pid.DATA1 : Pid.DATA0;
  }
  return out;
}

/** IN data transactions DATA1, DATA0, ... each ACKed. */
export const inData = (
  address: number,
  chunks: number[][],
  firstToggle: Pid = Pid.DATA1,
  endpoint = 0,
): Packet[] => dataTransactions(inTok, address, chunks, firstToggle, endpoint);

/** OUT data transactions DATA1, DATA0, ... each ACKed. */
export const outData = (
  address: number,
  chunks: number[][],
  firstToggle: Pid = Pid.DATA1,
  endpoint = 0,
): Packet[] => dataTransactions(outTok, address, chunks, firstToggle, endpoint);

/** Status stage IN (after OUT data or none): IN, DATA1 (empty), ACK. */
export const statusIn = (address: number): Packet[] => [inTok(address, 0), data1([]), ACK];
/** Status stage OUT (after IN data): OUT, DATA1 (empty), ACK. */
export const statusOut = (address: number): Packet[] => [outTok(address, 0), data1([]), ACK];

/** A whole control read: setup, IN data in chunks, OUT status. */
export function controlRead(address: number, setup: number[], chunks: number[][]): Packet[] {
  return [...setupStage(address, setup), ...inData(address, chunks), ...statusOut(address)];
}

/** A whole control write: setup, OUT data in chunks, IN status. */
export function controlWrite(address: number, setup: number[], chunks: number[][]): Packet[] {
  return [...setupStage(address, setup), ...outData(address, chunks), ...statusIn(address)];
}

/** A request without data stage: setup, IN status. */
export function controlNoData(address: number, setup: number[]): Packet[] {
  return [...setupStage(address, setup), ...statusIn(address)];
}

export const GET_DESCRIPTOR_DEVICE = (wLength: number) => setupBytes(0x80, 6, 0x0100, 0, wLength);
export const SET_ADDRESS = (addr: number) => setupBytes(0x00, 5, addr, 0, 0);
export const SET_CONFIGURATION = (value: number) => setupBytes(0x00, 9, value, 0, 0);

/** 18-byte device descriptor with a given bMaxPacketSize0 (§9.6.1). */
export function deviceDescriptor(maxPacket0: number): number[] {
  return [18, 1, 0x00, 0x02, 0, 0, 0, maxPacket0, 0x09, 0x12, 0x34, 0x56, 0x00, 0x01, 1, 2, 3, 1];
}

/** Split `bytes` into chunks of at most `size`. */
export function chunk(bytes: number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

export const range = (n: number, start = 0) => Array.from({ length: n }, (_, i) => (start + i) & 0xff);
