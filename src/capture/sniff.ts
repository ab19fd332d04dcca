// Telling usbmon text from a binary capture by its first line (Documentation/usb/usbmon.rst §"Raw text data format").

/** A usbmon 'u' or 't' line starts with a hex URB tag, a space, a decimal timestamp, a space, then S, C or E. */
const USBMON_LINE = /^[0-9a-fA-F]{1,16} \d+ [SCE] [CZIB][io]:/;

export function looksLikeUsbmonText(head: Uint8Array): boolean {
  const n = Math.min(head.length, 512);
  let line = "";
  for (let i = 0; i < n; i++) {
    const c = head[i]!;
    if (c === 0x0a) break;
    if (c < 0x09 || c > 0x7e) return false;
    line += String.fromCharCode(c);
  }
  return USBMON_LINE.test(line.trimStart());
}
