import type { KeyPair } from '../../shared/ledger/keys';
import type { ProposalAction } from '../../shared/members/schemas';
import { membership } from '../../shared/members/state';
import type { ProposalView } from '../../shared/rpc/contract';
import {
  fieldProblem,
  perNode,
  type HandlerContext,
  type HandlersFor,
} from '../service/handler-context';
import { KeyFileError, parseKeyFile } from '../service/keystore';
import { ServiceError } from '../service/service-error';
import { heldNextNodeKey } from '../network/node-key-rotation';
import { MembershipQueries } from './queries';
import { memberView, proposalViews } from './views';

export type MembershipMethod =
  | 'members.list'
  | 'members.get'
  | 'proposals.list'
  | 'proposals.get'
  | 'proposals.vote'
  | 'proposals.create';

type RotateKey = Extract<ProposalAction, { type: 'rotate-key' }>;

/** Decided proposals per page when the console does not say. */
const DECIDED_PAGE = 50;

/** The membership queries of a node's replica, prepared once per node. */
const queriesOf = perNode((node) => new MembershipQueries(node.replica.db));

/** Members and governance proposals: reading them, voting, proposing. */
export function membersHandlers(ctx: HandlerContext): HandlersFor<MembershipMethod> {
  const { session } = ctx;

  /**
   * The new key pair of a rotation of the profile's own admin key: the one the node offered for
   * it, or the one in the key file given with it. Without either the console would be left with
   * a key the chain no longer accepts, so the proposal is refused.
   */
  const nextKeyOf = (action: RotateKey, newKeyFile: string | undefined): KeyPair => {
    if (newKeyFile === undefined) {
      const offered = session.offeredKey(action.newKey);
      if (offered) return offered;
      throw fieldProblem(
        'newKey',
        "rotating this console's own admin key needs the new secret key: generate the new key in the console or give its key file",
      );
    }
    let pair: KeyPair;
    try {
      pair = parseKeyFile(newKeyFile, 'the new key file');
    } catch (error) {
      if (error instanceof KeyFileError) throw fieldProblem('newKeyFile', error.message);
      throw error;
    }
    if (pair.publicKey !== action.newKey) {
      throw fieldProblem(
        'newKeyFile',
        'the new key file holds another key than the new key of the proposal',
      );
    }
    return pair;
  };

  return {
    'members.list': () => membership(ctx.requireNode().replica.view).members().map(memberView),
    'members.get': ({ id }) => {
      const node = ctx.requireNode();
      const member = membership(node.replica.view).member(id);
      if (!member) throw new ServiceError('not_found', `no member ${id}`);
      return {
        member: memberView(member),
        history: proposalViews(node, session.memberId(), queriesOf(node).proposalsAbout(id)),
      };
    },
    'proposals.list': ({ status, limit, before }) => {
      const node = ctx.requireNode();
      const records =
        status === 'open'
          ? membership(node.replica.view).openProposals()
          : queriesOf(node).decidedProposals(limit ?? DECIDED_PAGE, before);
      return proposalViews(node, session.memberId(), records);
    },
    'proposals.get': ({ id }) => {
      const node = ctx.requireNode();
      const p = membership(node.replica.view).proposal(id);
      if (!p) throw new ServiceError('not_found', `no proposal ${id}`);
      return proposalViews(node, session.memberId(), [p])[0] as ProposalView;
    },
    'proposals.vote': ({ proposalId, choice }) =>
      ctx.submitAsProfile((common) => ({
        ...common,
        type: 'governance.vote',
        proposalId,
        choice,
      })),
    'proposals.create': ({ action, reason, newKeyFile }) => {
      const propose = () =>
        ctx.submitAsProfile((common) => ({
          ...common,
          type: 'governance.propose',
          action,
          ...(reason === undefined ? {} : { reason }),
        }));
      // This node's own node key: the node must hold the new key before the proposal leaves,
      // or it could not switch to it at H + 2 (docs/consensus.md §7.4).
      const ownNodeKey = ctx.requireNode().currentNodeKey()?.publicKey;
      if (
        action.type === 'rotate-key' &&
        action.role === 'node' &&
        action.oldKey === ownNodeKey &&
        heldNextNodeKey(ctx.paths.root) !== action.newKey
      ) {
        throw fieldProblem(
          'newKey',
          "this is this node's own key: generate the new node key on this node (the console's rotate form, or carechain next-node-key) and propose that key",
        );
      }
      if (!session.rotatesOwnKey(action)) {
        if (newKeyFile !== undefined) {
          throw fieldProblem(
            'newKeyFile',
            "a new key file is only taken when rotating this console's own admin key",
          );
        }
        return propose();
      }
      session.sealNextKey(nextKeyOf(action, newKeyFile));
      let submitted: { txId: string };
      try {
        submitted = propose();
      } catch (error) {
        session.dropNextKey();
        throw error;
      }
      session.nextKeyProposed(submitted.txId);
      return submitted;
    },
  };
}
