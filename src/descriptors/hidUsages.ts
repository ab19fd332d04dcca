// Usage names from the HID Usage Tables 1.4 (usb.org hut1_4): the pages a keyboard, mouse, game controller
// or media remote uses (Generic Desktop §4, Keyboard/Keypad §10, LED §11, Button §12, Consumer §15), by the
// tables' own names. Other pages are named by page and ID; vendor pages (0xFF00-0xFFFF, §3) as vendor.

/** HUT 1.4 §3 Table 3.1: the usage pages. */
const USAGE_PAGES: Record<number, string> = {
  0x01: "Generic Desktop",
  0x02: "Simulation Controls",
  0x03: "VR Controls",
  0x04: "Sport Controls",
  0x05: "Game Controls",
  0x06: "Generic Device Controls",
  0x07: "Keyboard/Keypad",
  0x08: "LED",
  0x09: "Button",
  0x0a: "Ordinal",
  0x0b: "Telephony Device",
  0x0c: "Consumer",
  0x0d: "Digitizers",
  0x0e: "Haptics",
  0x0f: "Physical Input Device",
  0x10: "Unicode",
  0x12: "Eye and Head Trackers",
  0x14: "Auxiliary Display",
  0x20: "Sensors",
  0x40: "Medical Instrument",
  0x41: "Braille Display",
  0x59: "Lighting And Illumination",
  0x80: "Monitor",
  0x84: "Power",
  0x85: "Battery System",
  0x8c: "Barcode Scanner",
  0x8d: "Scales",
  0x8e: "Magnetic Stripe Reader",
  0x90: "Camera Control",
  0x91: "Arcade",
  0xf1d0: "FIDO Alliance",
};

export function usagePageName(page: number): string {
  if (page >= 0xff00) return `Vendor-defined 0x${page.toString(16)}`;
  return USAGE_PAGES[page] ?? `Usage page 0x${page.toString(16).padStart(2, "0")}`;
}

/** HUT 1.4 §4 Generic Desktop Page (0x01), the usages devices send. */
const GENERIC_DESKTOP: Record<number, string> = {
  0x01: "Pointer",
  0x02: "Mouse",
  0x04: "Joystick",
  0x05: "Gamepad",
  0x06: "Keyboard",
  0x07: "Keypad",
  0x08: "Multi-axis Controller",
  0x30: "X",
  0x31: "Y",
  0x32: "Z",
  0x33: "Rx",
  0x34: "Ry",
  0x35: "Rz",
  0x36: "Slider",
  0x37: "Dial",
  0x38: "Wheel",
  0x39: "Hat Switch",
  0x3a: "Counted Buffer",
  0x3b: "Byte Count",
  0x3c: "Motion Wakeup",
  0x3d: "Start",
  0x3e: "Select",
  0x40: "Vx",
  0x41: "Vy",
  0x42: "Vz",
  0x43: "Vbrx",
  0x44: "Vbry",
  0x45: "Vbrz",
  0x46: "Vno",
  0x48: "Resolution Multiplier",
  0x80: "System Control",
  0x81: "System Power Down",
  0x82: "System Sleep",
  0x83: "System Wake Up",
  0x90: "D-pad Up",
  0x91: "D-pad Down",
  0x92: "D-pad Right",
  0x93: "D-pad Left",
};

/** HUT 1.4 §10 Keyboard/Keypad Page (0x07): 0x04-0x1D letters, 0x1E-0x27 digits, then these in order. */
const KEYS_FROM_0x28 = [
  "Enter",
  "Escape",
  "Backspace",
  "Tab",
  "Space",
  "-",
  "=",
  "[",
  "]",
  "\\",
  "Non-US #",
  ";",
  "'",
  "`",
  ",",
  ".",
  "/",
  "Caps Lock",
  ...Array.from({ length: 12 }, (_, i) => `F${i + 1}`),
  "Print Screen",
  "Scroll Lock",
  "Pause",
  "Insert",
  "Home",
  "Page Up",
  "Delete",
  "End",
  "Page Down",
  "Right Arrow",
  "Left Arrow",
  "Down Arrow",
  "Up Arrow",
  "Num Lock",
  "Keypad /",
  "Keypad *",
  "Keypad -",
  "Keypad +",
  "Keypad Enter",
  ...Array.from({ length: 9 }, (_, i) => `Keypad ${i + 1}`),
  "Keypad 0",
  "Keypad .",
  "Non-US \\",
  "Application",
  "Power",
  "Keypad =",
  ...Array.from({ length: 12 }, (_, i) => `F${i + 13}`),
  "Execute",
  "Help",
  "Menu",
  "Select",
  "Stop",
  "Again",
  "Undo",
  "Cut",
  "Copy",
  "Paste",
  "Find",
  "Mute",
  "Volume Up",
  "Volume Down",
];
/** 0xE0-0xE7: the modifier keys. */
const MODIFIERS = [
  "Left Control",
  "Left Shift",
  "Left Alt",
  "Left GUI",
  "Right Control",
  "Right Shift",
  "Right Alt",
  "Right GUI",
];

