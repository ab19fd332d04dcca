/** Where in a device's descriptor tree a finding points, so the renderer can show it next to the field. */
export interface FieldRef {
  /** "device", "configuration", "qualifier", "bos", "string". */
  descriptor: string;
  /** Configuration index (configuration findings). */
  config?: number;
  /** Offset of the sub-descriptor inside the configuration or BOS set (0: the header). */
  offset?: number;
  /** String index (string findings). */
  index?: number;
  field?: string;
}
