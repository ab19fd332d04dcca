// Audio class requests, UAC1 (Audio 1.0 §5.2.1, A.9 request codes, A.10 control selectors) and UAC2
// (Audio 2.0 §5.2.2, A.14 request codes, A.17 control selectors): GET/SET CUR, MIN, MAX, RES (UAC1) and
// CUR, RANGE (UAC2), with the entity (terminal, unit, clock) named from the audio control interface's
// descriptors and the control selector named for that entity.
import type { SetupPacket } from "../usb/model.js";
import { recipientOf, Recipient, isDeviceToHost } from "../usb/requests.js";
import { decoded, sint, uint, unknownCode, type DecodedRequest } from "./decoded.js";

/** A.9: UAC1 request codes. */
const UAC1_REQUESTS: Record<number, string> = {
  0x01: "SET_CUR",
  0x02: "SET_MIN",
  0x03: "SET_MAX",
  0x04: "SET_RES",
  0x05: "SET_MEM",
  0x81: "GET_CUR",
  0x82: "GET_MIN",
  0x83: "GET_MAX",
  0x84: "GET_RES",
  0x85: "GET_MEM",
  0xff: "GET_STAT",
};
/** A.14: UAC2 request codes (the direction makes GET or SET). */
const UAC2_REQUESTS: Record<number, string> = { 0x01: "CUR", 0x02: "RANGE", 0x04: "MEM" };

/** An audio entity from the AC interface's descriptors: its ID and what it is (INPUT_TERMINAL, FEATURE_UNIT...). */
export interface AudioEntity {
  id: number;
  /** The descriptor subtype's spec name. */
  type: string;
}

const FEATURE: Record<number, string> = {
  1: "MUTE_CONTROL",
  2: "VOLUME_CONTROL",
  3: "BASS_CONTROL",
  4: "MID_CONTROL",
  5: "TREBLE_CONTROL",
  6: "GRAPHIC_EQUALIZER_CONTROL",
  7: "AUTOMATIC_GAIN_CONTROL",
  8: "DELAY_CONTROL",
  9: "BASS_BOOST_CONTROL",
  10: "LOUDNESS_CONTROL",
  11: "INPUT_GAIN_CONTROL",
  12: "INPUT_GAIN_PAD_CONTROL",
  13: "PHASE_INVERTER_CONTROL",
  14: "UNDERFLOW_CONTROL",
  15: "OVERFLOW_CONTROL",
  16: "LATENCY_CONTROL",
};
/** Control selectors per entity type (A.10, A.17). */
const SELECTORS: Record<string, Record<number, string>> = {
  FEATURE_UNIT: FEATURE,
  INPUT_TERMINAL: {
    1: "COPY_PROTECT_CONTROL",
    2: "CONNECTOR_CONTROL",
    3: "OVERLOAD_CONTROL",
    4: "CLUSTER_CONTROL",
    5: "UNDERFLOW_CONTROL",
    6: "OVERFLOW_CONTROL",
    7: "LATENCY_CONTROL",
  },
  OUTPUT_TERMINAL: {
    1: "COPY_PROTECT_CONTROL",
    2: "CONNECTOR_CONTROL",
    3: "OVERLOAD_CONTROL",
    4: "UNDERFLOW_CONTROL",
    5: "OVERFLOW_CONTROL",
    6: "LATENCY_CONTROL",
  },
  CLOCK_SOURCE: { 1: "SAM_FREQ_CONTROL", 2: "CLOCK_VALID_CONTROL" },
  CLOCK_SELECTOR: { 1: "CLOCK_SELECTOR_CONTROL" },
  CLOCK_MULTIPLIER: { 1: "NUMERATOR_CONTROL", 2: "DENOMINATOR_CONTROL" },
  SELECTOR_UNIT: { 1: "SELECTOR_CONTROL" },
  MIXER_UNIT: { 1: "MIXER_CONTROL", 2: "CLUSTER_CONTROL" },
};
/** A.10.5 (UAC1) and A.17.11 (UAC2): endpoint control selectors. */
const EP_UAC1: Record<number, string> = { 1: "SAMPLING_FREQ_CONTROL", 2: "PITCH_CONTROL" };
const EP_UAC2: Record<number, string> = {
  1: "PITCH_CONTROL",
  2: "DATA_OVERRUN_CONTROL",
  3: "DATA_UNDERRUN_CONTROL",
};

