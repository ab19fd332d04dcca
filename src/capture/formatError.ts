import { FormatError } from "../../as/shared/constants.js";

/** Plain words for each framing error the core reports. */
export function formatErrorMessage(code: FormatError): string {
  switch (code) {
    case FormatError.UNKNOWN_MAGIC:
      return "not a pcap, pcapng or usbmon text capture (unknown magic number)";
    case FormatError.TRUNCATED_HEADER:
      return "file ends inside a header (truncated capture)";
    case FormatError.TRUNCATED_RECORD:
      return "file ends inside a record (truncated capture)";
    case FormatError.RECORD_TOO_LARGE:
      return "record or block length over 256 MiB: corrupt length field";
    case FormatError.BLOCK_LENGTH_INVALID:
      return "pcapng block length is below 12 or not a multiple of 4";
    case FormatError.BLOCK_LENGTH_MISMATCH:
      return "pcapng block's trailing length differs from its leading length";
    case FormatError.CAPLEN_EXCEEDS_BLOCK:
      return "pcapng packet's captured length is larger than its block";
    case FormatError.BAD_INTERFACE_ID:
      return "pcapng packet names an interface with no Interface Description Block";
    case FormatError.BAD_SECTION_HEADER:
      return "pcapng section header missing or with a bad byte-order magic";
    case FormatError.TOO_MANY_INTERFACES:
      return "more than 1,048,576 (2^20) pcapng interfaces in one section, or no memory left for the interface table";
    default:
      return "no error";
  }
}
