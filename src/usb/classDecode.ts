// What a class decoder (src/classes/) made of a control request or a transfer: the function's own
// protocol (CDC, HID, mass storage, hub, DFU, audio, Microsoft OS 2.0, WebUSB) by its spec names.

/** One decoded field value: a number, a name, a flag. */
export type ClassFieldValue = number | string | boolean;

export interface ClassDecode {
  /** The class or protocol: "CDC", "HID", "mass storage", "hub", "DFU", "audio", "MS OS 2.0", "WebUSB". */
  class: string;
  /** The request, notification or command by its spec name: "SET_LINE_CODING", "SERIAL_STATE", "GET_PORT_STATUS". */
  name: string;
  /** What it targets and carries, by the spec's field names ("interface", "port", "dwDTERate", "bState"...). */
  fields: Record<string, ClassFieldValue>;
  /** The data in words, when there is data to tell: "115200 8N1", "DTR on, RTS off", "bState dfuIDLE". */
  summary?: string;
}
