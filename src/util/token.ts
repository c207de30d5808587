/**
 * A token unique among the processes that may touch one session directory: pid, time and randomness. Lock nonces
 * and temp-file names need uniqueness, not secrecy, and node:crypto would add ~9 ms to every CLI start.
 */
let counter = 0;
export function uniqueToken(): string {
  counter = (counter + 1) % 0x10000;
  const rand = Math.floor(Math.random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
  return `${process.pid.toString(16)}${Date.now().toString(16)}${counter.toString(16)}${rand}`;
}
