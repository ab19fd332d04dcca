// USB Audio class-specific descriptors: Audio 1.0 §4.3.2 (AC), §4.5.2 (AS), §4.6.1.2 (AS endpoint);
// Audio 2.0 §4.7 (AC), §4.9 (AS), §4.10.1.2. The interface protocol 0x20 (IP_VERSION_02_00) selects 2.0.
import { HEADER, type FieldSpec } from "./layout.js";
import { parseSubtyped, type ClassSpecificDescriptor, type SubtypeSpec } from "./subtyped.js";

const H: readonly FieldSpec[] = [...HEADER, ["bDescriptorSubtype", 2, 1]];

const AC_V1: Record<number, SubtypeSpec> = {
  0x01: {
    kind: "audio-ac-header",
    name: "HEADER",
    layout: [...H, ["bcdADC", 3, 2], ["wTotalLength", 5, 2], ["bInCollection", 7, 1]],
    tail: "baInterfaceNr",
  },
  0x02: {
    kind: "audio-input-terminal",
    name: "INPUT_TERMINAL",
    layout: [
      ...H,
      ["bTerminalID", 3, 1],
      ["wTerminalType", 4, 2],
      ["bAssocTerminal", 6, 1],
      ["bNrChannels", 7, 1],
      ["wChannelConfig", 8, 2],
      ["iChannelNames", 10, 1],
      ["iTerminal", 11, 1],
    ],
  },
  0x03: {
    kind: "audio-output-terminal",
    name: "OUTPUT_TERMINAL",
    layout: [
      ...H,
      ["bTerminalID", 3, 1],
      ["wTerminalType", 4, 2],
      ["bAssocTerminal", 6, 1],
      ["bSourceID", 7, 1],
      ["iTerminal", 8, 1],
    ],
  },
  0x04: {
    kind: "audio-mixer-unit",
    name: "MIXER_UNIT",
    layout: [...H, ["bUnitID", 3, 1], ["bNrInPins", 4, 1]],
    tail: "data",
  },
  0x05: {
    kind: "audio-selector-unit",
    name: "SELECTOR_UNIT",
    layout: [...H, ["bUnitID", 3, 1], ["bNrInPins", 4, 1]],
    tail: "data",
  },
  0x06: {
    kind: "audio-feature-unit",
    name: "FEATURE_UNIT",
    layout: [...H, ["bUnitID", 3, 1], ["bSourceID", 4, 1], ["bControlSize", 5, 1]],
    tail: "bmaControls",
  },
  0x07: {
    kind: "audio-processing-unit",
    name: "PROCESSING_UNIT",
    layout: [...H, ["bUnitID", 3, 1], ["wProcessType", 4, 2]],
    tail: "data",
  },
  0x08: {
    kind: "audio-extension-unit",
    name: "EXTENSION_UNIT",
    layout: [...H, ["bUnitID", 3, 1], ["wExtensionCode", 4, 2]],
    tail: "data",
  },
};

const AC_V2: Record<number, SubtypeSpec> = {
  0x01: {
    kind: "audio-ac-header",
    name: "HEADER",
    layout: [...H, ["bcdADC", 3, 2], ["bCategory", 5, 1], ["wTotalLength", 6, 2], ["bmControls", 8, 1]],
  },
  0x02: {
    kind: "audio-input-terminal",
    name: "INPUT_TERMINAL",
    layout: [
      ...H,
      ["bTerminalID", 3, 1],
      ["wTerminalType", 4, 2],
      ["bAssocTerminal", 6, 1],
      ["bCSourceID", 7, 1],
      ["bNrChannels", 8, 1],
      ["bmChannelConfig", 9, 4],
      ["iChannelNames", 13, 1],
      ["bmControls", 14, 2],
      ["iTerminal", 16, 1],
    ],
  },
  0x03: {
    kind: "audio-output-terminal",
    name: "OUTPUT_TERMINAL",
    layout: [
      ...H,
      ["bTerminalID", 3, 1],
      ["wTerminalType", 4, 2],
      ["bAssocTerminal", 6, 1],
      ["bSourceID", 7, 1],
      ["bCSourceID", 8, 1],
      ["bmControls", 9, 2],
      ["iTerminal", 11, 1],
    ],
  },
  0x04: {
    kind: "audio-mixer-unit",
    name: "MIXER_UNIT",
    layout: [...H, ["bUnitID", 3, 1], ["bNrInPins", 4, 1]],
    tail: "data",
  },
  0x05: {
    kind: "audio-selector-unit",
    name: "SELECTOR_UNIT",
    layout: [...H, ["bUnitID", 3, 1], ["bNrInPins", 4, 1]],
    tail: "data",
  },
  0x06: {
    kind: "audio-feature-unit",
    name: "FEATURE_UNIT",
    layout: [...H, ["bUnitID", 3, 1], ["bSourceID", 4, 1]],
    tail: "bmaControls",
    tailSize: 1,
  },
  0x0a: {
    kind: "audio-clock-source",
    name: "CLOCK_SOURCE",
    layout: [
      ...H,
      ["bClockID", 3, 1],
      ["bmAttributes", 4, 1],
      ["bmControls", 5, 1],
      ["bAssocTerminal", 6, 1],
      ["iClockSource", 7, 1],
    ],
  },
  0x0b: {
    kind: "audio-clock-selector",
    name: "CLOCK_SELECTOR",
    layout: [...H, ["bClockID", 3, 1], ["bNrInPins", 4, 1]],
    tail: "data",
  },
  0x0c: {
    kind: "audio-clock-multiplier",
    name: "CLOCK_MULTIPLIER",
    layout: [
      ...H,
      ["bClockID", 3, 1],
      ["bCSourceID", 4, 1],
      ["bmControls", 5, 1],
      ["iClockMultiplier", 6, 1],
    ],
  },
};

