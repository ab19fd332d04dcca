// What a filter needs to know about the whole capture before it can judge one record: which devices
// have a VID:PID (`vidpid`), endpoint types (`kind==bulk` on raw packets), the findings on each
// record (`rule`, `severity`) and the control transfer a record belongs to (`request`). Gathered
// from one analysis pass (src/facts.ts) or, live, as the analysis goes.
import type { Finding, Severity } from "../usb/finding.js";
import type { ControlTransfer, EndpointType } from "../usb/model.js";
import type { UsbDevice } from "../devices/device.js";

/** A finding as a filter sees it. */
export interface FindingMark {
  rule: string;
  severity: Severity;
}

/** Records with findings remembered (all findings on them are kept): bounds memory on a capture of errors. */
export const MAX_FACT_RECORDS = 1_000_000;
/** Control transfers remembered for `request` (the latest ones are kept). */
export const MAX_FACT_TRANSFERS = 1_000_000;

const key = (bus: number | undefined, address: number) => (bus ?? -1) * 256 + address;

export class CaptureFacts {
  private readonly findings = new Map<number, FindingMark[]>();
  /** Findings whose record was not remembered (MAX_FACT_RECORDS). */
  findingsDropped = 0;
  /** Control transfers in order of their first record, with their device and request. */
  private readonly transfers: {
    first: number;
    last: number;
    bus: number | undefined;
    address: number;
    request: string;
  }[] = [];
  private sorted = true;
  /** vid << 16 | pid → (bus, address) keys. */
  private readonly vidpids = new Map<number, Set<number>>();
  /** (bus, address) key * 256 + endpoint address → type. */
  private readonly endpointTypes = new Map<number, EndpointType>();

  /** Records whose findings are remembered. */
  get findingsRecords(): number {
    return this.findings.size;
  }

  addFinding(f: Finding): void {
    if (f.packet === undefined) return;
    let list = this.findings.get(f.packet);
    if (!list) {
      if (this.findings.size >= MAX_FACT_RECORDS) {
        this.findingsDropped++;
        return;
      }
      this.findings.set(f.packet, (list = []));
    }
    list.push({ rule: f.rule, severity: f.severity });
  }

  addControlTransfer(ct: ControlTransfer): void {
    if (this.transfers.length >= MAX_FACT_TRANSFERS) return;
    const last = this.transfers[this.transfers.length - 1];
    if (last && last.first > ct.firstPacket) this.sorted = false;
    this.transfers.push({
      first: ct.firstPacket,
      last: ct.lastPacket,
      bus: ct.bus,
      address: ct.address,
      request: ct.request,
    });
  }

  /** A device's VID:PID at every address it used but 0 (shared by every device enumerating), and its endpoint types. */
  addDevice(d: UsbDevice): void {
    const dd = d.device?.descriptor;
    for (const address of d.addresses) {
      if (address === 0) continue;
      const k = key(d.bus, address);
      // Under its bus and address, and under its address alone for records that do not say the bus (findings, raw packets).
      const keys = d.bus === undefined ? [k] : [k, key(undefined, address)];
      if (dd) {
        const vp = dd.idVendor * 65536 + dd.idProduct;
        let set = this.vidpids.get(vp);
        if (!set) this.vidpids.set(vp, (set = new Set()));
        for (const kk of keys) set.add(kk);
      }
      for (const held of d.configurations.values())
        for (const i of held.descriptor.interfaces)
          for (const e of i.endpoints)
            for (const kk of keys)
              this.endpointTypes.set(kk * 256 + e.bEndpointAddress, ENDPOINT_TYPES[e.bmAttributes & 3]!);
    }
  }

  /** Is the device at (bus, address) one with this VID:PID? */
  hasVidPid(vid: number, pid: number, address: number, bus?: number): boolean {
    const set = this.vidpids.get(vid * 65536 + pid);
    return set !== undefined && set.has(key(bus, address));
  }

  /** Was a device with this VID:PID seen at all? */
  seenVidPid(vid: number, pid: number): boolean {
    return this.vidpids.has(vid * 65536 + pid);
  }

  endpointType(address: number, endpointAddress: number, bus?: number): EndpointType | undefined {
    if ((endpointAddress & 0x0f) === 0) return "control";
    return this.endpointTypes.get(key(bus, address) * 256 + endpointAddress);
  }

  findingsAt(index: number): FindingMark[] | undefined {
    return this.findings.get(index);
  }

  /** Findings on the records first..last (a transfer's), in no particular order. */
  findingsIn(first: number, last: number): FindingMark[] | undefined {
    if (last - first < 64) {
      let out: FindingMark[] | undefined;
      for (let i = first; i <= last; i++) {
        const f = this.findings.get(i);
        if (f) (out ??= []).push(...f);
      }
      return out;
    }
    let out: FindingMark[] | undefined;
    for (const [i, f] of this.findings) if (i >= first && i <= last) (out ??= []).push(...f);
    return out;
  }

  /** The request of the control transfer to (bus, address) whose records span `index`. */
  requestAt(index: number, address: number, bus?: number): string | undefined {
    return this.controlAt(index, address, bus)?.request;
  }

  /** The control transfer to (bus, address) whose records span `index`: its first and last records and request. */
  controlAt(
    index: number,
    address: number,
    bus?: number,
  ): { first: number; last: number; request: string } | undefined {
    const list = this.transfers;
    if (!this.sorted) {
      list.sort((a, b) => a.first - b.first);
      this.sorted = true;
    }
    // The last transfer starting at or before `index`, then back over the few that overlap it.
    let lo = 0,
      hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.first <= index) lo = mid + 1;
      else hi = mid;
    }
    // A host may have two control URBs in flight on one device's endpoint 0 (Linux submits
    // SET_INTERFACE while a GET_DESCRIPTOR is pending): their spans overlap, so a transfer whose first or
    // last record is `index` owns it before one whose span merely covers it.
    let spanning: { first: number; last: number; request: string } | undefined;
    for (let j = lo - 1, n = 0; j >= 0 && n < 16; j--, n++) {
      const t = list[j]!;
      if (
        t.last >= index &&
        t.address === address &&
        (bus === undefined || t.bus === undefined || t.bus === bus)
      ) {
        if (t.first === index || t.last === index) return t;
        spanning ??= t;
      }
    }
    return spanning;
  }
}

const ENDPOINT_TYPES: EndpointType[] = ["control", "isochronous", "bulk", "interrupt"];
