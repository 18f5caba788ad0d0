import { Link } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { shortStudy } from '../../shared/research/describe';
import { registryIdProblem } from '../../shared/research/study-id';
import { durationText } from '../../shared/research/verification';
import type { PreRegistrationView, StudyView, TimelineEntryView } from '../../shared/rpc/research';
import { useProfile } from '../app/profile';
import { MemberLink } from '../blocks/MemberLink';
import { Badge } from '../components/Badge';
import { Hex } from '../components/Hex';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { FullTime } from '../components/Time';
import { sentence } from '../components/text';
import { useResearchQuery } from '../stores/research-store';
import { studySha256 } from './hash';
import { OnChain } from './links';
import { KIND_LABELS } from './words';

/** The chain holds only the study's hash: a registry id typed here is hashed and compared. */
function RegistryIdCheck({ study }: { study: string }) {
  const [text, setText] = useState('');
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | null>(null);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const wrong = registryIdProblem(text);
    if (wrong) {
      setAnswer({ ok: false, text: sentence(wrong) });
      return;
    }
    const same = (await studySha256(text)) === study;
    setAnswer({
      ok: same,
      text: same
        ? `${text.trim()} is this study: its SHA-256 is the study hash.`
        : `${text.trim()} is not this study: its SHA-256 is another hash.`,
    });
  };
  return (
    <form className="search registry-check" onSubmit={(event) => void onSubmit(event)} noValidate>
      <label htmlFor="registry-check">Is this the study I think it is?</label>
      <div className="search-row">
        <input
          id="registry-check"
          type="text"
          className="input-mono"
          placeholder="Its registry id, e.g. NCT01234567"
          maxLength={80}
          value={text}
          onChange={(event) => {
            setText(event.currentTarget.value);
            setAnswer(null);
          }}
        />
        <button type="submit" className="button-secondary">
          Check
        </button>
      </div>
      <p
        role="status"
        className={answer ? (answer.ok ? 'check check-ok' : 'check check-bad') : undefined}
      >
        {answer?.text}
      </p>
    </form>
  );
}

/** For a result set: were its outcomes or analysis plan anchored first, and how long before. */
function PreRegistration({ pre }: { pre: PreRegistrationView }) {
  const before = [pre.outcomes, pre.sap].filter((p) => p !== null);
  return (
    <div
      className={`pre-registration ${pre.preRegistered ? 'pre-registered' : 'not-pre-registered'}`}
      data-testid="pre-registration"
    >
      <p>
        <Badge tone={pre.preRegistered ? 'good' : 'bad'}>
          {pre.preRegistered ? 'Pre-registered' : 'Not pre-registered'}
        </Badge>{' '}
        {pre.phrase}
      </p>
      {before.length > 0 && (
        <ol className="order-in-time" aria-label="Order in time">
          {before
            .sort((a, b) => a.height - b.height)
            .map((p) => (
              <li key={p.txId}>
                {KIND_LABELS[p.kind]} v{p.version}{' '}
                <span className="muted">in block {p.height}</span>
                <span className="order-gap">
                  {durationText(p.msBefore)} · {p.blocksBefore} block
                  {p.blocksBefore === 1 ? '' : 's'} before
                </span>
              </li>
            ))}
          <li>
            <strong>These results</strong>
          </li>
        </ol>
      )}
    </div>
  );
}

function Entry({ entry }: { entry: TimelineEntryView }) {
  const { anchor, supersededBy, preRegistration } = entry;
  return (
    <li
      className={`timeline-step anchor-step anchor-${anchor.kind}`}
      data-kind={anchor.kind}
      data-version={anchor.version}
    >
      <div className="timeline-marker" aria-hidden="true" />
      <div className="timeline-body">
        <p className="timeline-title">
          <strong>
            {KIND_LABELS[anchor.kind]} v{anchor.version}
          </strong>
          {anchor.protocolVersion !== null && (
            <span className="muted">of protocol v{anchor.protocolVersion}</span>
          )}
          {supersededBy ? (
            <Badge tone="warn">{`Superseded by v${supersededBy.version}`}</Badge>
          ) : (
            <Badge tone="good">Current</Badge>
          )}
        </p>
        <dl className="timeline-facts">
          <div>
            <dt>Anchored</dt>
            <dd>
              <OnChain height={anchor.height} time={anchor.time} txId={anchor.txId} />
            </dd>
          </div>
          <div>
            <dt>File SHA-256</dt>
            <dd>
              <Hex value={anchor.hash} label="Copy the file's SHA-256" short />
            </dd>
          </div>
          <div>
            <dt>By</dt>
            <dd>
              <MemberLink id={anchor.member} />
            </dd>
          </div>
        </dl>
        {preRegistration && <PreRegistration pre={preRegistration} />}
      </div>
    </li>
  );
}

function StudyFacts({ study }: { study: StudyView }) {
  return (
    <dl className="facts">
      <dt>Study hash</dt>
      <dd>
        <Hex value={study.study} label="Copy the study hash" />
      </dd>
      <dt>Sponsor</dt>
      <dd>
        <MemberLink id={study.sponsor} />
      </dd>
      <dt>First anchored</dt>
      <dd>
        <FullTime ms={study.createdTime} /> in{' '}
        <Link to="/blocks/$height" params={{ height: study.createdHeight }}>
          block {study.createdHeight}
        </Link>
      </dd>
      <dt>Documents</dt>
      <dd>{study.anchors}</dd>
    </dl>
  );
}

/** `#/research/studies/<hash>`: a study's documents in the order they were anchored. */
export function StudyPage({ study }: { study: string }) {
  const profile = useProfile();
  const answer = useResearchQuery('research.study', { study });
  const back = <Link to="/research/studies">← Studies</Link>;
  const title = `Study ${shortStudy(study)}`;
  if (answer.error?.code === 'not_found') {
    return (
      <Page title={title} back={back}>
        <EmptyState>
          No document of this study is anchored on this chain.{' '}
          <Link to="/research/anchor" search={{ study }}>
            Anchor its protocol
          </Link>{' '}
          to make {profile.memberName} its sponsor.
        </EmptyState>
        <RegistryIdCheck study={study} />
      </Page>
    );
  }
  const data = answer.data;
  const mine = data?.study.sponsor === profile.memberId;
  return (
    <Page
      title={title}
      back={back}
      actions={
        mine ? (
          <Link to="/research/anchor" search={{ study }} className="button-link button-primary">
            Anchor a document of this study
          </Link>
        ) : undefined
      }
    >
      {answer.error && <ErrorNotice error={answer.error} retry={answer.reload} />}
      {!data && !answer.error && <Loading what="the study" />}
      {data && (
        <div className="detail-grid">
          <section className="card" aria-labelledby="study-facts">
            <h2 id="study-facts">The study</h2>
            <StudyFacts study={data.study} />
            <RegistryIdCheck study={study} />
          </section>
          <section className="card detail-wide" aria-labelledby="study-anchors">
            <h2 id="study-anchors">Documents in the order they were anchored</h2>
            <p className="section-note">
              Each document is its file’s SHA-256, signed by the sponsor and committed in a block:
              the order below is the order of the blocks. As of block {data.asOfHeight}.
            </p>
            <ol className="supply-timeline" aria-label="Anchors of the study">
              {data.anchors.map((entry) => (
                <Entry key={entry.anchor.txId} entry={entry} />
              ))}
            </ol>
          </section>
        </div>
      )}
    </Page>
  );
}
