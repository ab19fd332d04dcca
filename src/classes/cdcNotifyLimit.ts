// CDC_NOTIFY_MPS: a notification (CDC 1.2 §6.3: an 8-byte header like a SETUP, then wLength data bytes) longer
// than the interrupt IN endpoint's wMaxPacketSize. USB lets an interrupt transfer span packets (USB 2.0
// §5.7.3), but CDC hosts read the notification endpoint one packet at a time: Linux's cdc-acm posts
// wMaxPacketSize-byte URBs and gets the header in one and the data in the next (its older versions read
// the state bytes past the header as garbage), and its cdc_ether takes CONNECTION_SPEED_CHANGE's rates only
// from a URB that holds all 16 bytes (drivers/net/usb/cdc_ether.c, EVENT_STS_SPLIT). A URB capture of such a
// host shows the header alone, so the length is the header's own (8 + wLength), or the transfer's when it
// moved more.
import { finding, type FindingSink } from "../usb/finding.js";
import { deviceAddr, endpointAddr } from "../usb/ids.js";
import type { ClassDecode } from "../usb/classDecode.js";
import type { UsbDevice } from "../devices/device.js";
import type { InterfaceDescriptor } from "../descriptors/interface.js";
import { bytesPerInterval } from "../descriptors/endpoint.js";
import type { TransferSummary } from "../transfers/transferSummary.js";
import { CDC_NOTIFY_MPS } from "./cdcRules.js";

/** Findings said once per device, interface, notification and length (a device repeats itself at every change). */
const MAX_SAID = 4096;

export class CdcNotifyLimit {
  private readonly said = new Set<string>();

  constructor(private readonly findings: FindingSink) {}

  /** A notification `n` decoded from interrupt IN transfer `t` of communication interface `i`. */
  check(t: TransferSummary, d: UsbDevice, i: InterfaceDescriptor, n: ClassDecode): void {
    const epAddr = t.endpoint | 0x80;
    const ep = i.endpoints.find((e) => e.bEndpointAddress === epAddr);
    if (!ep || (ep.bmAttributes & 3) !== 3) return; // the notification element is an interrupt endpoint
    const mps = bytesPerInterval(ep.wMaxPacketSize);
    const wLength = typeof n.fields.wLength === "number" ? n.fields.wLength : 0;
    const length = Math.max(8 + wLength, t.dataLength);
    if (mps === 0 || length <= mps) return;
    const key = `${d.id}:${i.bInterfaceNumber}:${n.name}:${length}`;
    if (this.said.has(key) || this.said.size >= MAX_SAID) return;
    this.said.add(key);
    const data = wLength === 1 ? "1 data byte" : `${wLength} data bytes`;
    this.findings.add(
      finding(
        CDC_NOTIFY_MPS,
        `interface ${i.bInterfaceNumber} ${n.name} notification is ${length} bytes (8-byte header and ${data}), longer than the ${mps}-byte wMaxPacketSize of its interrupt endpoint 0x${epAddr.toString(16)}: it takes more than one packet, and a host that reads the endpoint a packet at a time gets the header without its data unless it puts the pieces back together`,
        {
          packet: t.firstPacket,
          device: deviceAddr(t.device),
          endpoint: endpointAddr(t.endpoint, true),
        },
      ),
    );
  }
}
