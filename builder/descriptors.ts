// Standard descriptor builders (USB 2.0 §9.6). Every count and length field is computed from the
// parts unless the caller overrides it, so a test can break exactly one field.

/** §9.6.1 Table 9-8. */
export interface DeviceDescriptorFields {
  bLength: number;
  bDescriptorType: number;
  bcdUSB: number;
  bDeviceClass: number;
  bDeviceSubClass: number;
  bDeviceProtocol: number;
  bMaxPacketSize0: number;
  idVendor: number;
  idProduct: number;
  bcdDevice: number;
  iManufacturer: number;
  iProduct: number;
  iSerialNumber: number;
  bNumConfigurations: number;
}

/** §9.6.3 Table 9-10. */
export interface ConfigurationFields {
  bLength: number;
  bDescriptorType: number;
  /** Default: the sum of all parts. */
  wTotalLength: number;
  /** Default: the number of distinct bInterfaceNumber values. */
  bNumInterfaces: number;
  bConfigurationValue: number;
  iConfiguration: number;
  bmAttributes: number;
  bMaxPower: number;
}

/** §9.6.5 Table 9-12. */
export interface InterfaceFields {
  bLength: number;
  bDescriptorType: number;
  bInterfaceNumber: number;
  bAlternateSetting: number;
  /** Default: the number of endpoint descriptors that follow. */
  bNumEndpoints: number;
  bInterfaceClass: number;
  bInterfaceSubClass: number;
  bInterfaceProtocol: number;
  iInterface: number;
}

/** §9.6.6 Table 9-13. */
export interface EndpointFields {
  bLength: number;
  bDescriptorType: number;
  bEndpointAddress: number;
  bmAttributes: number;
  wMaxPacketSize: number;
  bInterval: number;
}

/** Descriptor types (§9.4 Table 9-5, ECN IAD, USB 2.0 LPM BOS). */
export enum DescriptorType {
  DEVICE = 1,
  CONFIGURATION = 2,
  STRING = 3,
  INTERFACE = 4,
  ENDPOINT = 5,
  DEVICE_QUALIFIER = 6,
  OTHER_SPEED_CONFIGURATION = 7,
  INTERFACE_POWER = 8,
  INTERFACE_ASSOCIATION = 11,
  BOS = 15,
  DEVICE_CAPABILITY = 16,
}

/** Device descriptor (18 bytes); defaults describe a plain full-speed USB 2.0 device. */
export function deviceDescriptor(f: Partial<DeviceDescriptorFields> = {}): Uint8Array {
  const d: DeviceDescriptorFields = {
    bLength: 18,
    bDescriptorType: DescriptorType.DEVICE,
    bcdUSB: 0x0200,
    bDeviceClass: 0,
    bDeviceSubClass: 0,
    bDeviceProtocol: 0,
    bMaxPacketSize0: 64,
    idVendor: 0x1209,
    idProduct: 0x0001,
    bcdDevice: 0x0100,
    iManufacturer: 0,
    iProduct: 0,
    iSerialNumber: 0,
    bNumConfigurations: 1,
    ...f,
  };
  return Uint8Array.of(
    d.bLength,
    d.bDescriptorType,
    lo(d.bcdUSB),
    hi(d.bcdUSB),
    d.bDeviceClass,
    d.bDeviceSubClass,
    d.bDeviceProtocol,
    d.bMaxPacketSize0,
    lo(d.idVendor),
    hi(d.idVendor),
    lo(d.idProduct),
    hi(d.idProduct),
    lo(d.bcdDevice),
    hi(d.bcdDevice),
    d.iManufacturer,
    d.iProduct,
    d.iSerialNumber,
    d.bNumConfigurations,
  );
}

/**
 * Configuration descriptor followed by `parts` (interface groups from `interfaceDesc`, IADs,
 * class-specific descriptors), with wTotalLength and bNumInterfaces computed unless given.
 */
export function configuration(f: Partial<ConfigurationFields> = {}, parts: Uint8Array[] = []): Uint8Array {
  const body = concat(...parts);
  const ifs = new Set<number>();
  for (let o = 0; o + 1 < body.length && body[o]! > 0; o += body[o]!) {
    if (body[o + 1] === DescriptorType.INTERFACE && o + 2 < body.length) ifs.add(body[o + 2]!);
  }
  const c: ConfigurationFields = {
    bLength: 9,
    bDescriptorType: DescriptorType.CONFIGURATION,
    wTotalLength: 9 + body.length,
    bNumInterfaces: ifs.size,
    bConfigurationValue: 1,
    iConfiguration: 0,
    bmAttributes: 0x80,
    bMaxPower: 50,
    ...f,
  };
  const head = Uint8Array.of(
    c.bLength,
    c.bDescriptorType,
    lo(c.wTotalLength),
    hi(c.wTotalLength),
    c.bNumInterfaces,
    c.bConfigurationValue,
    c.iConfiguration,
    c.bmAttributes,
    c.bMaxPower,
  );
  return concat(head, body);
}

