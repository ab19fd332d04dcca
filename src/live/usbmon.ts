// Where live capture reads from: the usbmon text interface in debugfs (Documentation/usb/usbmon.rst,
// "How to use usbmon": mount debugfs, load usbmon, read /sys/kernel/debug/usb/usbmon/Nu; bus 0 is all buses).
// Opening it fails in three common ways, each with one fix the user can type.

// usbmon is Linux's: paths are POSIX, joined here rather than with node:path so the library also loads
// in a browser (the viewer imports the same front door).
const join = (dir: string, name: string) => `${dir.replace(/\/+$/, "")}/${name}`;
const dirname = (p: string) => p.replace(/\/+$/, "").replace(/\/[^/]*$/, "") || "/";

export const USBMON_DIR = "/sys/kernel/debug/usb/usbmon";

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
