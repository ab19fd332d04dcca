import { describe, expect, it } from "vitest";
import { requestName } from "../../src/usb/requests.js";

const s = (bmRequestType: number, bRequest: number, wValue = 0, wIndex = 0, wLength = 0) => ({
  bmRequestType,
  bRequest,
  wValue,
  wIndex,
  wLength,
});

describe("requestName (§9.4)", () => {
  it("names every standard request", () => {
    expect(requestName(s(0x80, 6, 0x0100, 0, 18))).toBe("GET_DESCRIPTOR DEVICE");
    expect(requestName(s(0x80, 6, 0x0200, 0, 9))).toBe("GET_DESCRIPTOR CONFIGURATION index 0");
    expect(requestName(s(0x80, 6, 0x0302, 0x0409, 255))).toBe(
      "GET_DESCRIPTOR STRING index 2 language 0x0409",
    );
    expect(requestName(s(0x80, 6, 0x0600, 0, 10))).toBe("GET_DESCRIPTOR DEVICE_QUALIFIER");
    expect(requestName(s(0x80, 6, 0x0f00, 0, 5))).toBe("GET_DESCRIPTOR BOS");
    expect(requestName(s(0x81, 6, 0x2200, 0, 166))).toBe("GET_DESCRIPTOR HID_REPORT");
    expect(requestName(s(0x00, 5, 7))).toBe("SET_ADDRESS 7");
    expect(requestName(s(0x00, 9, 1))).toBe("SET_CONFIGURATION 1");
    expect(requestName(s(0x80, 8, 0, 0, 1))).toBe("GET_CONFIGURATION");
    expect(requestName(s(0x80, 0, 0, 0, 2))).toBe("GET_STATUS device");
    expect(requestName(s(0x82, 0, 0, 0x81, 2))).toBe("GET_STATUS endpoint 129");
    expect(requestName(s(0x02, 1, 0, 0x81))).toBe("CLEAR_FEATURE ENDPOINT_HALT endpoint 0x81");
    expect(requestName(s(0x00, 3, 1))).toBe("SET_FEATURE DEVICE_REMOTE_WAKEUP");
    expect(requestName(s(0x01, 11, 1, 2))).toBe("SET_INTERFACE 2 alt 1");
    expect(requestName(s(0x81, 10, 0, 2, 1))).toBe("GET_INTERFACE 2");
    expect(requestName(s(0x82, 12, 0, 0x83, 2))).toBe("SYNCH_FRAME endpoint 0x83");
  });

  it("shows class and vendor requests with their fields", () => {
    expect(requestName(s(0x21, 0x09, 0x0200, 0, 1))).toBe(
      "class OUT 0x09 to interface wValue=0x0200 wIndex=0x0000 wLength=1",
    );
    expect(requestName(s(0xc0, 0x51, 0, 0x0004, 16))).toBe(
      "vendor IN 0x51 to device wValue=0x0000 wIndex=0x0004 wLength=16",
    );
  });

  it("shows an unknown standard request by number", () => {
    expect(requestName(s(0x80, 0x42, 0, 0, 4))).toBe(
      "standard IN 0x42 to device wValue=0x0000 wIndex=0x0000 wLength=4",
    );
  });
});
