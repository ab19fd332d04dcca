// Which function a class or vendor request goes to, from the device's descriptors (the interface named
// in wIndex, the endpoint's interface, the hub's device class, the BOS platform capabilities' vendor
// codes), and its decoding by that class's module. A request whose target the descriptors do not show
// keeps the standard naming: no class is guessed, with one exception: requests to "other" go to a hub
// port (USB 2.0 §9.3.1, §11.24.2: only hubs define them).
import type { SetupPacket } from "../usb/model.js";
import { Recipient, RequestType, recipientOf, requestTypeOf } from "../usb/requests.js";
import { activeConfiguration, type UsbDevice } from "../devices/device.js";
import type { InterfaceDescriptor } from "../descriptors/interface.js";
import { UsbClass } from "../descriptors/classes.js";
import { AUDIO_IP_VERSION_02_00, AudioSubclass } from "../descriptors/audio.js";
import { MS_OS_20_UUID, WEBUSB_UUID } from "../descriptors/bos.js";
import type { DecodedRequest } from "./decoded.js";
import { cdcRequest } from "./cdc.js";
import { hidRequest } from "./hid.js";
import { mscRequest } from "./msc.js";
import { hubRequest } from "./hub.js";
import { dfuRequest } from "./dfu.js";
import { audioRequest, type AudioEntity } from "./audio.js";
import { msOs20Request, webUsbRequest } from "./vendor.js";

/** DFU: interface class 0xFE (application specific), subclass 0x01 (DFU 1.1 §4.2.1). */
const DFU_SUBCLASS = 0x01;

/** The interface `number` of the configuration in use, in its current alternate setting (else setting 0, else any). */
export function interfaceOf(d: UsbDevice, number: number): InterfaceDescriptor | undefined {
  const config = activeConfiguration(d)?.descriptor;
  if (!config) return undefined;
  const alt = d.altSettings.get(number) ?? 0;
  let any: InterfaceDescriptor | undefined;
  for (const i of config.interfaces) {
    if (i.bInterfaceNumber !== number) continue;
    if (i.bAlternateSetting === alt) return i;
    any ??= i;
  }
  return any;
}

/** The interface (any alternate setting) with endpoint `address` in the configuration in use. */
export function interfaceOfEndpoint(d: UsbDevice, address: number): InterfaceDescriptor | undefined {
  const config = activeConfiguration(d)?.descriptor;
  if (!config) return undefined;
  const alt = (i: InterfaceDescriptor) => d.altSettings.get(i.bInterfaceNumber) ?? 0;
  let any: InterfaceDescriptor | undefined;
  for (const i of config.interfaces) {
    if (!i.endpoints.some((e) => e.bEndpointAddress === address)) continue;
    if (i.bAlternateSetting === alt(i)) return i;
    any ??= i;
  }
  return any;
}

/**
 * The device is a hub: bDeviceClass 9, or (a capture that began after the device descriptor was read) its
 * configuration's interface is of class 9 (USB 2.0 §11.23.1: a hub's device and interface descriptors both
 * say HUB_CLASSCODE). `superSpeed` when it is a USB 3 hub (bDeviceProtocol 3).
 */
function hubKind(d: UsbDevice | undefined): { hub: boolean; superSpeed: boolean } {
  const dev = d?.device?.descriptor;
  const config = d && !dev ? activeConfiguration(d)?.descriptor : undefined;
  const hub = dev
    ? dev.bDeviceClass === UsbClass.HUB
    : (config?.interfaces.some((i) => i.bInterfaceClass === UsbClass.HUB) ?? false);
  return { hub, superSpeed: hub && dev?.bDeviceProtocol === 3 };
}