function keyName(id: number): string | undefined {
  if (id === 0x01) return "ErrorRollOver";
  if (id === 0x02) return "POSTFail";
  if (id === 0x03) return "ErrorUndefined";
  if (id >= 0x04 && id <= 0x1d) return String.fromCharCode(0x61 + id - 0x04);
  if (id >= 0x1e && id <= 0x26) return String(id - 0x1d);
  if (id === 0x27) return "0";
  if (id >= 0x28 && id < 0x28 + KEYS_FROM_0x28.length) return KEYS_FROM_0x28[id - 0x28];
  if (id >= 0x87 && id <= 0x8f) return `International${id - 0x86}`;
  if (id >= 0x90 && id <= 0x98) return `LANG${id - 0x8f}`;
  if (id >= 0xe0 && id <= 0xe7) return MODIFIERS[id - 0xe0];
  return undefined;
}

/** HUT 1.4 §11 LED Page (0x08). */
const LEDS: Record<number, string> = {
  0x01: "Num Lock",
  0x02: "Caps Lock",
  0x03: "Scroll Lock",
  0x04: "Compose",
  0x05: "Kana",
  0x06: "Power",
  0x07: "Shift",
  0x08: "Do Not Disturb",
  0x09: "Mute",
};

/** HUT 1.4 §15 Consumer Page (0x0C), the media and application-launch keys. */
const CONSUMER: Record<number, string> = {
  0x01: "Consumer Control",
  0x30: "Power",
  0x32: "Sleep",
  0x40: "Menu",
  0x6f: "Display Brightness Increment",
  0x70: "Display Brightness Decrement",
  0xb0: "Play",
  0xb1: "Pause",
  0xb3: "Fast Forward",
  0xb4: "Rewind",
  0xb5: "Scan Next Track",
  0xb6: "Scan Previous Track",
  0xb7: "Stop",
  0xb8: "Eject",
  0xcd: "Play/Pause",
  0xe0: "Volume",
  0xe2: "Mute",
  0xe9: "Volume Increment",
  0xea: "Volume Decrement",
  0x183: "AL Consumer Control Configuration",
  0x18a: "AL Email Reader",
  0x192: "AL Calculator",
  0x194: "AL Local Machine Browser",
  0x221: "AC Search",
  0x223: "AC Home",
  0x224: "AC Back",
  0x225: "AC Forward",
  0x226: "AC Stop",
  0x227: "AC Refresh",
  0x22a: "AC Bookmarks",
  0x238: "AC Pan",
};

const hex = (v: number, n = 2) => `0x${v.toString(16).padStart(n, "0")}`;

/** The name of an extended usage (page << 16 | id): "X", "Left Shift", "Button 1", "Vendor 0xff00:0x01". */
export function usageName(usage: number): string {
  const page = Math.floor(usage / 0x10000);
  const id = usage % 0x10000;
  if (page >= 0xff00) return `Vendor ${hex(page, 4)}:${hex(id)}`;
  let name: string | undefined;
  switch (page) {
    case 0x01:
      name = GENERIC_DESKTOP[id];
      break;
    case 0x07:
      name = keyName(id);
      break;
    case 0x08:
      name = LEDS[id];
      break;
    case 0x09:
      name = id === 0 ? "No Button" : `Button ${id}`;
      break;
    case 0x0c:
      name = CONSUMER[id];
      break;
  }
  return name ?? `${usagePageName(page)} ${hex(id)}`;
}

/** Whether an extended usage is on a vendor-defined page (HUT 1.4 §3: 0xFF00-0xFFFF). */
export function isVendorUsage(usage: number): boolean {
  return usage >= 0xff000000;
}
