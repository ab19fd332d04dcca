// Addresses as the spec names them, branded so one cannot be passed for another (STYLE convention 1).
// A device address is 7 bits (§9.4.6); an endpoint number 4 bits; an endpoint address is the number
// with the direction in bit 7 (§9.6.6 bEndpointAddress: 1 = IN). Findings, URBs and transfers carry
// endpoint addresses; a control endpoint's address carries the direction of the request's data stage
// (0x80 for a device-to-host request), as usbmon and USBPcap record it.

export type DeviceAddr = number & { readonly __brand: "DeviceAddr" };
export type EndpointNum = number & { readonly __brand: "EndpointNum" };
export type EndpointAddr = number & { readonly __brand: "EndpointAddr" };

/** The direction bit of bEndpointAddress and bmRequestType (§9.3.1, §9.6.6). */
export const DIR_IN = 0x80;

/** A device address as the capture holds it (usbmon devnum, USBPcap device, a token's ADDR field). */
export function deviceAddr(n: number): DeviceAddr {
  return n as DeviceAddr;
}

export function endpointNum(n: number): EndpointNum {
  return (n & 0x0f) as EndpointNum;
}

/** bEndpointAddress from a number and a direction. */
export function endpointAddr(number: number, dirIn: boolean): EndpointAddr {
  return ((number & 0x0f) | (dirIn ? DIR_IN : 0)) as EndpointAddr;
}

/** An endpoint address as a capture or descriptor holds it (direction bit included). */
export function asEndpointAddr(byte: number): EndpointAddr {
  return byte as EndpointAddr;
}

export function endpointNumber(a: EndpointAddr): EndpointNum {
  return (a & 0x0f) as EndpointNum;
}

export function isIn(a: EndpointAddr): boolean {
  return (a & DIR_IN) !== 0;
}
