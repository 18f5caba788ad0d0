import { z } from 'zod';
import { concatBytes, fromHex, utf8 } from './bytes';
import { canonicalText, parseCanonical } from './canonical';
import { DOMAIN, sha256Hex } from './hash';
import { sign, type VerifySignature } from './keys';
import { ChainId, describeZod, Hash, Height, Millis, PublicKey, Signature } from './schemas';

export const BlockHeader = z.strictObject({
  v: z.literal(1),
  chainId: ChainId,
  height: Height,
  prevHash: Hash,
  time: Millis,
  /** Node key of the validator that proposed the block; empty for genesis. */
  proposer: z.union([PublicKey, z.literal('')]),
  txCount: z.int().min(0).max(10_000),
  txRoot: Hash,
  stateHash: Hash,
  validatorsHash: Hash,
});
export type BlockHeader = z.infer<typeof BlockHeader>;

export const CommitSignature = z.strictObject({ validator: PublicKey, sig: Signature });

/** Signatures of validators over (chain id, height, round, block hash): what makes a block final. */
export const CommitCertificate = z.strictObject({
  height: Height,
  round: z.int().min(0).max(1_000_000),
  blockHash: Hash,
  signatures: z.array(CommitSignature).min(1).max(1000),
});
export type CommitCertificate = z.infer<typeof CommitCertificate>;

/** A block as stored and sent: canonical texts, kept exactly as they were hashed and signed. */
export const WireBlock = z.strictObject({
  header: z.string().max(4096),
  txs: z.array(z.string()).max(10_000),
  /** Empty for the genesis block, which is trusted by its hash instead. */
  cert: z.string().max(256 * 1024),
});
export type WireBlock = z.infer<typeof WireBlock>;

export class BlockFormatError extends Error {}

export function blockHashOf(headerText: string): string {
  return sha256Hex(DOMAIN.header, utf8(headerText));
}

export function decodeHeader(text: string): BlockHeader {
  let raw: unknown;
  try {
    raw = parseCanonical(text);
  } catch (error) {
    throw new BlockFormatError(`block header: ${(error as Error).message}`);
  }
  const parsed = BlockHeader.safeParse(raw);
  if (!parsed.success) throw new BlockFormatError(`block header: ${describeZod(parsed.error)}`);
  return parsed.data;
}

export function decodeCertificate(text: string): CommitCertificate {
  let raw: unknown;
  try {
    raw = parseCanonical(text);
  } catch (error) {
    throw new BlockFormatError(`commit certificate: ${(error as Error).message}`);
  }
  const parsed = CommitCertificate.safeParse(raw);
  if (!parsed.success)
    throw new BlockFormatError(`commit certificate: ${describeZod(parsed.error)}`);
  return parsed.data;
}

export function commitSigningBytes(
  chainId: string,
  height: number,
  round: number,
  blockHash: string,
) {
  return concatBytes(DOMAIN.commit, utf8(canonicalText({ chainId, height, round, blockHash })));
}

/** Smallest number of validator signatures that makes a block final: floor(2n/3) + 1. */
export function quorum(validatorCount: number): number {
  return Math.floor((2 * validatorCount) / 3) + 1;
}

export function validatorsHashOf(
  validators: readonly { member: string; nodeKey: string }[],
): string {
  return sha256Hex(DOMAIN.validators, utf8(canonicalText(validators)));
}

export function signCommit(
  chainId: string,
  height: number,
  round: number,
  blockHash: string,
  nodeSecretKey: string,
): string {
  return sign(nodeSecretKey, commitSigningBytes(chainId, height, round, blockHash));
}

/**
 * Why a certificate does not make the block final, or null if it does: it must name this block,
 * its signers must be distinct validators in force, sorted, and reach the quorum.
 */
export function certificateProblem(
  cert: CommitCertificate,
  header: BlockHeader,
  blockHash: string,
  validatorKeys: readonly string[],
  verify: VerifySignature,
): string | null {
  if (cert.height !== header.height) return `certificate is for height ${cert.height}`;
  if (cert.blockHash !== blockHash) return 'certificate names another block hash';
  const signers = cert.signatures.map((s) => s.validator);
  for (let i = 1; i < signers.length; i++) {
    if ((signers[i - 1] as string) >= (signers[i] as string)) {
      return 'certificate signers must be distinct and sorted';
    }
  }
  const message = commitSigningBytes(header.chainId, header.height, cert.round, blockHash);
  for (const { validator, sig } of cert.signatures) {
    if (!validatorKeys.includes(validator))
      return `certificate signer ${validator.slice(0, 12)}… is not a validator`;
    if (!verify(fromHex(validator), message, fromHex(sig))) {
      return `certificate signature of ${validator.slice(0, 12)}… does not verify`;
    }
  }
  const needed = quorum(validatorKeys.length);
  if (cert.signatures.length < needed) {
    return `certificate has ${cert.signatures.length} of the ${needed} validator signatures needed`;
  }
  return null;
}
