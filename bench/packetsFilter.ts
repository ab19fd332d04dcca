/** The filter of the `packets --filter` bench rows (issue 14): one endpoint of the bulk capture's devices. */
export const PACKETS_FILTER = "ep==1";
