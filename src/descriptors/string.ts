// String descriptors (USB 2.0 §9.6.7, Tables 9-15 and 9-16): string 0 holds the LANGID list,
// the others UNICODE (UTF-16LE) text without a terminating NUL.
import { baseOf, type DescriptorBase } from "./layout.js";
import { u16 } from "../usb/bytes.js";

export interface StringDescriptor extends DescriptorBase {
  kind: "string";
  /** Decoded text (index ≠ 0), from the bytes available, an odd trailing byte ignored. */
  text?: string;
  /** LANGID codes (index 0). */
  langIds?: number[];
  /** Bytes actually returned. */
  length: number;
}

/** Parse a string descriptor reply; `index` is the string index from wValue's low byte. */
export function parseStringDescriptor(b: Uint8Array, index: number): StringDescriptor {
  const d = baseOf("string", b, 0) as StringDescriptor;
  d.length = b.length;
  const end = Math.min(b.length, Math.max(d.bLength, 2));
  if (index === 0) {
    d.langIds = [];
    for (let i = 2; i + 1 < end; i += 2) d.langIds.push(u16(b, i));
  } else {
    d.text = decodeUtf16le(b, 2, end);
  }
  return d;
}

/** One decoder for all strings: decode() without { stream } keeps nothing from one call to the next. */
const utf16le = new TextDecoder("utf-16le");

/** Decode UTF-16LE between `start` and `end`; unpaired surrogates become U+FFFD (TextDecoder does so). */
export function decodeUtf16le(b: Uint8Array, start: number, end: number): string {
  const n = Math.max(0, end - start) & ~1;
  return utf16le.decode(b.subarray(start, start + n));
}

const LANGUAGES: Record<number, string> = {
  0x0409: "English (United States)",
  0x0809: "English (United Kingdom)",
  0x0407: "German (Standard)",
  0x040c: "French (Standard)",
  0x0411: "Japanese",
  0x0804: "Chinese (PRC)",
  0x0404: "Chinese (Taiwan)",
  0x0412: "Korean",
  0x0410: "Italian (Standard)",
  0x0c0a: "Spanish (Modern Sort)",
  0x0419: "Russian",
};

export function langIdName(id: number): string {
  return LANGUAGES[id] ?? `LANGID 0x${id.toString(16).padStart(4, "0")}`;
}
