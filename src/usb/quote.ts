// Strings quoted from a capture into a message (a finding, a report line, the terminal) are the capture's,
// so they can be any length: a usbmon text token of megabytes would make a megabyte finding in every
// output. Each is cut to a fixed length with its full length stated (README "Reliability").

/** Characters of a capture string quoted whole; longer ones are cut. */
export const MAX_QUOTED = 120;

/** `s` as a message quotes it: whole up to `max` characters, else its first `max`, an ellipsis and its full length. */
export function quoted(s: string, max = MAX_QUOTED): string {
  if (s.length <= max) return s;
  // Never end on the first half of a surrogate pair.
  const cut = (s.charCodeAt(max - 1) & 0xfc00) === 0xd800 ? max - 1 : max;
  return `${s.slice(0, cut)}… (${s.length} characters)`;
}
