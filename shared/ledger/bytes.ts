// Byte helpers come from @noble/hashes (audited, used by the hashing itself); only the
// project's own conventions are added here.
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export { concatBytes };
export const utf8 = utf8ToBytes;
export const toHex = bytesToHex;

/** Hex on chain is always lowercase, so one value has one spelling. */
export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error('not lowercase hex of whole bytes');
  return hexToBytes(hex);
}
