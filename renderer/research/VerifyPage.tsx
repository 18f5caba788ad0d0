import { useState } from 'react';
import type { FileVerification } from '../../shared/rpc/research';
import { KIND_NAMES } from '../../shared/research/schemas';
import { MemberLink } from '../blocks/MemberLink';
import { Page } from '../components/Page';
import { ErrorNotice, Loading } from '../components/States';
import { useResearchQuery } from '../stores/research-store';
import { FileDrop, type HashedFile } from './FileDrop';
import { OnChain, StudyLink } from './links';
import { FILE_STATUS_WORDS } from './words';

type Match = FileVerification['matches'][number];

const TONE: Record<FileVerification['status'], string> = {
  match: 'verdict-ok',
  superseded: 'verdict-warn',
  'no-anchor': 'verdict-bad',
};

function documentName(anchor: Match['anchor']): string {
  const of = anchor.protocolVersion === null ? '' : ` of protocol v${anchor.protocolVersion}`;
  return `${KIND_NAMES[anchor.kind]} v${anchor.version}${of}`;
}

function MatchItem({ match }: { match: Match }) {
  const { anchor, evidence, supersededBy } = match;
  return (
    <li className="anchor-match" data-testid="anchor-match">
      <p>
        The file is the <strong>{documentName(anchor)}</strong> of study{' '}
        <StudyLink study={anchor.study} />, anchored by <MemberLink id={anchor.member} />.
      </p>
      <p className="muted">
        Anchored in <OnChain height={anchor.height} time={anchor.time} txId={anchor.txId} />
      </p>
      {evidence && (
        <p className={evidence.proofValid ? 'check check-ok' : 'check check-bad'}>
          {evidence.proofValid
            ? 'Inclusion proof verified against the block’s transaction root ✓'
            : 'Inclusion proof does not hold ✗'}
        </p>
      )}
      {supersededBy && (
        <p className="anchor-superseded" data-testid="superseded-by">
          <strong>Superseded by v{supersededBy.anchor.version}</strong>, anchored in{' '}
          <OnChain
            height={supersededBy.anchor.height}
            time={supersededBy.anchor.time}
            txId={supersededBy.anchor.txId}
          />
          .
        </p>
      )}
    </li>
  );
}

function Answer({ file, answer }: { file: HashedFile; answer: FileVerification }) {
  return (
    <section
      className={`verdict ${TONE[answer.status]}`}
      aria-labelledby="verdict-word"
      data-testid="file-verdict"
      data-status={answer.status}
    >
      <p className="verdict-word" id="verdict-word">
        {FILE_STATUS_WORDS[answer.status]}
      </p>
      <p className="verdict-asked">
        <strong>{file.name}</strong> · SHA-256 <code>{file.hash}</code>
      </p>
      {answer.status === 'no-anchor' ? (
        <p>
          No anchor on this chain holds this file’s SHA-256. A copy that differs by a single byte
          has another hash: if this should be an anchored document, it is not the file that was
          anchored.
        </p>
      ) : (
        <>
          {answer.status === 'superseded' && (
            <p className="verdict-title">
              This is an anchored document, but not its latest version.
            </p>
          )}
          <ul className="anchor-matches">
            {answer.matches.map((m) => (
              <MatchItem key={m.anchor.txId} match={m} />
            ))}
          </ul>
        </>
      )}
      <p className="section-note">As of block {answer.asOfHeight}.</p>
    </section>
  );
}

/** `#/research/verify`: is this file an anchored document, the current version of it, or not? */
export function VerifyPage() {
  const [file, setFile] = useState<HashedFile | null>(null);
  const answer = useResearchQuery('research.verify', file ? { hash: file.hash } : null);
  return (
    <Page title="Verify a file">
      <p className="lede">
        Is this the protocol, analysis plan or result set that was anchored, and is it the latest
        version? Drop the file: its SHA-256 is looked up on the chain.
      </p>
      <div className="verify-layout">
        <form className="card" aria-label="File to verify" onSubmit={(e) => e.preventDefault()}>
          <FileDrop
            id="verify-file"
            label="File"
            purpose="it is looked up on this node’s replica"
            onHashed={setFile}
          />
        </form>
        <div className={file ? 'verify-answer' : 'verify-answer verify-empty'} aria-live="polite">
          {!file && <p className="muted">The answer shows here.</p>}
          {file && answer.error && <ErrorNotice error={answer.error} retry={answer.reload} />}
          {file && !answer.data && !answer.error && <Loading what="the answer" />}
          {file && answer.data && answer.data.hash === file.hash && (
            <Answer file={file} answer={answer.data} />
          )}
        </div>
      </div>
    </Page>
  );
}
