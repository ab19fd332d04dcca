// The fields of the filter language, with what each means and an example: the one list the compiler,
// the "unknown field" error, `usbscope filter --help` and the README draw on.

export interface FieldSpec {
  name: string;
  /** What the field is, in one line. */
  summary: string;
  /** Values and operators it takes. */
  values: string;
  example: string;
}

export const FIELDS: readonly FieldSpec[] = [
  {
    name: "dev",
    summary: "device address; a data packet and its handshake have their token's",
    values: "0..127; == != < <= > >= in",
    example: "dev==5",
  },
  {
    name: "vidpid",
    summary:
      "the device with this idVendor:idProduct, from the device descriptors seen (its addresses but 0)",
    values: "VVVV:PPPP in hex; == !=",
    example: "vidpid==1209:0001",
  },
  {
    name: "ep",
    summary: "endpoint number; a data packet and its handshake have their token's",
    values: "0..15; == != < <= > >= in",
    example: "ep==1",
  },
  {
    name: "epaddr",
    summary: "endpoint address with the direction in bit 7 (§9.6.6)",
    values: "0x00..0xff; == != < <= > >= in",
    example: "epaddr==0x81",
  },
  {
    name: "dir",
    summary: "direction of the transaction or URB",
    values: "in, out; == !=",
    example: "dir==in",
  },
  {
    name: "kind",
    summary: "transfer type, or what the record is",
    values:
      "control, bulk, interrupt, iso, sof, setup, poll (a NAKed IN/PING, an empty interrupt completion); == !=",
    example: "kind!=sof",
  },
  {
    name: "pid",
    summary: "packet ID (raw captures)",
    values: "IN, OUT, SETUP, SOF, DATA0..., ACK, NAK, STALL, NYET, ERR, SPLIT, PING, or a number; == !=",
    example: "pid==IN",
  },
  {
    name: "status",
    summary: "outcome: of the packet and its transaction, of a URB, of a transfer",
    values:
      "ok, stall, nak, error, bad-crc, incomplete, cancelled; a URB status by name (EPIPE, USBD_STATUS_STALL_PID) or number (-32); == !=",
    example: "status==stall",
  },
  {
    name: "len",
    summary:
      "payload bytes: of the transaction's data packet (PID and CRC excluded), of a URB, of a transfer",
    values: "a number; == != < <= > >= in",
    example: "len>=64",
  },
  {
    name: "time",
    summary: "seconds from the first record, or an absolute ISO 8601 time (UTC unless a zone is given)",
    values: "1.5, 250ms, 10us, 2024-05-01T10:00:00.25Z; == != < <= > >= in",
    example: "time in 1.5..2",
  },
  {
    name: "index",
    summary: "record index from 0 (Wireshark frame number - 1); a transfer spans its first to last record",
    values: "a number; == != < <= > >= in",
    example: "index in 100..200",
  },
  {
    name: "rule",
    summary: "records with a finding of this rule (bare `rule`: with any finding)",
    values: "a rule ID (usbscope rules); == !=",
    example: "rule==CRC16",
  },
  {
    name: "severity",
    summary: "records with a finding of this severity",
    values: "info < warning < error; == != < <= > >=",
    example: "severity>=warning",
  },
  {
    name: "request",
    summary: "control transfers by request name, first words enough",
    values: 'GET_DESCRIPTOR, SET_CONFIGURATION, "GET_DESCRIPTOR DEVICE", class, vendor...; == !=',
    example: "request==SET_CONFIGURATION",
  },
  {
    name: "data",
    summary: "payload bytes (a transaction's data packet, a URB's, a transfer's)",
    values: 'hex bytes 55:53:42:43 or 55534243, or a "string"; contains ==',
    example: "data contains 55:53:42:43",
  },
];

export const FIELD_NAMES: readonly string[] = FIELDS.map((f) => f.name);

/** The language in a few lines, then every field: `usbscope filter --help` and the CLI's errors. */
export function filterHelp(): string {
  const w = Math.max(...FIELDS.map((f) => f.name.length));
  return [
    "A filter is comparisons joined by && (and), || (or), ! (not) and parentheses:",
    "  FIELD == VALUE   (also != < <= > >=)      FIELD in LOW..HIGH      data contains BYTES",
    "  FIELD alone: the record has the field (rule: the record has a finding).",
    "A record without a field matches no comparison on it (use !(dev==5), not dev!=5, to keep them).",
    "",
    "Fields:",
    ...FIELDS.flatMap((f) => [
      `  ${f.name.padEnd(w)}  ${f.summary}`,
      `  ${" ".repeat(w)}  ${f.values}; e.g. ${f.example}`,
    ]),
    "",
    "Examples:",
    "  dev==5 && ep==1 && pid==IN",
    "  kind!=sof && !(kind==poll)",
    "  status==stall || severity>=warning",
    "  vidpid==1209:0001 && request==GET_DESCRIPTOR",
    "  index in 100..200 && data contains 55:53:42:43",
  ].join("\n");
}
