// Descriptor parsers: pure functions over bytes that never throw (malformed input comes back as data).
export * from "./types.js";
export type { DescriptorBase, FieldSpec } from "./layout.js";
export { parseDeviceDescriptor, parseDeviceQualifier, type DeviceDescriptor, type DeviceQualifierDescriptor } from "./device.js";
export { parseConfiguration, parseConfigurationHeader, walkedLength, type ConfigurationDescriptor } from "./configuration.js";
export { parseInterface, parseInterfaceAssociation, type InterfaceDescriptor, type InterfaceAssociationDescriptor } from "./interface.js";
export { parseEndpoint, endpointType, endpointDirection, maxPacketBytes, additionalTransactions, type EndpointDescriptor } from "./endpoint.js";
export { parseStringDescriptor, decodeUtf16le, langIdName, type StringDescriptor } from "./string.js";
export { parseBos, uuidText, capabilityName, WEBUSB_UUID, MS_OS_20_UUID, type BosDescriptor, type DeviceCapability } from "./bos.js";
export { parseHidDescriptor, type HidDescriptor } from "./hid.js";
export { parseHidReportDescriptor, usagePageName, type HidReportDescriptor, type HidItem, type HidReport } from "./hidReport.js";
export { parseCdcFunctional } from "./cdc.js";
export { parseAudioInterface, parseAudioEndpoint } from "./audio.js";
export { parseDfuFunctional, type DfuFunctionalDescriptor } from "./dfu.js";
export { className, interfaceClassText, massStorageSubclassName, massStorageProtocolName, UsbClass } from "./classes.js";
export type { ClassSpecificDescriptor } from "./subtyped.js";
export type { FieldRef } from "./fieldRef.js";
export { sanitizeTerminal, escapeHtml } from "./strings.js";
