// Which devices a filter is about, for the lists of devices (analyze, live): the devices it asks for
// with `dev==N` or `vidpid==V:P` (--device), all of them when it asks for none.
import type { DescriptorLayerResult } from "../devices/descriptorLayer.js";
import type { UsbDevice } from "../devices/device.js";
import type { CompiledFilter } from "./filter.js";

/** Is `device` one the filter asks for (or does it ask for no device in particular)? */
export function filterWantsDevice(filter: CompiledFilter, device: UsbDevice): boolean {
  const { addresses, vidpids } = filter.wanted;
  if (addresses.length === 0 && vidpids.length === 0) return true;
  if (device.addresses.some((a) => addresses.includes(a))) return true;
  const dd = device.device?.descriptor;
  return dd !== undefined && vidpids.some(([v, p]) => v === dd.idVendor && p === dd.idProduct);
}

/** The devices of a result the filter asks for; the others are counted in `filteredOut`. */
export function selectDevices(
  d: DescriptorLayerResult,
  filter: CompiledFilter,
): DescriptorLayerResult & { filteredOut: number } {
  const keep = d.tracked.map((t) => filterWantsDevice(filter, t));
  const pick = <T>(list: T[]) => list.filter((_x, i) => keep[i]);
  return {
    ...d,
    devices: pick(d.devices),
    diagnoses: pick(d.diagnoses),
    tracked: pick(d.tracked),
    hitsByDevice: pick(d.hitsByDevice),
    hits: pick(d.hitsByDevice).flat(),
    filteredOut: keep.filter((k) => !k).length,
  };
}
