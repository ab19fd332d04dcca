// Class codes as usb.org "Defined Class Codes" names them, and the mass storage subclass/protocol names
// (USB Mass Storage Class Specification Overview 1.4 §2, §3).

const CLASS_NAMES: Record<number, string> = {
  0x00: "(Defined at Interface level)",
  0x01: "Audio",
  0x02: "Communications",
  0x03: "Human Interface Device",
  0x05: "Physical",
  0x06: "Image",
  0x07: "Printer",
  0x08: "Mass Storage",
  0x09: "Hub",
  0x0a: "CDC Data",
  0x0b: "Smart Card",
  0x0d: "Content Security",
  0x0e: "Video",
  0x0f: "Personal Healthcare",
  0x10: "Audio/Video",
  0x11: "Billboard",
  0x12: "USB Type-C Bridge",
  0x3c: "I3C",
  0xdc: "Diagnostic",
  0xe0: "Wireless",
  0xef: "Miscellaneous Device",
  0xfe: "Application Specific Interface",
  0xff: "Vendor Specific Class",
};

export const UsbClass = {
  PER_INTERFACE: 0x00,
  AUDIO: 0x01,
  COMM: 0x02,
  HID: 0x03,
  MASS_STORAGE: 0x08,
  HUB: 0x09,
  CDC_DATA: 0x0a,
  VIDEO: 0x0e,
  MISC: 0xef,
  APPLICATION: 0xfe,
  VENDOR: 0xff,
} as const;

export function className(c: number): string {
  return CLASS_NAMES[c] ?? "Unknown class";
}

const MSC_SUBCLASS: Record<number, string> = {
  0x00: "SCSI command set not reported",
  0x01: "RBC",
  0x02: "MMC-5 (ATAPI)",
  0x03: "QIC-157 (obsolete)",
  0x04: "UFI",
  0x05: "SFF-8070i (obsolete)",
  0x06: "SCSI transparent command set",
  0x07: "LSD FS",
  0x08: "IEEE 1667",
  0xff: "Vendor specific",
};

const MSC_PROTOCOL: Record<number, string> = {
  0x00: "CBI (with command completion interrupt)",
  0x01: "CBI (no command completion interrupt)",
  0x02: "Obsolete",
  0x50: "Bulk-Only Transport",
  0x62: "UAS",
  0xff: "Vendor specific",
};

export function massStorageSubclassName(s: number): string {
  return MSC_SUBCLASS[s] ?? "Reserved";
}

export function massStorageProtocolName(p: number): string {
  return MSC_PROTOCOL[p] ?? "Reserved";
}

/** A short name for an interface class/subclass/protocol triple, for rendering. */
export function interfaceClassText(cls: number, sub: number, proto: number): string {
  if (cls === UsbClass.MASS_STORAGE)
    return `${className(cls)}, ${massStorageSubclassName(sub)}, ${massStorageProtocolName(proto)}`;
  if (cls === UsbClass.APPLICATION && sub === 0x01)
    return "Application Specific Interface, Device Firmware Upgrade";
  if (cls === UsbClass.AUDIO)
    return `Audio, ${sub === 1 ? "Control" : sub === 2 ? "Streaming" : sub === 3 ? "MIDI Streaming" : "subclass " + sub}${proto === 0x20 ? " (UAC2)" : ""}`;
  return className(cls);
}