/** Terminals, units and clocks of an audio control interface, by ID. */
function audioEntities(i: InterfaceDescriptor): AudioEntity[] {
  const out: AudioEntity[] = [];
  for (const x of i.extra) {
    const e = x as unknown as Record<string, unknown>;
    const id = e["bTerminalID"] ?? e["bUnitID"] ?? e["bClockID"];
    if (typeof id === "number" && typeof e["name"] === "string") out.push({ id, type: e["name"] });
  }
  return out;
}

/** The audio control interface of the configuration in use that lists entity `id` (UAC requests to an entity name it by ID). */
function audioControlInterface(d: UsbDevice, number: number): InterfaceDescriptor | undefined {
  const i = interfaceOf(d, number);
  return i && i.bInterfaceClass === UsbClass.AUDIO ? i : undefined;
}

/**
 * Decode a class or vendor request sent to device `d` (undefined when the capture has not shown it): its
 * label and decoding, or undefined when the descriptors do not say which function it goes to.
 */
export function decodeClassRequest(
  setup: SetupPacket,
  data: Uint8Array | undefined,
  d: UsbDevice | undefined,
): DecodedRequest | undefined {
  const type = requestTypeOf(setup);
  const recipient = recipientOf(setup);
  if (type === RequestType.CLASS) {
    if (recipient === Recipient.OTHER) return hubRequest(setup, data, hubKind(d).superSpeed);
    if (recipient === Recipient.DEVICE) {
      // A hub's own requests; without its device descriptor, GET_DESCRIPTOR of a hub descriptor type names itself.
      const { hub, superSpeed } = hubKind(d);
      const hubDescriptor =
        setup.bRequest === 6 && (setup.wValue >> 8 === 0x29 || setup.wValue >> 8 === 0x2a);
      return hub || (hubDescriptor && !d?.device) ? hubRequest(setup, data, superSpeed) : undefined;
    }
    if (!d) return undefined;
    if (recipient === Recipient.ENDPOINT) {
      const i = interfaceOfEndpoint(d, setup.wIndex & 0xff);
      if (i?.bInterfaceClass === UsbClass.AUDIO)
        return audioRequest(setup, data, i.bInterfaceProtocol === AUDIO_IP_VERSION_02_00, undefined);
      return undefined;
    }
    if (recipient !== Recipient.INTERFACE) return undefined;
    const i = interfaceOf(d, setup.wIndex & 0xff);
    if (!i) return undefined;
    switch (i.bInterfaceClass) {
      case UsbClass.COMM:
      case UsbClass.CDC_DATA:
        return cdcRequest(setup, data);
      case UsbClass.HID:
        return hidRequest(setup, data);
      case UsbClass.MASS_STORAGE:
        return mscRequest(setup, data);
      case UsbClass.AUDIO: {
        const ac = audioControlInterface(d, setup.wIndex & 0xff);
        const entities = ac && ac.bInterfaceSubClass === AudioSubclass.AUDIOCONTROL ? audioEntities(ac) : [];
        return audioRequest(setup, data, i.bInterfaceProtocol === AUDIO_IP_VERSION_02_00, entities);
      }
      case UsbClass.APPLICATION:
        return i.bInterfaceSubClass === DFU_SUBCLASS ? dfuRequest(setup, data) : undefined;
      default:
        return undefined;
    }
  }
  if (type === RequestType.VENDOR && d?.bos) {
    let msos = false;
    let webusb = false;
    for (const c of d.bos.descriptor.capabilities) {
      const uuid = c["PlatformCapabilityUUID"];
      if (uuid === MS_OS_20_UUID && c["bMS_VendorCode"] === setup.bRequest) msos = true;
      if (uuid === WEBUSB_UUID && c["bVendorCode"] === setup.bRequest) webusb = true;
    }
    // One vendor code may serve both: MS OS 2.0 uses wIndex 7 and 8, WebUSB 1 and 2.
    if (msos && (!webusb || setup.wIndex === 0x07 || setup.wIndex === 0x08))
      return msOs20Request(setup, data);
    if (webusb) return webUsbRequest(setup, data);
  }
  return undefined;
}
