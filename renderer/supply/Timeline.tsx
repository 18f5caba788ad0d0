import type { SupplyStep } from '../../shared/rpc/supply';
import { Badge } from '../components/Badge';
import { EmptyState } from '../components/States';
import { absoluteTime } from '../components/Time';
import { BlockLink, MemberName, TxLink } from './links';
import { BIZ_STEP_LABELS } from './words';

/** A step's business step in words; a return is a shipment too (CBV shipping, disposition returned). */
function stepLabel(step: SupplyStep): string {
  if (step.bizStep === 'shipping' && step.summary.startsWith('Return ')) return 'Returned';
  return BIZ_STEP_LABELS[step.bizStep] ?? step.bizStep;
}

/**
 * The story of a unit, container or shipment, oldest first: each step with who recorded it,
 * when the block says and when the member says it happened, where, its CBV business step, and
 * the block and transaction that hold it. An event later declared in error stays in the story,
 * marked, since the chain never forgets it.
 */
export function Timeline({ steps, label }: { steps: SupplyStep[]; label: string }) {
  if (steps.length === 0) {
    return <EmptyState>No event has been recorded yet.</EmptyState>;
  }
  return (
    <ol className="supply-timeline" aria-label={label}>
      {steps.map((step) => (
        <li
          key={step.txId}
          className={step.declaredInError ? 'timeline-step timeline-error' : 'timeline-step'}
          data-biz-step={step.bizStep}
        >
          <div className="timeline-marker" aria-hidden="true" />
          <div className="timeline-body">
            <p className="timeline-title">
              <strong>{stepLabel(step)}</strong> <span className="muted">by</span>{' '}
              <MemberName id={step.member} name={step.memberName} />
              {step.declaredInError && <Badge tone="bad">declared in error</Badge>}
            </p>
            <p className="timeline-summary">{step.summary}</p>
            <dl className="timeline-facts">
              <div>
                <dt>Recorded</dt>
                <dd>
                  <time dateTime={new Date(step.time).toISOString()}>
                    {absoluteTime(step.time)}
                  </time>{' '}
                  in <BlockLink height={step.height} />
                </dd>
              </div>
              {step.eventTime !== null && step.eventTime !== step.time && (
                <div>
                  <dt>Happened</dt>
                  <dd>
                    <time dateTime={new Date(step.eventTime).toISOString()}>
                      {absoluteTime(step.eventTime)}
                    </time>
                  </dd>
                </div>
              )}
              {step.bizLocation !== null && (
                <div>
                  <dt>Location</dt>
                  <dd>
                    GLN <code>{step.bizLocation}</code>
                  </dd>
                </div>
              )}
              <div>
                <dt>CBV step</dt>
                <dd>
                  <code>{step.bizStep}</code>
                </dd>
              </div>
              <div>
                <dt>Transaction</dt>
                <dd>
                  <TxLink id={step.txId} />
                </dd>
              </div>
            </dl>
          </div>
        </li>
      ))}
    </ol>
  );
}
