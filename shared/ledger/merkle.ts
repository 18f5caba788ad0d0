import { fromHex, toHex } from './bytes';
import { sha256Bytes } from './hash';

// RFC 6962 section 2.1: leaves and interior nodes are hashed with distinct prefixes, so an
// interior node can never be passed off as a leaf (second-preimage resistance of the tree).
const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

function leafHash(id: string): Uint8Array {
  return sha256Bytes(LEAF, fromHex(id));
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function subtreeRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256Bytes();
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  const k = largestPowerOfTwoBelow(leaves.length);
  return sha256Bytes(NODE, subtreeRoot(leaves.slice(0, k)), subtreeRoot(leaves.slice(k)));
}

/** Merkle Tree Hash of the transaction ids (hex), in block order. */
export function merkleRoot(txIds: readonly string[]): string {
  return toHex(subtreeRoot(txIds.map(leafHash)));
}

/** Audit path for leaf `index` (RFC 6962 section 2.1.1), bottom-up, hex. */
export function inclusionProof(txIds: readonly string[], index: number): string[] {
  if (!Number.isInteger(index) || index < 0 || index >= txIds.length) {
    throw new Error(`leaf index ${index} out of range`);
  }
  const path = (leaves: Uint8Array[], m: number): Uint8Array[] => {
    if (leaves.length <= 1) return [];
    const k = largestPowerOfTwoBelow(leaves.length);
    return m < k
      ? [...path(leaves.slice(0, k), m), subtreeRoot(leaves.slice(k))]
      : [...path(leaves.slice(k), m - k), subtreeRoot(leaves.slice(0, k))];
  };
  return path(txIds.map(leafHash), index).map(toHex);
}

/** Checks an audit path (RFC 9162 section 2.1.3.2 algorithm). */
export function verifyInclusion(
  txId: string,
  index: number,
  size: number,
  proof: readonly string[],
  root: string,
): boolean {
  // Whole numbers only: a NaN or fractional index or size would otherwise walk some other path.
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size)) return false;
  if (index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash(txId);
  for (const p of proof) {
    const sibling = fromHex(p);
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = sha256Bytes(NODE, sibling, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = sha256Bytes(NODE, r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && toHex(r) === root;
}
