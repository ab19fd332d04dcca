// What a compiled filter reads from a record, one implementation per kind of record: raw packets
// (their columns, packetSubject.ts), URB events, transfers and findings (subjects.ts). Every getter
// answers NaN (or undefined) when the record has no such field: no comparison on it then matches.
import type { FindingMark } from "./facts.js";

/** `kind` as bits: a record can be of several kinds (a SETUP transaction is `setup` and `control`). */
export enum KindBit {
  CONTROL = 1,
  BULK = 2,
  INTERRUPT = 4,
  ISO = 8,
  SOF = 16,
  SETUP = 32,
  POLL = 64,
}

/** `status` as bits: what went right or wrong, by name. */
export enum StatusBit {
  OK = 1,
  STALL = 2,
  NAK = 4,
  ERROR = 8,
  BAD_CRC = 16,
  INCOMPLETE = 32,
  CANCELLED = 64,
}

export interface Subject<S> {
  /** Device address. */
  dev(s: S): number;
  /** URB captures' bus number. */
  bus(s: S): number;
  /** Endpoint address, direction in bit 7 (0x81: endpoint 1 IN). */
  epaddr(s: S): number;
  kind(s: S): number;
  /** The PID byte. */
  pid(s: S): number;
  status(s: S): number;
  /** A URB's own status number (usbmon: negative errno; USBPcap: USBD_STATUS). */
  urbStatus(s: S): number;
  len(s: S): number;
  /** Absolute time: seconds since the epoch and nanoseconds. */
  sec(s: S): number;
  nsec(s: S): number;
  /** Record index: the first and last records of the subject (the same for one record). */
  first(s: S): number;
  last(s: S): number;
  data(s: S): Uint8Array | undefined;
  findings(s: S): readonly FindingMark[] | undefined;
  request(s: S): string | undefined;
}
