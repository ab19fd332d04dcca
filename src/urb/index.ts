// The URB layer's public surface: host-side captures (usbmon 189/220/text, USBPcap 249) → UrbEvent → ControlTransfer.

export type { IsoDescriptor, UrbEvent, UrbKind, UrbSource, UsbPcapFields } from "./urbEvent.js";
export { transferTypeName } from "./urbEvent.js";
export { MON_BIN_HDR_48, MON_BIN_HDR_64, monBinLittleEndian, parseMonBin, readSetup, type MonBinContext } from "./usbmonBinary.js";
export { parseUsbPcap, UsbPcapControlStage, UsbPcapTransfer, USBPCAP_INFO_PDO_TO_FDO, type UsbPcapContext } from "./usbpcap.js";
export { TEXT_DATA_MAX, TEXT_TS_WRAP_US, UsbmonTextParser, type UsbmonTextOptions } from "./usbmonText.js";
export { pairingKey, UrbPairing, type PendingUrb } from "./pairing.js";
export { UrbLayer, type UrbCounterKey, type UrbLayerOptions, type UrbTypeCounters } from "./urbLayer.js";
export { controlStatusOf, errnoName, isUrbError, urbErrorSeverity, urbStatusName, UsbdStatus, usbdStatusName } from "./status.js";
export * from "./rules.js";
