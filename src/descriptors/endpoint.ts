// Endpoint descriptor (USB 2.0 §9.6.6, Table 9-13); the 9-byte audio form adds bRefresh and bSynchAddress
// (USB Audio 1.0 §4.6.1.1).
import { baseOf, HEADER, readLayout, type DescriptorBase, type FieldSpec } from "./layout.js";
import type { EndpointType } from "../usb/model.js";

export const ENDPOINT_LAYOUT: readonly FieldSpec[] = [
  ...HEADER,
  ["bEndpointAddress", 2, 1],
  ["bmAttributes", 3, 1],
  ["wMaxPacketSize", 4, 2],
  ["bInterval", 6, 1],
];

const AUDIO_ENDPOINT_LAYOUT: readonly FieldSpec[] = [
  ...ENDPOINT_LAYOUT,
  ["bRefresh", 7, 1],
  ["bSynchAddress", 8, 1],
];

export interface EndpointDescriptor extends DescriptorBase {
  kind: "endpoint";
  bEndpointAddress: number;
  bmAttributes: number;
  wMaxPacketSize: number;
  bInterval: number;
  bRefresh?: number;
  bSynchAddress?: number;
  /** Class-specific descriptors that follow this endpoint (e.g. audio CS_ENDPOINT). */
  extra: DescriptorBase[];
}

export function parseEndpoint(b: Uint8Array, at: number): EndpointDescriptor {
  const d = baseOf("endpoint", b, at) as EndpointDescriptor;
  readLayout(b, at, d.bLength >= 9 ? AUDIO_ENDPOINT_LAYOUT : ENDPOINT_LAYOUT, at + d.bLength, d);
  d.extra = [];
  return d;
}

const TYPES: readonly EndpointType[] = ["control", "isochronous", "bulk", "interrupt"];

/** bmAttributes bits 1..0 (§9.6.6). */
export function endpointType(bmAttributes: number): EndpointType {
  return TYPES[bmAttributes & 3]!;
}

export function endpointDirection(bEndpointAddress: number): "IN" | "OUT" {
  return bEndpointAddress & 0x80 ? "IN" : "OUT";
}

/** wMaxPacketSize bits 10..0: the packet size; bits 12..11: additional transactions per microframe (§9.6.6). */
export function maxPacketBytes(w: number): number {
  return w & 0x7ff;
}

export function additionalTransactions(w: number): number {
  return (w >> 11) & 3;
}

/** The most an endpoint moves per (micro)frame: packet size times 1 + additional transactions (§9.6.6). */
export function bytesPerInterval(w: number): number {
  return maxPacketBytes(w) * (1 + additionalTransactions(w));
}

const SYNC = ["No Synchronization", "Asynchronous", "Adaptive", "Synchronous"];
const USAGE = ["Data", "Feedback", "Implicit feedback Data", "Reserved"];

/** Iso synchronization and usage type names (§9.6.6 bmAttributes bits 5..2). */
export function isoAttributesText(bmAttributes: number): string {
  return `${SYNC[(bmAttributes >> 2) & 3]}, ${USAGE[(bmAttributes >> 4) & 3]}`;
}
