// @ts-check
// Module worker: holds one capture's Session and answers the page's calls by method name, so the
// analysis and every view on it (rows, details, timeline windows) run off the page's thread.
import { Session } from "./session.js";

const session = new Session();

self.onmessage = async (event) => {
  const { id, method, args } = event.data;
  try {
    let result;
    if (method === "load") {
      const [bytes, name, wasm] = args;
      result = await session.load(
        new Uint8Array(bytes),
        name,
        (p) => self.postMessage({ id, progress: p }),
        wasm,
      );
    } else {
      const fn = /** @type {any} */ (session)[method];
      if (typeof fn !== "function") throw new Error(`no such call: ${method}`);
      result = await fn.apply(session, args);
    }
    self.postMessage({ id, result });
  } catch (e) {
    self.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
};
