// Differential test: every record of every public raw capture, decoded by usbscope and by
// Wireshark's usbll dissector, must agree on PID, CRC verdicts, address, endpoint and frame number.
import { describe, it, expect } from "vitest";
import path from "node:path";
import { PacketStatus, Pid, LinkType } from "../../as/shared/constants.js";
import { collectFile } from "../helpers/collect.js";
import { bundledCaptures, publicCaptures } from "../helpers/paths.js";
import { tsharkFields } from "../helpers/tshark.js";

const RAW = new Set([
  LinkType.USB_2_0,
  LinkType.USB_2_0_LOW_SPEED,
  LinkType.USB_2_0_FULL_SPEED,
  LinkType.USB_2_0_HIGH_SPEED,
]);
// Wireshark's checksum status values (epan/proto.h PROTO_CHECKSUM_E_*).
const WS_BAD = "0";
const WS_GOOD = "1";

describe("packet decode agrees with tshark (usbll)", () => {
  for (const file of [...publicCaptures(), ...bundledCaptures()]) {
    it(`${path.basename(path.dirname(file))}/${path.basename(file)}`, async () => {
      const ours = await collectFile(file);
      if (!ours.linktype.some((l) => RAW.has(l))) return; // URB capture: the URB tests compare it
      const ws = tsharkFields(file, [
        "usbll.pid",
        "usbll.crc5.status",
        "usbll.crc16.status",
        "usbll.device_addr",
        "usbll.endp",
        "usbll.frame_num",
      ]);
      expect(ws.length).toBe(ours.pid.length);
      const disagreements: string[] = [];
      let compared = 0;
      for (let i = 0; i < ws.length; i++) {
        if (!RAW.has(ours.linktype[i]!)) {
          expect(ws[i]![0], `record ${i}: non-raw record has no usbll PID in tshark`).toBe("");
          continue;
        }
        const [wPid, wCrc5, wCrc16, wAddr, wEndp, wFrame] = ws[i]!;
        const status = ours.status[i]!;
        const pid = ours.pid[i]!;
        compared++;
        const say = (what: string) => disagreements.push(`record ${i} (frame ${i + 1}): ${what}`);
        if (status === PacketStatus.EMPTY) {
          if (wPid !== "") say(`empty record, tshark PID ${wPid}`);
          continue;
        }
        if (wPid !== "" && parseInt(wPid!, 16) !== pid) say(`PID ${pid.toString(16)} vs tshark ${wPid}`);
        const isToken = [Pid.OUT, Pid.IN, Pid.SETUP, Pid.PING, Pid.SOF].includes(pid);
        if (isToken && status !== PacketStatus.BAD_LENGTH) {
          const ourCrc = status === PacketStatus.BAD_CRC5 ? WS_BAD : WS_GOOD;
          if (wCrc5 !== ourCrc) say(`CRC5 ${ourCrc} vs tshark ${wCrc5}`);
          if (pid === Pid.SOF) {
            if (Number(wFrame) !== ours.frame[i]) say(`frame ${ours.frame[i]} vs tshark ${wFrame}`);
          } else {
            if (Number(wAddr) !== ours.address[i]) say(`address ${ours.address[i]} vs tshark ${wAddr}`);
            if (Number(wEndp) !== ours.endpoint[i]) say(`endpoint ${ours.endpoint[i]} vs tshark ${wEndp}`);
          }
        }
        const isData = [Pid.DATA0, Pid.DATA1, Pid.DATA2, Pid.MDATA].includes(pid);
        if (isData && status !== PacketStatus.BAD_LENGTH) {
          const ourCrc = status === PacketStatus.BAD_CRC16 ? WS_BAD : WS_GOOD;
          if (wCrc16 !== ourCrc) say(`CRC16 ${ourCrc} vs tshark ${wCrc16}`);
        }
      }
      expect(compared).toBeGreaterThan(0);
      expect(disagreements).toEqual([]);
    });
  }
});
