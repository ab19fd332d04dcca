// The packet table: one column (struct of arrays) per field, BATCH_CAPACITY rows, in linear memory.
// JS reads the columns through typed-array views; the column ids are the export names in index.ts.

export let batchCapacity: u32 = 0;

export let colOffset: usize = 0; // f64: file offset of the record header
export let colTsSec: usize = 0; // f64: whole seconds
export let colTsNsec: usize = 0; // u32: nanoseconds within the second
export let colLinktype: usize = 0; // u16
export let colPid: usize = 0; // u8
export let colStatus: usize = 0; // u8 PacketStatus
export let colAddress: usize = 0; // u8
export let colEndpoint: usize = 0; // u8
export let colFrame: usize = 0; // u16: SOF frame number, SPLIT bits, data packet's received CRC16
export let colDataOffset: usize = 0; // u32: offset of the captured bytes in the input region
export let colDataLength: usize = 0; // u32
export let colOrigLength: usize = 0; // u32
export let colInterface: usize = 0; // u32: the record's interface (pcapng, in file order across sections; pcap 0; custom block NO_INTERFACE)

/** Bytes one row takes across all columns. */
export const ROW_BYTES: u32 = 8 + 8 + 4 + 2 + 1 + 1 + 1 + 1 + 2 + 4 + 4 + 4 + 4;

/** Lay the columns out from `base` (8-byte aligned); returns the first byte after them. */
export function layoutColumns(base: usize, capacity: u32): usize {
  batchCapacity = capacity;
  const n = <usize>capacity;
  let p = base;
  colOffset = p; p += n << 3;
  colTsSec = p; p += n << 3;
  colTsNsec = p; p += n << 2;
  colDataOffset = p; p += n << 2;
  colDataLength = p; p += n << 2;
  colOrigLength = p; p += n << 2;
  colInterface = p; p += n << 2;
  colLinktype = p; p += n << 1;
  colFrame = p; p += n << 1;
  colPid = p; p += n;
  colStatus = p; p += n;
  colAddress = p; p += n;
  colEndpoint = p; p += n;
  return (p + 7) & ~<usize>7;
}
