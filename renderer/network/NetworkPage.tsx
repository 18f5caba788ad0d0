import type { ReactNode } from 'react';
import type { NetworkView } from '../../shared/rpc/network';
import { Badge } from '../components/Badge';
import { Hex } from '../components/Hex';
import { Page } from '../components/Page';
import { ErrorNotice, Loading } from '../components/States';
import { plural, sentence } from '../components/text';
import { Stat } from '../overview/Stat';
import { CommitTimes } from './CommitTimes';
import { GuestBans, Misbehaviour, PeersTable } from './PeersTable';
import { SyncProgress } from './SyncProgress';
import { useNetworkStatus } from './use-network-status';
import { ValidatorsTable } from './ValidatorsTable';
import { lastBlocks, stepWords } from './words';
import './network.css';

/** A single-validator chain not on a network: who makes its blocks, and how to run a network. */
function NotOnANetwork({ view }: { view: NetworkView }) {
  const only = view.validators[0];
  const alone = only !== undefined && only.nodeKey === view.nodeKey;
  return (
    <section className="card network-off" aria-labelledby="network-off-heading" data-state="alone">
      <h2 id="network-off-heading">Not on a network</h2>
      <p>
        {alone
          ? `This chain has one validator, ${only.memberName}, and this node is it: it makes every block alone, talks to no other node, and needs no one else's signature.`
          : `This chain has one validator${only ? `, ${only.memberName}` : ''}, and this node is not it: this node takes part in no network, so it receives no blocks and nothing sent to it would commit.`}
      </p>
      <p>
        A consortium network has several validators, each a member's node, that agree on every block
        and carry on while up to a third of them fail. To try one on this machine, run{' '}
        <code>carechain devnet --nodes 4 --dir devnet --console 1</code>: it starts four validators
        on 127.0.0.1 and serves the console of the first of them, printing its link (passphrase{' '}
        <code>carechain-demo</code>), whose Network page shows the others. A node also joins a
        network when its folder has a <code>network.json</code>.
      </p>
    </section>
  );
}

function ConsensusStats({
  view,
}: {
  view: NetworkView & { consensus: NonNullable<NetworkView['consensus']> };
}) {
  const { consensus } = view;
  const connected = view.peers.filter((p) => p.state === 'connected').length;
  return (
    <div className="stats network-stats">
      <Stat label="Deciding block">
        <p className="stat-number" data-testid="consensus-height">
          {consensus.height}
        </p>
        <p className="stat-note">
          {consensus.proposer
            ? `Proposer: ${view.validators.find((v) => v.nodeKey === consensus.proposer?.nodeKey)?.memberName ?? consensus.proposer.member}`
            : 'No validator is in force.'}
        </p>
      </Stat>
      <Stat label="Round and step">
        <p className="stat-number" data-testid="consensus-round">
          {consensus.round}
        </p>
        <p className="stat-note">
          <span data-testid="consensus-step">{sentence(stepWords(consensus.step))}</span>
          {consensus.lockedRound >= 0 && ` Locked on round ${consensus.lockedRound}.`}
          {consensus.round > 0 &&
            ' A round after the first means the proposer was missing or late.'}
        </p>
      </Stat>
      <Stat label="Peers">
        <p className="stat-number" data-testid="peers-connected">
          {connected}
        </p>
        <p className="stat-note">connected of {plural(view.peers.length, 'known peer')}</p>
      </Stat>
      <Stat label="This node">
        {view.nodeKey && <Hex value={view.nodeKey} label="this node's key" short />}
        <p className="stat-note">
          {view.memberName ?? 'Not a member’s node key'}
          {view.addresses.length > 0 && (
            <>
              , listening on{' '}
              {view.addresses.map((a, i) => (
                <span key={a}>
                  {i > 0 && ', '}
                  <code>{a}</code>
                </span>
              ))}
            </>
          )}
        </p>
      </Stat>
    </div>
  );
}