const AS_V1: Record<number, SubtypeSpec> = {
  0x01: {
    kind: "audio-as-general",
    name: "AS_GENERAL",
    layout: [...H, ["bTerminalLink", 3, 1], ["bDelay", 4, 1], ["wFormatTag", 5, 2]],
  },
  0x02: {
    kind: "audio-format-type",
    name: "FORMAT_TYPE",
    layout: [
      ...H,
      ["bFormatType", 3, 1],
      ["bNrChannels", 4, 1],
      ["bSubframeSize", 5, 1],
      ["bBitResolution", 6, 1],
      ["bSamFreqType", 7, 1],
    ],
    tail: "tSamFreq",
    tailSize: 3,
  },
};

const AS_V2: Record<number, SubtypeSpec> = {
  0x01: {
    kind: "audio-as-general",
    name: "AS_GENERAL",
    layout: [
      ...H,
      ["bTerminalLink", 3, 1],
      ["bmControls", 4, 1],
      ["bFormatType", 5, 1],
      ["bmFormats", 6, 4],
      ["bNrChannels", 10, 1],
      ["bmChannelConfig", 11, 4],
      ["iChannelNames", 15, 1],
    ],
  },
  0x02: {
    kind: "audio-format-type",
    name: "FORMAT_TYPE",
    layout: [...H, ["bFormatType", 3, 1], ["bSubslotSize", 4, 1], ["bBitResolution", 5, 1]],
  },
};

const EP_V1: Record<number, SubtypeSpec> = {
  0x01: {
    kind: "audio-ep-general",
    name: "EP_GENERAL",
    layout: [...H, ["bmAttributes", 3, 1], ["bLockDelayUnits", 4, 1], ["wLockDelay", 5, 2]],
  },
};

const EP_V2: Record<number, SubtypeSpec> = {
  0x01: {
    kind: "audio-ep-general",
    name: "EP_GENERAL",
    layout: [
      ...H,
      ["bmAttributes", 3, 1],
      ["bmControls", 4, 1],
      ["bLockDelayUnits", 5, 1],
      ["wLockDelay", 6, 2],
    ],
  },
};

// MIDI Streaming (USB MIDI 1.0 §6.1.2, §6.2.2).
const MS_IF: Record<number, SubtypeSpec> = {
  0x01: { kind: "midi-header", name: "MS_HEADER", layout: [...H, ["bcdMSC", 3, 2], ["wTotalLength", 5, 2]] },
  0x02: {
    kind: "midi-in-jack",
    name: "MIDI_IN_JACK",
    layout: [...H, ["bJackType", 3, 1], ["bJackID", 4, 1], ["iJack", 5, 1]],
  },
  0x03: {
    kind: "midi-out-jack",
    name: "MIDI_OUT_JACK",
    layout: [...H, ["bJackType", 3, 1], ["bJackID", 4, 1], ["bNrInputPins", 5, 1]],
    tail: "data",
  },
  0x04: {
    kind: "midi-element",
    name: "ELEMENT",
    layout: [...H, ["bElementID", 3, 1], ["bNrInputPins", 4, 1]],
    tail: "data",
  },
};

const MS_EP: Record<number, SubtypeSpec> = {
  0x01: {
    kind: "midi-ep-general",
    name: "MS_GENERAL",
    layout: [...H, ["bNumEmbMIDIJack", 3, 1]],
    tail: "baAssocJackID",
  },
};

/** Audio interface subclasses (Audio 1.0 Appendix A.5). */
export const AudioSubclass = { AUDIOCONTROL: 1, AUDIOSTREAMING: 2, MIDISTREAMING: 3 } as const;
export const AUDIO_IP_VERSION_02_00 = 0x20;

/** A CS_INTERFACE descriptor inside an audio interface of `subclass` and `protocol`. */
export function parseAudioInterface(
  b: Uint8Array,
  at: number,
  subclass: number,
  protocol: number,
): ClassSpecificDescriptor {
  const v2 = protocol === AUDIO_IP_VERSION_02_00;
  if (subclass === AudioSubclass.AUDIOCONTROL) return parseSubtyped(b, at, v2 ? AC_V2 : AC_V1, "audio-ac");
  if (subclass === AudioSubclass.AUDIOSTREAMING) return parseSubtyped(b, at, v2 ? AS_V2 : AS_V1, "audio-as");
  return parseSubtyped(b, at, MS_IF, "midi");
}

/** A CS_ENDPOINT descriptor after an audio streaming endpoint. */
export function parseAudioEndpoint(
  b: Uint8Array,
  at: number,
  subclass: number,
  protocol: number,
): ClassSpecificDescriptor {
  if (subclass === AudioSubclass.MIDISTREAMING) return parseSubtyped(b, at, MS_EP, "midi-ep");
  return parseSubtyped(b, at, protocol === AUDIO_IP_VERSION_02_00 ? EP_V2 : EP_V1, "audio-ep");
}
