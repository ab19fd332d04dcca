// The full-speed test device the URB builder tests and the URB layer's round-trip tests enumerate:
// address 5, bMaxPacketSize0 64, one interface with bulk endpoints 0x81 and 0x02, product string "Widget".
import { configuration, deviceDescriptor, endpointDesc, interfaceDesc } from "../../builder/descriptors.js";
import type { DeviceModel } from "../../builder/device.js";

export const widgetDevice: DeviceModel = {
  speed: "full",
  address: 5,
  deviceDescriptor: deviceDescriptor({ bMaxPacketSize0: 64, iProduct: 2 }),
  configDescriptor: configuration({}, [
    interfaceDesc({}, [endpointDesc(), endpointDesc({ bEndpointAddress: 2 })]),
  ]),
  strings: { 2: "Widget" },
};