/** Interface descriptor followed by `parts` (endpoint and class descriptors); bNumEndpoints counts the endpoint descriptors. */
export function interfaceDesc(f: Partial<InterfaceFields> = {}, parts: Uint8Array[] = []): Uint8Array {
  let eps = 0;
  for (const p of parts) if (p[1] === DescriptorType.ENDPOINT) eps++;
  const d: InterfaceFields = {
    bLength: 9,
    bDescriptorType: DescriptorType.INTERFACE,
    bInterfaceNumber: 0,
    bAlternateSetting: 0,
    bNumEndpoints: eps,
    bInterfaceClass: 0xff,
    bInterfaceSubClass: 0,
    bInterfaceProtocol: 0,
    iInterface: 0,
    ...f,
  };
  const head = Uint8Array.of(
    d.bLength,
    d.bDescriptorType,
    d.bInterfaceNumber,
    d.bAlternateSetting,
    d.bNumEndpoints,
    d.bInterfaceClass,
    d.bInterfaceSubClass,
    d.bInterfaceProtocol,
    d.iInterface,
  );
  return concat(head, ...parts);
}

/** Endpoint descriptor (7 bytes); default: bulk IN endpoint 1, 64 bytes. */
export function endpointDesc(f: Partial<EndpointFields> = {}): Uint8Array {
  const d: EndpointFields = {
    bLength: 7,
    bDescriptorType: DescriptorType.ENDPOINT,
    bEndpointAddress: 0x81,
    bmAttributes: 2,
    wMaxPacketSize: 64,
    bInterval: 0,
    ...f,
  };
  return Uint8Array.of(
    d.bLength,
    d.bDescriptorType,
    d.bEndpointAddress,
    d.bmAttributes,
    lo(d.wMaxPacketSize),
    hi(d.wMaxPacketSize),
    d.bInterval,
  );
}

/** Interface Association Descriptor (ECN IAD, 8 bytes). */
export function iadDesc(
  bFirstInterface: number,
  bInterfaceCount: number,
  cls = 0xff,
  sub = 0,
  proto = 0,
  iFunction = 0,
): Uint8Array {
  return Uint8Array.of(
    8,
    DescriptorType.INTERFACE_ASSOCIATION,
    bFirstInterface,
    bInterfaceCount,
    cls,
    sub,
    proto,
    iFunction,
  );
}

/** String descriptor (§9.6.7): bLength, type 3, UTF-16LE text without a terminator. */
export function stringDesc(text: string): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  out[0] = out.length & 0xff;
  out[1] = DescriptorType.STRING;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[2 + 2 * i] = c & 0xff;
    out[3 + 2 * i] = c >>> 8;
  }
  return out;
}

/** String descriptor 0 (§9.6.7 Table 9-15): the LANGID list; default US English. */
export function langIdDesc(langIds: number[] = [0x0409]): Uint8Array {
  const out = new Uint8Array(2 + langIds.length * 2);
  out[0] = out.length;
  out[1] = DescriptorType.STRING;
  langIds.forEach((id, i) => {
    out[2 + 2 * i] = lo(id);
    out[3 + 2 * i] = hi(id);
  });
  return out;
}

/** Device qualifier (§9.6.2, 10 bytes). */
export function deviceQualifier(
  f: {
    bcdUSB?: number;
    bDeviceClass?: number;
    bDeviceSubClass?: number;
    bDeviceProtocol?: number;
    bMaxPacketSize0?: number;
    bNumConfigurations?: number;
  } = {},
): Uint8Array {
  const bcd = f.bcdUSB ?? 0x0200;
  return Uint8Array.of(
    10,
    DescriptorType.DEVICE_QUALIFIER,
    lo(bcd),
    hi(bcd),
    f.bDeviceClass ?? 0,
    f.bDeviceSubClass ?? 0,
    f.bDeviceProtocol ?? 0,
    f.bMaxPacketSize0 ?? 64,
    f.bNumConfigurations ?? 1,
    0,
  );
}

/** BOS descriptor (USB 2.0 LPM ECN) followed by capability descriptors; wTotalLength and bNumDeviceCaps computed. */
export function bosDesc(caps: Uint8Array[] = [usb2ExtensionCap()]): Uint8Array {
  const body = concat(...caps);
  const total = 5 + body.length;
  return concat(Uint8Array.of(5, DescriptorType.BOS, lo(total), hi(total), caps.length), body);
}

/** USB 2.0 Extension capability (type 0x02), bmAttributes bit 1 = LPM. */
export function usb2ExtensionCap(bmAttributes = 0): Uint8Array {
  return Uint8Array.of(
    7,
    DescriptorType.DEVICE_CAPABILITY,
    0x02,
    bmAttributes & 0xff,
    (bmAttributes >>> 8) & 0xff,
    (bmAttributes >>> 16) & 0xff,
    bmAttributes >>> 24,
  );
}

/** Join byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function lo(x: number): number {
  return x & 0xff;
}
function hi(x: number): number {
  return (x >>> 8) & 0xff;
}
