// What every class decoder returns for a control request: its name as a line of text (with the setup
// fields that say what it targets) and the decoding (usb/classDecode.ts) the JSON carries.
import type { ClassDecode, ClassFieldValue } from "../usb/classDecode.js";
import type { SetupPacket } from "../usb/model.js";

export interface DecodedRequest {
  /** The request's name as `transfers`, `analyze` and the findings show it: "CDC SET_LINE_CODING interface 1". */
  label: string;
  decode: ClassDecode;
}

/** A request decoder: `data` is the data stage (undefined while only the SETUP is known). */
export type RequestDecoder = (setup: SetupPacket, data: Uint8Array | undefined) => DecodedRequest | undefined;

/** Build a DecodedRequest: `target` follows the name in the label ("interface 1", "port 4"). */
export function decoded(
  cls: string,
  name: string,
  target: string,
  fields: Record<string, ClassFieldValue>,
  summary?: string,
): DecodedRequest {
  const decode: ClassDecode = { class: cls, name, fields };
  if (summary !== undefined && summary !== "") decode.summary = summary;
  return { label: `${cls} ${name}${target ? ` ${target}` : ""}`, decode };
}

/** "class IN 0x42" style name of a request code a class does not define. */
export function unknownCode(code: number): string {
  return `request 0x${code.toString(16).padStart(2, "0")}`;
}

/** Little-endian unsigned integer of `size` bytes at `at` (size 1..4). */
export function uint(b: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + (b[at + i] ?? 0);
  return v;
}

/** Little-endian signed integer of `size` bytes at `at` (size 1..4). */
export function sint(b: Uint8Array, at: number, size: number): number {
  const v = uint(b, at, size);
  const top = 2 ** (8 * size - 1);
  return v >= top ? v - 2 * top : v;
}

/** The names of the set bits of `value`, from a bit → name table. */
export function bitNames(value: number, names: Record<number, string>): string[] {
  const out: string[] = [];
  for (const [bit, name] of Object.entries(names)) if (value & (1 << Number(bit))) out.push(name);
  return out;
}
