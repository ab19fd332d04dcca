// Interface descriptor (USB 2.0 §9.6.5, Table 9-12) and interface association (IAD ECN, Table 9-Z).
import { baseOf, HEADER, readLayout, type DescriptorBase, type FieldSpec } from "./layout.js";
import type { EndpointDescriptor } from "./endpoint.js";

export const INTERFACE_LAYOUT: readonly FieldSpec[] = [
  ...HEADER,
  ["bInterfaceNumber", 2, 1],
  ["bAlternateSetting", 3, 1],
  ["bNumEndpoints", 4, 1],
  ["bInterfaceClass", 5, 1],
  ["bInterfaceSubClass", 6, 1],
  ["bInterfaceProtocol", 7, 1],
  ["iInterface", 8, 1],
];

export interface InterfaceDescriptor extends DescriptorBase {
  kind: "interface";
  bInterfaceNumber: number;
  bAlternateSetting: number;
  bNumEndpoints: number;
  bInterfaceClass: number;
  bInterfaceSubClass: number;
  bInterfaceProtocol: number;
  iInterface: number;
  /** Endpoint descriptors that follow this interface, in order. */
  endpoints: EndpointDescriptor[];
  /** Class-specific and other descriptors between this interface and its first endpoint or the next interface. */
  extra: DescriptorBase[];
}

export function parseInterface(b: Uint8Array, at: number): InterfaceDescriptor {
  const d = baseOf("interface", b, at) as InterfaceDescriptor;
  readLayout(b, at, INTERFACE_LAYOUT, at + d.bLength, d);
  d.endpoints = [];
  d.extra = [];
  return d;
}

export const IAD_LAYOUT: readonly FieldSpec[] = [
  ...HEADER,
  ["bFirstInterface", 2, 1],
  ["bInterfaceCount", 3, 1],
  ["bFunctionClass", 4, 1],
  ["bFunctionSubClass", 5, 1],
  ["bFunctionProtocol", 6, 1],
  ["iFunction", 7, 1],
];

export interface InterfaceAssociationDescriptor extends DescriptorBase {
  kind: "interface-association";
  bFirstInterface: number;
  bInterfaceCount: number;
  bFunctionClass: number;
  bFunctionSubClass: number;
  bFunctionProtocol: number;
  iFunction: number;
}

export function parseInterfaceAssociation(b: Uint8Array, at: number): InterfaceAssociationDescriptor {
  const d = baseOf("interface-association", b, at) as InterfaceAssociationDescriptor;
  return readLayout(b, at, IAD_LAYOUT, at + d.bLength, d);
}