/**
 * An audio class request. `entities`: the AC interface's terminals, units and clocks (undefined for a
 * request to an endpoint or to a streaming interface); `uac2`: bInterfaceProtocol 0x20.
 */
export function audioRequest(
  setup: SetupPacket,
  data: Uint8Array | undefined,
  uac2: boolean,
  entities: AudioEntity[] | undefined,
): DecodedRequest {
  const dirIn = isDeviceToHost(setup);
  const code = uac2 ? UAC2_REQUESTS[setup.bRequest] : UAC1_REQUESTS[setup.bRequest];
  const name =
    code === undefined ? unknownCode(setup.bRequest) : uac2 ? `${dirIn ? "GET" : "SET"}_${code}` : code;
  const cs = setup.wValue >> 8;
  const cn = setup.wValue & 0xff;
  const fields: Record<string, number | string | boolean> = { controlSelector: cs, channel: cn };
  let target: string;
  let control: string | undefined;
  if (recipientOf(setup) === Recipient.ENDPOINT) {
    const ep = setup.wIndex & 0xff;
    fields.endpoint = ep;
    control = (uac2 ? EP_UAC2 : EP_UAC1)[cs];
    target = `endpoint 0x${ep.toString(16).padStart(2, "0")}`;
  } else {
    const iface = setup.wIndex & 0xff;
    const id = setup.wIndex >> 8;
    fields.interface = iface;
    fields.entity = id;
    const entity = entities?.find((e) => e.id === id);
    if (entity) {
      fields.entityType = entity.type;
      control = SELECTORS[entity.type]?.[cs];
    }
    target =
      id === 0 ? `interface ${iface}` : `${entity ? entity.type : "entity"} ${id} (interface ${iface})`;
  }
  fields.control = control ?? `control ${cs}`;
  target += ` ${fields.control}${cn ? ` channel ${cn}` : ""}`;
  const summary = data && data.length > 0 ? valueText(control, name, data, fields) : undefined;
  return decoded("audio", name, target, fields, summary);
}

/** The parameter block in words: volume in dB, mute on/off, a sampling frequency in Hz, a RANGE's subranges. */
function valueText(
  control: string | undefined,
  name: string,
  b: Uint8Array,
  fields: Record<string, number | string | boolean>,
): string | undefined {
  const one = (at: number, size: number) => {
    if (control === "VOLUME_CONTROL" && size === 2) return `${(sint(b, at, 2) / 256).toFixed(2)} dB`;
    if (control === "SAM_FREQ_CONTROL" || control === "SAMPLING_FREQ_CONTROL")
      return `${uint(b, at, size)} Hz`;
    return String(uint(b, at, size));
  };
  if (name === "GET_RANGE") {
    // Audio 2.0 §5.2.1: wNumSubRanges, then (MIN, MAX, RES) triples of 1, 2 or 4 bytes.
    if (b.length < 2) return undefined;
    const n = uint(b, 0, 2);
    fields.wNumSubRanges = n;
    if (n === 0) return "no subranges";
    const size = (b.length - 2) / (3 * n);
    if (size !== 1 && size !== 2 && size !== 4) return `${n} subranges`;
    const ranges: string[] = [];
    for (let i = 0; i < Math.min(n, 8); i++) {
      const at = 2 + i * 3 * size;
      ranges.push(`${one(at, size)}…${one(at + size, size)} step ${one(at + 2 * size, size)}`);
    }
    return ranges.join(", ") + (n > 8 ? ` … (${n} subranges)` : "");
  }
  if (control === "MUTE_CONTROL" && b.length === 1) {
    fields.value = b[0] !== 0;
    return b[0] ? "muted" : "not muted";
  }
  if (b.length > 4) return `${b.length} bytes`;
  fields.value = control === "VOLUME_CONTROL" && b.length === 2 ? sint(b, 0, 2) : uint(b, 0, b.length);
  return one(0, b.length);
}
