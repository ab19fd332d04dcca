// SETADDR_TIMING after SET_ADDRESS (USB 2.0 §9.2.6.3): after the 2 ms recovery interval the device answers at
// its new address, and no longer at its old one. Behind hubs, devices enumerate one after another at address 0:
// the host resets a hub port (SET_FEATURE(PORT_RESET), §11.24.2.13) and the device on it answers at address 0
// until its own SET_ADDRESS. So an answer at address 0 after a port reset is the next device's, and one from a
// device whose device descriptor differs from the moved device's is another device's too: only what the same
// device did is flagged.
import type { ControlTransfer, Timestamp } from "../usb/model.js";
import { finding, type Finding, type FindingSink } from "../usb/finding.js";
import { deviceAddr } from "../usb/ids.js";
import { DescriptorType } from "../usb/descriptorTypes.js";
import { Request, STANDARD_DEVICE_IN } from "../usb/requests.js";
import { Pid } from "../../as/shared/constants.js";
import { SETADDR_TIMING } from "./rules.js";
import { spanNs, Transaction, TxOutcome, txPlace } from "./transaction.js";

/** SetAddress() recovery interval (§9.2.6.3). */
const SET_ADDRESS_RECOVERY_MS = 2;
/** bmRequestType of a hub class request to a port (§11.24.2: host to device, class, other). */
const HUB_PORT_OUT = 0x23;
/** PORT_RESET feature selector (§11.24.2 Table 11-17). */
const PORT_RESET = 4;
/** Bytes of a device descriptor that tell one device from another: up to idProduct (§9.6.1). */
const IDENTITY_BYTES = 12;

interface Move {
  from: number;
  to: number;
  statusEnd: Timestamp;
  /** The device descriptor the device gave at its old address, when the capture shows it. */
  identity?: Uint8Array;
}

/** The first answer at the old address, held until the device answering there shows who it is. */
interface Held {
  finding: Finding;
  address: number;
  identity?: Uint8Array;
}

export class AddressMoves {
  private move?: Move;
  private held?: Held;
  /** The device descriptor last read at each address (first IDENTITY_BYTES bytes) since the device there changed. */
  private readonly descriptors = new Map<number, Uint8Array>();

  constructor(private readonly findings: FindingSink) {}

  /** A SET_ADDRESS is waiting for the device's first answer (the packet layer's fast paths step aside). */
  get waiting(): boolean {
    return this.move !== undefined;
  }

  /** SET_ADDRESS `to` completed at address `from`, its status stage ending at `statusEnd`. */
  addressChanged(from: number, to: number, statusEnd: Timestamp): void {
    this.flush();
    const identity = this.descriptors.get(from);
    this.descriptors.delete(from);
    if (identity) this.descriptors.set(to, identity);
    else this.descriptors.delete(to);
    this.move = { from, to, statusEnd, identity };
  }

  /** A bus reset (§7.1.7.5): every device is back at address 0. An answer held from before it stands. */
  busReset(): void {
    this.flush();
    this.move = undefined;
    this.descriptors.clear();
  }

  /** The capture ended: an answer still held is reported. */
  end(): void {
    this.flush();
  }

  /** A control transfer ended: a hub port reset, or a device descriptor that says which device answers. */
  controlDone(ct: ControlTransfer): void {
    const s = ct.setup;
    if (s.bmRequestType === HUB_PORT_OUT && s.bRequest === Request.SET_FEATURE && s.wValue === PORT_RESET) {
      // The device on that port is at address 0 next: answers there are its own, not the moved device's.
      this.move = undefined;
      this.descriptors.delete(0);
      return;
    }
    if (
      s.bmRequestType !== STANDARD_DEVICE_IN ||
      s.bRequest !== Request.GET_DESCRIPTOR ||
      s.wValue >> 8 !== DescriptorType.DEVICE ||
      ct.data.length < 8
    )
      return;
    const identity = ct.data.slice(0, IDENTITY_BYTES);
    const held = this.held;
    if (held && held.address === ct.address) {
      this.held = undefined;
      // A different descriptor: another device answered at the old address (a hub port the capture does not
      // show being reset); the same one, or none known: the moved device still answers there.
      if (!(held.identity && differ(held.identity, identity))) this.findings.add(held.finding);
    }
    this.descriptors.set(ct.address, identity);
  }

  /** Each transaction outside a split while a SET_ADDRESS waits (§9.2.6.3). */
  transaction(tx: Transaction, dirIn: boolean): void {
    const move = this.move;
    if (!move) return;
    if (tx.address === move.to) {
      this.move = undefined;
      // 2 ms after the status stage the device must accept a SETUP at its new address. Before that it may still
      // be busy, so an unanswered SETUP then is the host's haste, not a fault.
      const afterMs = spanNs(move.statusEnd.sec, move.statusEnd.nsec, tx.startSec, tx.startNsec) / 1e6;
      if (
        tx.tokenPid === Pid.SETUP &&
        tx.handshakePid === 0 &&
        !tx.interrupted &&
        afterMs >= SET_ADDRESS_RECOVERY_MS
      )
        this.findings.add(
          finding(
            SETADDR_TIMING,
            `device did not answer the SETUP at its new address ${move.to}, sent ${afterMs.toFixed(1)} ms after SET_ADDRESS completed (it must accept one after the 2 ms recovery interval)`,
            { ...txPlace(tx), device: deviceAddr(move.to) },
          ),
        );
      return;
    }
    if (tx.address !== move.from) return;
    const answered = dirIn
      ? tx.dataPid !== 0 || tx.outcome === TxOutcome.NAK || tx.outcome === TxOutcome.STALL
      : tx.handshakePid !== 0;
    if (!answered) return;
    this.move = undefined;
    this.held = {
      finding: finding(
        SETADDR_TIMING,
        `device still answers at address ${move.from} after SET_ADDRESS ${move.to} completed`,
        { ...txPlace(tx), device: deviceAddr(move.from) },
      ),
      address: move.from,
      identity: move.identity,
    };
  }

  private flush(): void {
    if (this.held) this.findings.add(this.held.finding);
    this.held = undefined;
  }
}

/** Two device descriptors' first bytes differ where both have them. */
function differ(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return true;
  return false;
}
