/** Studies, files and anchors for research-rule tests, on the chains of helpers/supply. */
import { utf8 } from '../../../shared/ledger/bytes';
import { sha256Hex } from '../../../shared/ledger/hash';
import type { DecodedTx } from '../../../shared/ledger/tx';
import type { DocumentKind } from '../../../shared/research/schemas';
import { studyHashOf } from '../../../shared/research/study-id';
import { HOSPITAL } from './supply';
import type { SignOptions, TestChain } from './test-chain';

/** The research organisation of the default founders: the sponsor of most tests' studies. */
export const RESEARCHER = 'bio-research';
/** Another member, sponsor of a study of its own. */
export const SPONSOR_2 = HOSPITAL;

/** The study hash of a registry id. */
export function studyOf(registryId: string): string {
  return studyHashOf(registryId);
}

/** The SHA-256 of a file with this text. */
export function fileHash(text: string): string {
  return sha256Hex(utf8(text));
}

/** A research.anchor signed as `member`. */
export function anchor(
  chain: TestChain,
  member: string,
  study: string,
  kind: DocumentKind,
  version: number,
  hash: string,
  protocolVersion?: number,
  options: SignOptions = {},
): DecodedTx {
  return chain.act(
    member,
    {
      type: 'research.anchor',
      study,
      kind,
      version,
      hash,
      ...(protocolVersion === undefined ? {} : { protocolVersion }),
    },
    options,
  );
}
