// `live --save` on the binary usbmon device: what read(2) on /dev/usbmonN returns (the first 48 bytes of
// `struct mon_bin_hdr`, then len_cap bytes: iso descriptors, then data; monBinStream.ts) written as pcapng
// with LINKTYPE_USB_LINUX_MMAPPED (220), the link type tcpdump -i usbmonN writes, so Wireshark, tshark and
// usbscope read the file. The 64-byte header's last four fields are not in what read(2) returns: interval,
// start_frame and xfer_flags are written as 0, and ndesc is numdesc capped at ISODESC_MAX, as mon_bin_event
// computes it (usbmon.rst "Raw binary format and API"). Fields stay in the host's byte order, which the
// little-endian pcapng section matches on a little-endian host (the only kind the CLI saves from).
import { PcapngWriter } from "../capture/pcapngWriter.js";
import { LinkType } from "../../as/shared/constants.js";
import {
  ISODESC_MAX,
  MON_BIN_HDR_48,
  MON_BIN_HDR_64,
  MON_BIN_ISODESC_SIZE,
  isMonBinFiller,
} from "../urb/usbmonBinary.js";
import { MON_BIN_MAX_LEN_CAP } from "../urb/monBinStream.js";

/** Offsets in `struct mon_bin_hdr` (usbmonBinary.ts Off). */
const XFER_TYPE = 9;
const TS_SEC = 16;
const TS_USEC = 24;
const LEN_URB = 32;
const LEN_CAP = 36;
const NUMDESC = 44;
const NDESC = 60;
const XFER_ISO = 0;

export class UsbmonPcapngSaver {
  /** Events written as packet blocks. */
  records = 0;
  /** mmap filler events (none come from read(2) in practice), not written. */
  filler = 0;
  /** Set when a header claims a len_cap no kernel writes: the stream is out of step, nothing more is saved. */
  broken = false;
  private readonly writer: PcapngWriter;
  private held = new Uint8Array(0);

  /** `write` gets the file's bytes in order; `name` goes in the interface block (if_name, "usbmon1"). */
  constructor(write: (chunk: Uint8Array) => void | Promise<void>, name: string) {
    this.writer = new PcapngWriter(write);
    this.writer.section("usbscope live --save");
    this.writer.interface(LinkType.USB_LINUX_MMAPPED, name);
  }

  /** Bytes as read, cut anywhere: each whole event becomes one packet block; written before this resolves. */
  async push(chunk: Uint8Array): Promise<void> {
    if (this.broken) return;
    let b = chunk;
    if (this.held.length) {
      b = new Uint8Array(this.held.length + chunk.length);
      b.set(this.held);
      b.set(chunk, this.held.length);
    }
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    let at = 0;
    while (b.length - at >= MON_BIN_HDR_48) {
      const lenCap = v.getUint32(at + LEN_CAP, true);
      if (lenCap > MON_BIN_MAX_LEN_CAP) {
        this.broken = true;
        break;
      }
      const size = MON_BIN_HDR_48 + lenCap;
      if (b.length - at < size) break;
      if (isMonBinFiller(b, at, size)) this.filler++;
      else this.event(b.subarray(at, at + size), v, at);
      at += size;
    }
    this.held = this.broken ? new Uint8Array(0) : b.slice(at);
    await this.writer.flush();
  }

  /** Bytes of an event cut short at the end of the input (not written), 0 when the input ended between events. */
  get unfinished(): number {
    return this.held.length;
  }

  private event(ev: Uint8Array, v: DataView, at: number): void {
    const lenCap = ev.length - MON_BIN_HDR_48;
    let ndesc = 0;
    if (ev[XFER_TYPE] === XFER_ISO)
      ndesc = Math.min(
        Math.max(0, v.getInt32(at + NUMDESC, true)),
        ISODESC_MAX,
        Math.floor(lenCap / MON_BIN_ISODESC_SIZE),
      );
    const out = new Uint8Array(MON_BIN_HDR_64 + lenCap);
    out.set(ev.subarray(0, MON_BIN_HDR_48));
    out.set(ev.subarray(MON_BIN_HDR_48), MON_BIN_HDR_64);
    new DataView(out.buffer).setUint32(NDESC, ndesc, true);
    // libpcap's length for usbmon: header, descriptors and the URB's whole length (pcap-usb-linux.c).
    const origLength = Math.max(
      out.length,
      MON_BIN_HDR_64 + ndesc * MON_BIN_ISODESC_SIZE + v.getUint32(at + LEN_URB, true),
    );
    const sec = Number(v.getBigInt64(at + TS_SEC, true));
    const usec = v.getInt32(at + TS_USEC, true);
    this.writer.packet(0, sec, Math.max(0, Math.min(999_999, usec)) * 1000, out, origLength, []);
    this.records++;
  }
}
