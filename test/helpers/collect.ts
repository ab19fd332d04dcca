import type { RecordBatch, RecordSink } from "../../src/usb/model.js";
import { readCapture, type CaptureInfo, type ReadOptions } from "../../src/capture/reader.js";
import { bufferSource, fileSource } from "../../src/capture/source.js";

/** Test-only: every column of every record copied out, plus the captured bytes. */
export interface Collected {
  info: CaptureInfo;
  offset: number[];
  tsSec: number[];
  tsNsec: number[];
  linktype: number[];
  pid: number[];
  status: number[];
  address: number[];
  endpoint: number[];
  frame: number[];
  origLength: number[];
  data: Uint8Array[];
}

export class CollectSink implements RecordSink {
  c: Omit<Collected, "info"> = {
    offset: [],
    tsSec: [],
    tsNsec: [],
    linktype: [],
    pid: [],
    status: [],
    address: [],
    endpoint: [],
    frame: [],
    origLength: [],
    data: [],
  };
  ended = 0;
  onBatch(b: RecordBatch): void {
    const c = this.c;
    if (b.firstIndex !== c.pid.length) throw new Error(`batch firstIndex ${b.firstIndex} != ${c.pid.length}`);
    for (let i = 0; i < b.count; i++) {
      c.offset.push(b.offset[i]!);
      c.tsSec.push(b.tsSec[i]!);
      c.tsNsec.push(b.tsNsec[i]!);
      c.linktype.push(b.linktype[i]!);
      c.pid.push(b.pid[i]!);
      c.status.push(b.status[i]!);
      c.address.push(b.address[i]!);
      c.endpoint.push(b.endpoint[i]!);
      c.frame.push(b.frame[i]!);
      c.origLength.push(b.origLength[i]!);
      c.data.push(b.bytes.slice(b.dataOffset[i]!, b.dataOffset[i]! + b.dataLength[i]!));
    }
  }
  onEnd(): void {
    this.ended++;
  }
}

export async function collectFile(file: string, options: ReadOptions = {}): Promise<Collected> {
  const sink = new CollectSink();
  const source = await fileSource(file);
  try {
    const info = await readCapture(source, [sink], options);
    return { info, ...sink.c };
  } finally {
    await source.close();
  }
}

export async function collectBytes(bytes: Uint8Array, options: ReadOptions = {}): Promise<Collected> {
  const sink = new CollectSink();
  const info = await readCapture(bufferSource(bytes), [sink], options);
  return { info, ...sink.c };
}
