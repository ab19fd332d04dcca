// Where live capture reads from. First the binary device /dev/usbmonN (Documentation/usb/usbmon.rst "Raw
// binary format and API"; drivers/usb/mon/mon_bin.c), which keeps every data byte of every URB; when that
// node is missing, the text interface in debugfs ("How to use usbmon": mount debugfs, load usbmon, read
// /sys/kernel/debug/usb/usbmon/Nu), which shows 32 bytes at most. Bus 0 is all buses in both.
// Opening them fails in a few common ways, each with one fix the user can type.

// usbmon is Linux's: paths are POSIX, joined here rather than with node:path so the library also loads
// in a browser (the viewer imports the same front door).
const join = (dir: string, name: string) => `${dir.replace(/\/+$/, "")}/${name}`;
const dirname = (p: string) => p.replace(/\/+$/, "").replace(/\/[^/]*$/, "") || "/";

export const USBMON_DIR = "/sys/kernel/debug/usb/usbmon";
/** Where udev creates the binary usbmon devices (usbmon0 for all buses, usbmonN for bus N). */
export const USBMON_DEV_DIR = "/dev";

/** The binary device of one bus (0: all buses). */
export function usbmonDevice(devDir: string, bus: number): string {
  return join(devDir, `usbmon${bus}`);
}

/** The byte order of this machine: mon_bin writes the kernel's native integers. */
export function hostLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/**
 * Why the binary device `file` could not be opened (errno `code`), or undefined when it simply does not exist
 * (the caller then falls back to the text interface). mon_bin_open fails with ENODEV for a minor with no bus.
 */
export function usbmonDeviceProblem(code: string | undefined, file: string): string | undefined {
  if (code === "ENOENT" || code === "ENOTDIR") return undefined;
  if (code === "EACCES" || code === "EPERM")
    return `cannot read ${file}: permission denied. usbmon is readable by root only: run usbscope as root (sudo usbscope live ...), or allow your user with: sudo chmod a+r ${file}`;
  if (code === "ENODEV" || code === "ENXIO")
    return `cannot read ${file}: no such bus. Bus 0 (${file.replace(/\d+$/, "0")}) reads all buses; ls ${dirname(file)}/usbmon* lists the others`;
  return `cannot read ${file}: ${code ?? "error"}`;
}

/** What `live` says on stderr when it reads the text interface because the binary device is missing. */
export function textFallbackNote(device: string, textFile: string): string {
  return `${device} does not exist, so usbscope reads the text interface ${textFile}, which shows at most 32 data bytes of each URB. For every byte, load the binary interface: sudo modprobe usbmon`;
}

/** The 'u' text file of one bus (0: all buses). */
export function usbmonFile(dir: string, bus: number): string {
  return join(dir, `${bus}u`);
}

/** What a path turned out to be when the open failed. */
export type PathState = "exists" | "missing" | "denied";

/** The file system calls the diagnosis needs; tests inject their own. */
export interface UsbmonFs {
  state(path: string): Promise<PathState>;
}

export const nodeUsbmonFs: UsbmonFs = {
  async state(path) {
    const { stat } = await import("node:fs/promises");
    try {
      await stat(path);
      return "exists";
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === "EACCES" || code === "EPERM" ? "denied" : "missing";
    }
  },
};

/**
 * One message for a failed open of `file` (errno `code`), saying what to run. `dir` is the usbmon directory and
 * `dirState`/`parentState` what the usbmon directory and its parent (debugfs's usb directory) are: with debugfs
 * mounted but usbmon not loaded the usb directory exists and usbmon does not; with debugfs not mounted neither does.
 */
export function usbmonOpenProblem(
  code: string | undefined,
  file: string,
  dir: string,
  dirState: PathState,
  parentState: PathState,
): string {
  if (code === "EACCES" || code === "EPERM" || dirState === "denied" || parentState === "denied") {
    return (
      `cannot read ${file}: permission denied. usbmon is readable by root only: run usbscope as root (sudo usbscope live ...), or allow your user with: sudo chmod a+r ${file}` +
      (dir.startsWith("/sys/kernel/debug")
        ? " (and sudo chmod a+rx /sys/kernel/debug if debugfs itself is closed)"
        : "")
    );
  }
  if (code === "ENOENT" || code === "ENOTDIR") {
    if (dirState === "exists")
      return `cannot read ${file}: no such bus. Bus 0 (${usbmonFile(dir, 0)}) reads all buses; ls ${dir} lists the others`;
    if (parentState === "exists")
      return `cannot read ${file}: the usbmon module is not loaded. Load it with: sudo modprobe usbmon`;
    const root = dirname(dirname(dir));
    return `cannot read ${file}: debugfs is not mounted. Mount it with: sudo mount -t debugfs none ${root} (then, if ${dir} is still missing: sudo modprobe usbmon)`;
  }
  return `cannot read ${file}: ${code ?? "error"}`;
}

/** Diagnose a failed open of the usbmon file with the real (or injected) file system. */
export async function describeUsbmonError(
  e: unknown,
  file: string,
  dir: string,
  fs: UsbmonFs = nodeUsbmonFs,
): Promise<string> {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const [dirState, parentState] = await Promise.all([fs.state(dir), fs.state(dirname(dir))]);
  return usbmonOpenProblem(code, file, dir, dirState, parentState);
}
