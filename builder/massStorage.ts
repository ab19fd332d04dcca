// Bulk-Only Transport wrappers (USB MSC BOT 1.0 §5.1 CBW, §5.2 CSW) and SCSI CDBs (SPC-4, SBC-3) for
// building mass storage traffic; the test helpers send them over BusSim or UrbHost bulk endpoints.

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** A 31-byte CBW: 'USBC', tag, dCBWDataTransferLength, flags (bit 7: data in), LUN, the CDB padded to 16. */
export function cbw(tag: number, length: number, dirIn: boolean, cdb: number[], lun = 0): Uint8Array {
  const cb = new Array<number>(16).fill(0);
  cdb.forEach((b, i) => (cb[i] = b));
  return Uint8Array.of(
    0x55,
    0x53,
    0x42,
    0x43,
    ...le32(tag),
    ...le32(length),
    dirIn ? 0x80 : 0,
    lun,
    cdb.length,
    ...cb,
  );
}

/** A 13-byte CSW: 'USBS', tag, dCSWDataResidue, bCSWStatus (0 passed, 1 failed, 2 phase error). */
export function csw(tag: number, residue = 0, status = 0): Uint8Array {
  return Uint8Array.of(0x55, 0x53, 0x42, 0x53, ...le32(tag), ...le32(residue), status);
}

/** SCSI CDBs. */
export const Cdb = {
  testUnitReady: () => [0x00, 0, 0, 0, 0, 0],
  requestSense: (alloc = 18) => [0x03, 0, 0, 0, alloc, 0],
  inquiry: (alloc = 36) => [0x12, 0, 0, 0, alloc, 0],
  readCapacity10: () => [0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  read10: (lba: number, blocks: number) => [0x28, 0, ...be32(lba), 0, (blocks >> 8) & 0xff, blocks & 0xff, 0],
  write10: (lba: number, blocks: number) => [
    0x2a,
    0,
    ...be32(lba),
    0,
    (blocks >> 8) & 0xff,
    blocks & 0xff,
    0,
  ],
  modeSense6: (page = 0x3f, alloc = 192) => [0x1a, 0, page, 0, alloc, 0],
};

/** 36 bytes of standard INQUIRY data: a removable direct-access device. */
export function inquiryData(vendor = "USBSCOPE", product = "Test Disk", revision = "1.00"): Uint8Array {
  const text = (s: string, n: number) => Array.from(s.padEnd(n, " ").slice(0, n), (c) => c.charCodeAt(0));
  return Uint8Array.of(
    0x00,
    0x80,
    0x04,
    0x02,
    31,
    0,
    0,
    0,
    ...text(vendor, 8),
    ...text(product, 16),
    ...text(revision, 4),
  );
}

/** 18 bytes of fixed-format sense data (SPC-4 §4.5.3). */
export function senseData(key: number, asc: number, ascq: number): Uint8Array {
  const b = new Uint8Array(18);
  b[0] = 0x70;
  b[2] = key;
  b[7] = 10;
  b[12] = asc;
  b[13] = ascq;
  return b;
}

/** READ CAPACITY(10) data: the last LBA and the block length. */
export function capacityData(lastLba: number, blockLength = 512): Uint8Array {
  return Uint8Array.of(...be32(lastLba), ...be32(blockLength));
}
