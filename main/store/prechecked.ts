import { rememberPublicKeyProblems, type VerifySignature } from '../../shared/ledger/keys';
import { decoderKnowing, type TxDecoder } from '../../shared/ledger/tx';
import type { StatelessFindings } from '../platform/block-checks';
import { verifierTrusting } from '../platform/ed25519';

/**
 * The verifier the sequential part (verifyBlock) uses for a block whose stateless checks the
 * pool ran: signatures the pool found valid are not checked again, anything else is, and the
 * subgroup checks of the keys it registers are known answers. Called just before the block is
 * applied, so the answers are at hand when its rules ask.
 */
export function verifierFor(findings: StatelessFindings): VerifySignature {
  rememberPublicKeyProblems(findings.keyProblems);
  return verifierTrusting(new Set(findings.verified));
}

/**
 * The decoder for such a block: the texts the pool checked are not hashed again, nor
 * re-serialised again if it found them canonical.
 */
export function decoderFor(findings: StatelessFindings): TxDecoder {
  return decoderKnowing(findings);
}
