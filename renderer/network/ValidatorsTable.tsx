import { Link } from '@tanstack/react-router';
import type { ValidatorView } from '../../shared/rpc/network';
import { Badge } from '../components/Badge';
import { plural } from '../components/text';
import { NodeName } from './PeersTable';
import { lastBlocks, percent, signedNone } from './words';

/** A share as a bar and in words; the words carry the meaning, the bar helps compare. */
function Participation({ validator, window }: { validator: ValidatorView; window: number }) {
  if (validator.participation === null) {
    return (
      <span className="muted">
        {window === 0 ? 'No blocks yet' : `Not a validator of ${lastBlocks(window)}`}
      </span>
    );
  }
  const share = validator.participation;
  return (
    <div className="participation">
      <div
        className="participation-bar"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(share * 100)}
        aria-label={`${validator.memberName} participation`}
      >
        <div
          className={
            validator.signed === 0 ? 'participation-fill participation-none' : 'participation-fill'
          }
          style={{ width: `${share * 100}%` }}
        />
      </div>
      <span className="participation-text">
        <strong>{percent(share)}</strong>{' '}
        <span className="muted">
          {validator.signed} of {plural(validator.eligible, 'block')}
        </span>
      </span>
    </div>
  );
}

function Connection({ validator, running }: { validator: ValidatorView; running: boolean }) {
  if (validator.self) return <Badge tone="info">this node</Badge>;
  if (!running) return <span className="muted">—</span>;
  return validator.connected ? (
    <Badge tone="good">connected</Badge>
  ) : (
    <Badge tone="warn">not connected</Badge>
  );
}

/**
 * The validators in force at the next height, each with the share of the latest certificates
 * that carry its signature: a validator that is down or cut off stops appearing in them.
 */
export function ValidatorsTable({
  validators,
  window,
  running,
  headingId,
}: {
  validators: ValidatorView[];
  window: number;
  running: boolean;
  headingId: string;
}) {
  return (
    <div className="table-wrap">
      <table className="table network-validators" aria-labelledby={headingId}>
        <thead>
          <tr>
            <th scope="col">Validator</th>
            <th scope="col">Connection</th>
            <th scope="col">Participation</th>
            <th scope="col" className="numeric">
              Last signed
            </th>
          </tr>
        </thead>
        <tbody>
          {validators.map((validator) => (
            <tr key={validator.nodeKey} data-validator={validator.member}>
              <th scope="row">
                <NodeName
                  member={validator.member}
                  name={validator.memberName}
                  nodeKey={validator.nodeKey}
                />
                {validator.proposing && (
                  <span className="cell-sub">
                    <Badge tone="info">proposer</Badge> of this round
                  </span>
                )}
              </th>
              <td>
                <Connection validator={validator} running={running} />
              </td>
              <td>
                <Participation validator={validator} window={window} />
              </td>
              <td className="numeric">
                {validator.lastSigned === null ? (
                  <span className="muted">{signedNone(window)}</span>
                ) : (
                  <Link
                    to="/blocks/$height"
                    params={{ height: validator.lastSigned }}
                    aria-label={`Block ${validator.lastSigned}`}
                  >
                    {validator.lastSigned}
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
