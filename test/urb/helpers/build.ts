// Builders for literal URB record bytes (usbmon mon_bin_hdr, USBPcap header) used by unit tests.

export interface MonBinFields {
  id?: bigint;
  type?: string; // 'S' 'C' 'E' '@'
  xferType?: number;
  epnum?: number;
  devnum?: number;
  busnum?: number;
  flagSetup?: number; // 0 = present, else char code
  flagData?: number;
  tsSec?: number;
  tsUsec?: number;
  status?: number;
  length?: number;
  lenCap?: number; // defaults to data length (+ iso descriptors for 220)
  setup?: number[]; // 8 bytes
  errorCount?: number;
  numdesc?: number;
  interval?: number;
  startFrame?: number;
  xferFlags?: number;
  iso?: { status: number; offset: number; length: number }[];
  data?: number[];
}

/** A usbmon binary record: 48-byte header (189) or 64-byte header + iso descriptors (220), then data. */
export function monBin(f: MonBinFields, linktype: 189 | 220 = 220, littleEndian = true): Uint8Array {
  const hdr = linktype === 220 ? 64 : 48;
  const iso = linktype === 220 ? (f.iso ?? []) : [];
  const data = f.data ?? [];
  const out = new Uint8Array(hdr + iso.length * 16 + data.length);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, f.id ?? 0xffff88030dd55900n, littleEndian);
  out[8] = (f.type ?? "S").charCodeAt(0);
  out[9] = f.xferType ?? 2;
  out[10] = f.epnum ?? 0x80;
  out[11] = f.devnum ?? 2;
  dv.setUint16(12, f.busnum ?? 1, littleEndian);
  out[14] = f.flagSetup ?? 0x2d;
  out[15] = f.flagData ?? (data.length > 0 ? 0 : 0x3c);
  dv.setBigInt64(16, BigInt(f.tsSec ?? 1_700_000_000), littleEndian);
  dv.setInt32(24, f.tsUsec ?? 123_456, littleEndian);
  dv.setInt32(28, f.status ?? -115, littleEndian);
  dv.setUint32(32, f.length ?? data.length, littleEndian);
  dv.setUint32(36, f.lenCap ?? data.length + iso.length * 16, littleEndian);
  if (f.setup) out.set(f.setup, 40);
  else {
    dv.setInt32(40, f.errorCount ?? 0, littleEndian);
    dv.setInt32(44, f.numdesc ?? iso.length, littleEndian);
  }
  if (linktype === 220) {
    dv.setInt32(48, f.interval ?? 0, littleEndian);
    dv.setInt32(52, f.startFrame ?? 0, littleEndian);
    dv.setUint32(56, f.xferFlags ?? 0, littleEndian);
    dv.setUint32(60, iso.length, littleEndian);
    iso.forEach((d, i) => {
      dv.setInt32(64 + i * 16, d.status, littleEndian);
      dv.setUint32(68 + i * 16, d.offset, littleEndian);
      dv.setUint32(72 + i * 16, d.length, littleEndian);
    });
  }
  out.set(data, hdr + iso.length * 16);
  return out;
}

export interface UsbPcapFields {
  headerLen?: number;
  irpId?: bigint;
  status?: number;
  function?: number;
  info?: number;
  bus?: number;
  device?: number;
  endpoint?: number;
  transfer?: number;
  dataLength?: number;
  stage?: number;
  iso?: {
    startFrame: number;
    errorCount: number;
    packets: { offset: number; length: number; status: number }[];
  };
  data?: number[];
}

/** A USBPcap record: 27-byte base header, + stage (control) or iso header, then data. */
export function usbPcap(f: UsbPcapFields): Uint8Array {
  const transfer = f.transfer ?? 2;
  const natural = transfer === 2 ? 28 : transfer === 0 ? 39 + 12 * (f.iso?.packets.length ?? 0) : 27;
  const headerLen = f.headerLen ?? natural;
  const data = f.data ?? [];
  const out = new Uint8Array(Math.max(natural, headerLen) + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, headerLen, true);
  dv.setBigUint64(2, f.irpId ?? 0xffffc2832ca42010n, true);
  dv.setUint32(10, f.status ?? 0, true);
  dv.setUint16(14, f.function ?? 0x0008, true);
  out[16] = f.info ?? 0;
  dv.setUint16(17, f.bus ?? 1, true);
  dv.setUint16(19, f.device ?? 4, true);
  out[21] = f.endpoint ?? 0x80;
  out[22] = transfer;
  dv.setUint32(23, f.dataLength ?? data.length, true);
  if (transfer === 2) out[27] = f.stage ?? 0;
  if (transfer === 0 && f.iso) {
    dv.setUint32(27, f.iso.startFrame, true);
    dv.setUint32(31, f.iso.packets.length, true);
    dv.setUint32(35, f.iso.errorCount, true);
    f.iso.packets.forEach((p, i) => {
      dv.setUint32(39 + i * 12, p.offset, true);
      dv.setUint32(43 + i * 12, p.length, true);
      dv.setUint32(47 + i * 12, p.status, true);
    });
  }
  out.set(data, Math.max(natural, headerLen));
  return out;
}

/** A FindingSink that keeps everything. */
export function collector() {
  const list: import("../../../src/usb/finding.js").Finding[] = [];
  return {
    list,
    add: (f: import("../../../src/usb/finding.js").Finding) => void list.push(f),
    rules: () => list.map((f) => f.rule),
  };
}

export const GET_DESCRIPTOR_DEVICE = [0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00];
