// Endpoint type and wMaxPacketSize per (device, endpoint, direction), looked up once and kept until
// the next control transfer completes: only control transfers (descriptor reads, SET_CONFIGURATION,
// SET_INTERFACE, SET_ADDRESS) can change them, and bulk traffic asks for them on every transaction.
import type { EndpointType, EndpointTypeLookup } from "../usb/model.js";
import { SLOTS, slotOf } from "./toggles.js";

const TYPES: (EndpointType | undefined)[] = [
  undefined,
  "control",
  "isochronous",
  "bulk",
  "interrupt",
  undefined,
];
const CODE: Record<EndpointType, number> = { control: 1, isochronous: 2, bulk: 3, interrupt: 4 };
/** Cache codes: 0 not looked up, 1..4 a type, 5 looked up and unknown. */
const UNKNOWN = 5;

/** The tables before the first lookup: all zero (nothing looked up), never written. */
const NO_TYPES = new Uint8Array(SLOTS);
const NO_SIZES = new Uint16Array(SLOTS);

export class EndpointCache {
  // Made at the first lookup (allocate()): a capture without raw packets never looks one up.
  private type = NO_TYPES;
  /** wMaxPacketSize + 1; 0 not looked up; 1 looked up and unknown. */
  private mps = NO_SIZES;
  private dirty = false;

  private allocate(): void {
    if (this.type !== NO_TYPES) return;
    const buf = new ArrayBuffer(3 * SLOTS);
    this.mps = new Uint16Array(buf, 0, SLOTS);
    this.type = new Uint8Array(buf, 2 * SLOTS, SLOTS);
  }

  constructor(private readonly lookup: EndpointTypeLookup) {}

  endpointType(address: number, endpointAddress: number): EndpointType | undefined {
    const slot = slotOf(address, endpointAddress & 0x0f, (endpointAddress & 0x80) !== 0);
    let code = this.type[slot]!;
    if (code === 0) {
      const t = this.lookup.endpointType(address, endpointAddress);
      code = t ? CODE[t] : UNKNOWN;
      this.allocate();
      this.type[slot] = code;
      this.dirty = true;
    }
    return TYPES[code];
  }

  maxPacketSize(address: number, endpointAddress: number): number | undefined {
    const slot = slotOf(address, endpointAddress & 0x0f, (endpointAddress & 0x80) !== 0);
    let v = this.mps[slot]!;
    if (v === 0) {
      const m = this.lookup.maxPacketSize?.(address, endpointAddress);
      v = m === undefined ? 1 : Math.min(m, 0xfffe) + 1;
      this.allocate();
      this.mps[slot] = v;
      this.dirty = true;
    }
    return v === 1 ? undefined : v - 1;
  }

  /** A control transfer completed: descriptors or the configuration may have changed. */
  invalidate(): void {
    if (!this.dirty) return;
    this.type.fill(0);
    this.mps.fill(0);
    this.dirty = false;
  }
}
