// The class decoding hook of the analysis: names class and vendor requests as the SETUP is seen
// (AnalysisContext.nameRequest, so findings name them too) and decodes each control transfer once it
// completes (ControlTransfer.class), for raw and URB captures alike, from the device state the
// descriptor layer keeps.
import type { ControlTransfer, SetupPacket } from "../usb/model.js";
import { requestTypeOf } from "../usb/requests.js";
import type { UsbDevice } from "../devices/device.js";
import { decodeClassRequest } from "./classRequests.js";

/** Where the decoder finds a device by address (the descriptor layer's tracker). */
export interface DeviceLookup {
  deviceAt(address: number, bus?: number): UsbDevice | undefined;
}

export class ClassDecoder {
  constructor(private readonly devices: DeviceLookup) {}

  /** The label of a class or vendor request, or undefined for the standard naming. */
  nameRequest(setup: SetupPacket, address: number, bus?: number): string | undefined {
    if (requestTypeOf(setup) === 0) return undefined;
    return decodeClassRequest(setup, undefined, this.devices.deviceAt(address, bus))?.label;
  }

  /** Decode a completed control transfer into `ct.class` (and its label into `ct.request`). */
  controlTransfer(ct: ControlTransfer): void {
    if (requestTypeOf(ct.setup) === 0) return;
    const d = decodeClassRequest(ct.setup, ct.data, this.devices.deviceAt(ct.address, ct.bus));
    if (d === undefined) return;
    ct.class = d.decode;
  }
}