function StateNotice({ view }: { view: NetworkView }) {
  if (view.state === 'failed') {
    return (
      <div className="notice notice-error" role="alert" data-state="failed">
        <div>
          <p>
            <strong>This node is not on the network.</strong>{' '}
            {sentence(view.problem ?? 'it did not start')}
          </p>
          <p>
            The console still shows this node’s replica, but nothing it signs can commit until the
            node takes part again. Restart the console once the cause is fixed.
          </p>
        </div>
      </div>
    );
  }
  if (view.state === 'joining') {
    return (
      <div className="notice" role="status" data-state="joining">
        <div>
          <p>
            <strong>This node joins the network once its organisation is admitted.</strong>{' '}
            {sentence(view.problem ?? 'its join request is waiting for the members’ decision')}
          </p>
          <p>
            Until then no member node would take it as a peer, so it neither syncs nor votes. Once
            the members approve it, it connects to its peers and catches up with the chain.
          </p>
        </div>
      </div>
    );
  }
  if (view.state === 'starting') return <Loading what="the network (starting)" />;
  return null;
}

function Section({
  id,
  title,
  badge,
  children,
}: {
  id: string;
  title: string;
  badge?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="page-section" aria-labelledby={`${id}-heading`} data-section={id}>
      <div className="section-header">
        <h2 id={`${id}-heading`}>
          {title} {badge}
        </h2>
      </div>
      {children}
    </section>
  );
}

function NetworkContent({ view, changed }: { view: NetworkView; changed: () => void }) {
  const running = view.state === 'running' && view.consensus !== null;
  const offenders = view.peers.filter((p) => p.misbehaviour.length > 0).length;
  return (
    <>
      {view.state === 'alone' ? <NotOnANetwork view={view} /> : <StateNotice view={view} />}
      {running && view.consensus && (
        <ConsensusStats view={{ ...view, consensus: view.consensus }} />
      )}
      {view.sync && (
        <Section id="sync" title="Sync">
          <SyncProgress sync={view.sync} />
        </Section>
      )}
      {view.state === 'running' && (
        <Section id="peers" title="Peers">
          <PeersTable
            peers={view.peers}
            ownHeight={view.sync?.height ?? 0}
            headingId="peers-heading"
            changed={changed}
          />
          <GuestBans bans={view.guestBans} changed={changed} />
        </Section>
      )}
      <Section id="validators" title="Validators">
        <ValidatorsTable
          validators={view.validators}
          window={view.window}
          running={view.state === 'running'}
          headingId="validators-heading"
        />
        {view.validators.length > 1 && view.window > 0 && (
          <p className="section-note">
            Participation is the share of {lastBlocks(view.window)} whose commit certificate carries
            the validator’s signature. A certificate needs the signatures of more than two thirds of
            the validators and often carries no more, so a validator that is up can still miss some
            (its vote arrived after the others); one that is down or cut off stops appearing at all.
            The network goes on while fewer than a third are missing.
          </p>
        )}
      </Section>
      <Section id="commits" title="Commit times">
        <CommitTimes commits={view.commits} headingId="commits-heading" />
      </Section>
      {view.state === 'running' && (
        <Section
          id="misbehaviour"
          title="Misbehaving peers"
          badge={offenders > 0 ? <Badge tone="bad">{String(offenders)}</Badge> : undefined}
        >
          <Misbehaviour peers={view.peers} headingId="misbehaviour-heading" />
        </Section>
      )}
    </>
  );
}

/** `#/network`: this node on the consortium network, as it sees it now (live by events, polled every 5 s). */
export function NetworkPage() {
  const { data, error, loading, reload } = useNetworkStatus();
  return (
    <Page title="Network">
      <p className="lede">
        How this node takes part in the consortium network: its peers, the validators’ rounds and
        the blocks they commit, as it sees them now.
      </p>
      {error && <ErrorNotice error={error} retry={reload} />}
      {data ? (
        <NetworkContent view={data} changed={reload} />
      ) : (
        loading && <Loading what="the network status" />
      )}
    </Page>
  );
}
