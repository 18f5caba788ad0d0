import { Link, useNavigate } from '@tanstack/react-router';
import { useState, type FormEvent } from 'react';
import { DOCUMENT_KINDS, KIND_NAMES } from '../../shared/research/schemas';
import { registryIdProblem } from '../../shared/research/study-id';
import type { StudyView } from '../../shared/rpc/research';
import { useProfile } from '../app/profile';
import { MemberLink } from '../blocks/MemberLink';
import { Badge } from '../components/Badge';
import { Page } from '../components/Page';
import { EmptyState, ErrorNotice, Loading } from '../components/States';
import { absoluteTime } from '../components/Time';
import { sentence } from '../components/text';
import { useResearchQuery } from '../stores/research-store';
import { studySha256 } from './hash';
import { StudyLink } from './links';

/** Studies on one page; the contract allows 200. */
const STUDIES_SHOWN = 50;

/** `<lastHeight>~<study>`: the last study of the page before, as the address writes it. */
export interface StudiesCursor {
  lastHeight: number;
  study: string;
}

/** "protocol v2 · outcome definitions v1 · result set v1": how far each kind has come. */
function documentsText(study: StudyView): string {
  return DOCUMENT_KINDS.filter((k) => study.versions[k] > 0)
    .map((k) => `${KIND_NAMES[k]} v${study.versions[k]}`)
    .join(' · ');
}

function FindStudy() {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const wrong = registryIdProblem(text);
    if (wrong) {
      setProblem(sentence(wrong));
      return;
    }
    const study = await studySha256(text);
    void navigate({ to: '/research/studies/$study', params: { study } });
  };
  return (
    <form className="search" role="search" onSubmit={(event) => void onSubmit(event)} noValidate>
      <label htmlFor="study-search">Find a study by its registry id</label>
      <p className="field-hint" id="study-search-hint">
        The id is hashed here, as it was when the study was anchored: only its SHA-256 is looked up.
      </p>
      <div className="search-row">
        <input
          id="study-search"
          type="search"
          className="input-mono"
          placeholder="NCT01234567"
          maxLength={80}
          value={text}
          aria-describedby={`study-search-hint${problem ? ' study-search-error' : ''}`}
          aria-invalid={problem ? true : undefined}
          onChange={(event) => {
            setText(event.currentTarget.value);
            setProblem(null);
          }}
        />
        <button type="submit" className="button-secondary">
          Find
        </button>
      </div>
      {problem && (
        <p className="field-error" id="study-search-error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

function StudyTable({ studies, me }: { studies: StudyView[]; me: string }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Studies">
        <thead>
          <tr>
            <th scope="col">Study</th>
            <th scope="col">Sponsor</th>
            <th scope="col">Documents anchored</th>
            <th scope="col">Last anchored</th>
            <th scope="col">First anchored</th>
          </tr>
        </thead>
        <tbody>
          {studies.map((study) => (
            <tr key={study.study} data-study={study.study}>
              <th scope="row">
                <StudyLink study={study.study} />
                {study.sponsor === me && (
                  <>
                    {' '}
                    <Badge tone="info">yours</Badge>
                  </>
                )}
              </th>
              <td>
                <MemberLink id={study.sponsor} />
              </td>
              <td>
                {study.anchors} <span className="muted">({documentsText(study)})</span>
              </td>
              <td className="nowrap">
                <Link to="/blocks/$height" params={{ height: study.lastHeight }}>
                  block {study.lastHeight}
                </Link>
                <div className="cell-sub">{absoluteTime(study.lastTime)}</div>
              </td>
              <td className="nowrap">
                <Link to="/blocks/$height" params={{ height: study.createdHeight }}>
                  block {study.createdHeight}
                </Link>
                <div className="cell-sub">{absoluteTime(study.createdTime)}</div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** `#/research/studies?mine=yes&before=<height>~<study>`: studies, most recently anchored first. */
export function StudiesPage({ mine, before }: { mine: boolean; before: StudiesCursor | null }) {
  const profile = useProfile();
  const studies = useResearchQuery('research.studies', {
    limit: STUDIES_SHOWN,
    ...(mine ? { sponsor: profile.memberId } : {}),
    ...(before ? { before } : {}),
  });
  const list = studies.data;
  const last = list?.at(-1);
  const filter = (value: boolean) => ({ mine: value ? ('yes' as const) : undefined });
  return (
    <Page
      title="Studies"
      actions={
        <Link to="/research/anchor" className="button-link button-primary">
          Anchor a file
        </Link>
      }
    >
      <p className="lede">
        Clinical trials whose documents are anchored on the chain: each study is known only by the
        SHA-256 of its registry id, each document by the SHA-256 of its file.
      </p>
      <div className="toolbar">
        <FindStudy />
        <nav className="segmented" aria-label="Whose studies">
          <Link
            to="/research/studies"
            search={filter(false)}
            aria-current={mine ? undefined : 'page'}
          >
            All studies
          </Link>
          <Link
            to="/research/studies"
            search={filter(true)}
            aria-current={mine ? 'page' : undefined}
          >
            Sponsored by {profile.memberName}
          </Link>
        </nav>
      </div>
      {studies.error && <ErrorNotice error={studies.error} retry={studies.reload} />}
      {!list && !studies.error && <Loading what="the studies" />}
      {list && list.length === 0 && (
        <EmptyState>
          {before
            ? 'No older studies.'
            : mine
              ? `${profile.memberName} sponsors no study on this chain yet.`
              : 'No study has been anchored on this chain yet.'}
        </EmptyState>
      )}
      {list && list.length > 0 && <StudyTable studies={list} me={profile.memberId} />}
      <nav className="pager" aria-label="Study pages">
        {before && (
          <Link to="/research/studies" search={filter(mine)}>
            ← Newest
          </Link>
        )}
        {list && list.length === STUDIES_SHOWN && last && (
          <Link
            to="/research/studies"
            search={{ ...filter(mine), before: `${last.lastHeight}~${last.study}` }}
          >
            Older →
          </Link>
        )}
      </nav>
    </Page>
  );
}
