// Constants shared by the WASM core (AssemblyScript) and the TypeScript layers.
// Written in the subset both compilers accept (plain enums of integer literals),
// so no number is written twice (STYLE convention 2).

/** USB 2.0 Table 8-1: the whole PID byte, check nibble included (low nibble = PID, high = its complement). */
export enum Pid {
  OUT = 0xe1,
  IN = 0x69,
  SOF = 0xa5,
  SETUP = 0x2d,
  DATA0 = 0xc3,
  DATA1 = 0x4b,
  DATA2 = 0x87,
  MDATA = 0x0f,
  ACK = 0xd2,
  NAK = 0x5a,
  STALL = 0x1e,
  NYET = 0x96,
  /** PRE (host to LS device) and ERR (split handshake) share the code (§8.3.1). */
  PRE_ERR = 0x3c,
  SPLIT = 0x78,
  PING = 0xb4,
  /** PID code 0x0 is reserved in USB 2.0 (LPM's EXT in the 2007 ECN). */
  RESERVED = 0xf0,
}

/** What the core concluded about one record. */
export enum PacketStatus {
  OK = 0,
  /** PID low nibble is not the complement of the high nibble (§8.3.1). */
  BAD_PID_CHECK = 1,
  /** Token, SOF or SPLIT CRC5 wrong (§8.3.5.1). */
  BAD_CRC5 = 2,
  /** Data packet CRC16 wrong (§8.3.5.2). */
  BAD_CRC16 = 3,
  /** Length impossible for the PID (token/SOF 3, SPLIT 4, handshake 1, data 3..1027). */
  BAD_LENGTH = 4,
  /** The reserved PID 0x0. */
  RESERVED_PID = 5,
  /** A zero-length raw record: nothing to decode. */
  EMPTY = 6,
  /** A record of a link type the core does not decode (usbmon, USBPcap, syslog): passed up. */
  NOT_RAW = 7,
  /** Captured length below the original length: the packet was cut by the snap length. */
  TRUNCATED = 8,
}

/** Packet kinds derived from the PID type bits (§8.3.1). */
export enum PidType {
  SPECIAL = 0,
  TOKEN = 1,
  HANDSHAKE = 2,
  DATA = 3,
}

/** LINKTYPE_* values from the tcpdump link-type registry. */
export enum LinkType {
  USB_LINUX = 189,
  USBPCAP = 249,
  USB_LINUX_MMAPPED = 220,
  WIRESHARK_UPPER_PDU = 252,
  USB_2_0 = 288,
  USB_2_0_LOW_SPEED = 293,
  USB_2_0_FULL_SPEED = 294,
  USB_2_0_HIGH_SPEED = 295,
  /**
   * Not a link type: a pcapng Custom Block (0x00000BAD / 0x40000BAD). Wireshark 4 shows custom blocks
   * as frames, so usbscope counts them as records too and record index + 1 stays the Wireshark frame number.
   */
  PCAPNG_CUSTOM_BLOCK = 0xfffe,
  /** Record whose pcapng interface is unknown. */
  UNKNOWN = 0xffff,
}

/** Where the framer stopped after a decode() call (as/framer.ts). */
export enum DecodeState {
  /** The next record is incomplete: compact, read more, call again. */
  NEED_MORE = 0,
  /** The packet table is full: read the batch, call again with the same input. */
  BATCH_FULL = 1,
  /** End of input reached with every byte framed. */
  DONE = 2,
  /** A framing error stopped the framer (errorCode, errorOffset). */
  ERROR = 3,
}

/** Container formats, sniffed from the first bytes. */
export enum CaptureFormat {
  UNKNOWN = 0,
  PCAP = 1,
  PCAPNG = 2,
  USBMON_TEXT = 3,
}

/** Framing errors. Each stops the framer at errorOffset; records before it are kept. */
export enum FormatError {
  NONE = 0,
  UNKNOWN_MAGIC = 1,
  TRUNCATED_HEADER = 2,
  TRUNCATED_RECORD = 3,
  /** Captured length or block length over MAX_RECORD_BYTES. */
  RECORD_TOO_LARGE = 4,
  /** pcapng block total length not a multiple of 4 or below the minimum (12). */
  BLOCK_LENGTH_INVALID = 5,
  /** pcapng trailing block total length differs from the leading one. */
  BLOCK_LENGTH_MISMATCH = 6,
  /** Captured length larger than the block (pcapng) that holds it. */
  CAPLEN_EXCEEDS_BLOCK = 7,
  /** A packet block names an interface with no Interface Description Block. */
  BAD_INTERFACE_ID = 8,
  /** pcapng data before any Section Header Block, or a bad byte-order magic. */
  BAD_SECTION_HEADER = 9,
  /**
   * An Interface Description Block beyond MAX_INTERFACES in one section, or one the interface
   * table cannot grow (memory.grow failed) to hold. errorOffset is that IDB's.
   */
  TOO_MANY_INTERFACES = 10,
}

/** Bit layout of the frame column for SPLIT packets (§8.4.2.2). */
export enum SplitBits {
  /** Start (0) or Complete (1) split. */
  SC = 0x100,
  /** S: speed (LS=1) for interrupt/control, or Start for iso OUT. */
  S = 0x04,
  /** E (SSPLIT iso OUT: end) or U (CSPLIT: reserved). */
  E = 0x08,
  /** Endpoint type: 0 control, 1 iso, 2 bulk, 3 interrupt. */
  ET_MASK = 0x03,
}

/**
 * How the core repaired a timestamp (a bit each; CaptureInfo.timeFixes.kinds OR-s them). Every time it
 * writes has whole seconds within ISO 8601's four-digit years and nanoseconds below 10^9.
 */
export enum TimeFix {
  /** A sub-second field of one second or more (pcap ts_usec >= 10^6, usbmon ts_usec < 0): whole seconds carried. */
  CARRIED = 1,
  /** Seconds before 0000-01-01 or after 9999-12-31: clamped to that range. */
  CLAMPED = 2,
}

/** Limits of the framer. */
export enum Limits {
  /** Captured length or block length above this is an error, never an allocation. */
  MAX_RECORD_BYTES = 268435456,
  /**
   * Interfaces in one pcapng section (2^20). The spec's interface IDs are u32; the core's table takes
   * 32 bytes per interface and grows on demand (as/framer.ts), so this bounds it at 32 MiB.
   */
  MAX_INTERFACES = 1048576,
  /** Interfaces (in file order, across sections) whose records the core counts one by one; later ones are summed. */
  COUNTED_INTERFACES = 1024,
}

/**
 * Whole seconds of 0000-01-01T00:00:00Z and of 9999-12-31T23:59:59Z: the range of a timestamp, ISO 8601's
 * four-digit years (TimeFix.CLAMPED). Outside an enum: they do not fit AssemblyScript's 32-bit enum values.
 */
export const MIN_TIME_SEC = -62167219200;
export const MAX_TIME_SEC = 253402300799;
