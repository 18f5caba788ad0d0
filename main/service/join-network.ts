import { generateKeyPair, type KeyPair } from '../../shared/ledger/keys';
import type { JoinProgress, Params } from '../../shared/rpc/contract';
import { describeAdmission, readDecidedJoin, type AdmissionState } from '../network/join/admission';
import { JoinError } from '../network/join/join-client';
import {
  checkApplication,
  JoinInputError,
  readInvitation,
  readPendingJoin,
  requestToJoin,
} from '../network/join/join-folder';
import type { ServiceNetwork } from '../network/service-network';
import type { DataPaths } from './data-dir';
import { fieldProblem } from './handler-context';
import { createSealedProfile, writeProfile, type ProfileFile, type SealingKey } from './keystore';
import { ServiceError } from './service-error';

/*
 * The console's "Join a network" (docs/sync.md §9): what `carechain join --invite` does, for a
 * data folder the node service holds, with the admin key sealed into a console profile instead
 * of a key file. The waiting for the members' decision is the node service's network's
 * (ServiceNetwork, state `joining`), so it goes on across restarts of the console.
 */

/** The form's fields, as the contract names them. */
const FIELD_OF: Record<string, string> = {
  invitation: 'invitation',
  memberId: 'memberId',
  legalName: 'legalName',
  kind: 'kind',
  endpoint: 'endpoint',
};

function placed(error: JoinInputError): ServiceError {
  const field = FIELD_OF[error.field];
  return field
    ? fieldProblem(field, error.message)
    : new ServiceError('bad_request', error.message);
}

export interface JoinedFolder {
  profile: ProfileFile;
  adminKey: KeyPair;
  sealing: SealingKey;
}

/**
 * Sends the join request and makes `paths` the new organisation's node folder, its profile
 * sealed with the passphrase. Everything is checked before anything is sent, and the folder is
 * written only once the inviting node has taken the request: any failure leaves it as it was.
 */
export async function joinFromConsole(
  paths: DataPaths,
  params: Params<'session.join'>,
): Promise<JoinedFolder> {
  let application;
  try {
    readInvitation(params.invitation);
    application = checkApplication({
      ...(params.memberId.trim() === '' ? {} : { memberId: params.memberId.trim() }),
      legalName: params.legalName.trim(),
      kind: params.kind,
      endpoint: params.endpoint.trim(),
    });
  } catch (error) {
    if (error instanceof JoinInputError) throw placed(error);
    throw error;
  }
  const adminKey = generateKeyPair();
  // Sealed first (scrypt, off the event loop): the folder is then written in one synchronous go.
  const { profile, sealing } = await createSealedProfile(
    application.memberId,
    adminKey,
    params.passphrase,
    false,
  );
  try {
    await requestToJoin({
      paths,
      invitationText: params.invitation,
      application,
      adminKey,
      writeAdmin: (into) => writeProfile(into.profile, profile),
    });
  } catch (error) {
    if (error instanceof JoinInputError) throw placed(error);
    if (error instanceof JoinError) {
      throw new ServiceError('rejected', error.message, [
        { path: 'invitation', message: error.message },
      ]);
    }
    throw error;
  }
  return { profile, adminKey, sealing };
}

function progressOf(state: AdmissionState): JoinProgress {
  const join = state.join;
  return {
    member: state.member,
    state: join?.state ?? 'asking',
    description: describeAdmission(state),
    approvals: join?.approvals ?? null,
    needed: join?.needed ?? null,
    rejections: join?.rejections ?? null,
    height: join?.height ?? null,
    unreachable: state.unreachable,
    checkedAt: state.checkedAt,
  };
}

/**
 * Where this folder's join request stands, for the console: while the node waits for the
 * decision, or when the decision was not to admit it. Null when the folder sent none, or once
 * it is a member.
 */
export function joinProgress(
  paths: DataPaths,
  network: ServiceNetwork | null,
): JoinProgress | null {
  const state = network?.state();
  if (state?.state === 'joining') return progressOf(state.admission.state());
  try {
    const pending = readPendingJoin(paths.root);
    const decided = pending ? readDecidedJoin(paths.root) : null;
    if (!pending || !decided || decided.state === 'approved') return null;
    return progressOf({
      member: pending.member,
      join: decided,
      unreachable: null,
      checkedAt: null,
    });
  } catch {
    // Unreadable join files stop the network, which says why on the Network page.
    return null;
  }
}
