import { useNavigate } from '@tanstack/react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Result, RpcError } from '../../shared/rpc/contract';
import { Serial } from '../../shared/supply/schemas';
import { ErrorNotice, Spinner } from '../components/States';
import { sentence } from '../components/text';
import { rpc } from '../rpc/client';
import { asRpcError } from '../rpc/rpc-response';
import { useOnBlock } from '../app/on-block';
import { ContainerLink, MemberName, UnitLink, UnitStatusBadge } from './links';
import { count } from './words';

type LotUnit = Result<'supply.lots.units'>[number];

/** Units asked for at a time, by serial; the contract allows 500. */
const PAGE = 500;
const ROW_HEIGHT = 38;
const VIEW_HEIGHT = 440;

interface Loaded {
  rows: LotUnit[];
  /** Every unit of the lot has been loaded. */
  done: boolean;
}

/** Pages of a lot's units from the start, until `atLeast` rows (or the end) are in. */
async function loadFromStart(gtin: string, lot: string, atLeast: number): Promise<Loaded> {
  const rows: LotUnit[] = [];
  for (;;) {
    const after = rows.at(-1)?.serial;
    const page = await rpc().call('supply.lots.units', {
      gtin,
      lot,
      limit: PAGE,
      ...(after === undefined ? {} : { after }),
    });
    rows.push(...page);
    if (page.length < PAGE) return { rows, done: true };
    if (rows.length >= atLeast) return { rows, done: false };
  }
}

function JumpToSerial({ gtin }: { gtin: string }) {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const serial = text.trim();
    const parsed = Serial.safeParse(serial);
    if (!parsed.success) {
      setError(sentence(parsed.error.issues[0]?.message ?? 'not a serial number'));
      return;
    }
    void navigate({ to: '/supply/units/$gtin/$serial', params: { gtin, serial } });
  };
  return (
    <form className="jump-serial" onSubmit={onSubmit} noValidate>
      <label htmlFor="jump-serial">Open a serial</label>
      <div className="search-row">
        <input
          id="jump-serial"
          type="text"
          className="input-mono"
          value={text}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'jump-serial-error' : undefined}
          onChange={(event) => {
            setText(event.currentTarget.value);
            setError(null);
          }}
        />
        <button type="submit" className="button-secondary">
          Open
        </button>
      </div>
      {error && (
        <p className="field-error" id="jump-serial-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function Where({ unit }: { unit: LotUnit }) {
  switch (unit.status) {
    case 'active':
      return (
        <>
          With <MemberName id={unit.custodian} name={unit.custodianName} />
        </>
      );
    case 'in-transit':
      return (
        <>
          On its way from <MemberName id={unit.custodian} name={unit.custodianName} />
        </>
      );
    default:
      return (
        <>
          Last held by <MemberName id={unit.custodian} name={unit.custodianName} />
        </>
      );
  }
}

/**
 * A lot's units and where each is now, by serial. The list is virtual: only the rows in view
 * are drawn, and units are fetched a page at a time as the list is scrolled, so a lot of any
 * size opens at once. What has been loaded is fetched again after every block.
 */
export function LotUnits({ gtin, lot, total }: { gtin: string; lot: string; total: number }) {
  const [loaded, setLoaded] = useState<Loaded>({ rows: [], done: false });
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<RpcError | null>(null);
  const busy = useRef(false);
  const scroller = useRef<HTMLDivElement>(null);

  const load = useCallback(
    async (atLeast: number) => {
      if (busy.current) return;
      busy.current = true;
      setLoading(true);
      try {
        setLoaded(await loadFromStart(gtin, lot, atLeast));
        setError(null);
      } catch (failure) {
        setError(asRpcError(failure));
      } finally {
        busy.current = false;
        setLoading(false);
      }
    },
    [gtin, lot],
  );

  const loadMore = useCallback(async () => {
    if (busy.current) return;
    busy.current = true;
    setLoading(true);
    try {
      const after = loaded.rows.at(-1)?.serial;
      const page = await rpc().call('supply.lots.units', {
        gtin,
        lot,
        limit: PAGE,
        ...(after === undefined ? {} : { after }),
      });
      setLoaded({ rows: [...loaded.rows, ...page], done: page.length < PAGE });
      setError(null);
    } catch (failure) {
      setError(asRpcError(failure));
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, [gtin, lot, loaded]);

  useEffect(() => {
    void load(PAGE);
  }, [load]);
  useOnBlock(() => void load(Math.max(loaded.rows.length, PAGE)));

  const rowCount = loaded.rows.length + (loaded.done ? 0 : 1);
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  useEffect(() => {
    if (!loaded.done && !loading && error === null && lastIndex >= loaded.rows.length - 1) {
      void loadMore();
    }
  }, [lastIndex, loaded, loading, error, loadMore]);

  const height = Math.min(VIEW_HEIGHT, Math.max(1, rowCount) * ROW_HEIGHT);
  return (
    <div className="lot-units">
      <div className="section-header">
        <p className="muted" role="status">
          {loaded.rows.length === 0 && loading
            ? 'Loading units…'
            : `${count(loaded.rows.length)} of ${count(total)} units loaded, by serial${loaded.done ? '' : '; scroll for more'}.`}
        </p>
        <JumpToSerial gtin={gtin} />
      </div>
      {error && <ErrorNotice error={error} retry={() => void load(loaded.rows.length || PAGE)} />}
      <div className="vtable" role="table" aria-label="Units of this lot" aria-rowcount={total + 1}>
        <div role="rowgroup">
          <div className="vtable-row vtable-head" role="row" aria-rowindex={1}>
            <span role="columnheader">Serial</span>
            <span role="columnheader">Status</span>
            <span role="columnheader">Where it is now</span>
            <span role="columnheader">In container</span>
          </div>
        </div>
        <div
          ref={scroller}
          className="vtable-scroll"
          style={{ height }}
          role="rowgroup"
          tabIndex={0}
          aria-label="Units, scroll for more"
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const unit = loaded.rows[item.index];
              return (
                <div
                  key={item.key}
                  className="vtable-row"
                  role="row"
                  aria-rowindex={item.index + 2}
                  style={{
                    position: 'absolute',
                    top: 0,
                    left: 0,
                    right: 0,
                    height: item.size,
                    transform: `translateY(${item.start}px)`,
                  }}
                >
                  {unit ? (
                    <>
                      <span role="cell">
                        <UnitLink gtin={gtin} serial={unit.serial} />
                      </span>
                      <span role="cell">
                        <UnitStatusBadge status={unit.status} />
                      </span>
                      <span role="cell">
                        <Where unit={unit} />
                      </span>
                      <span role="cell">
                        {unit.parent ? (
                          <ContainerLink sscc={unit.parent} />
                        ) : (
                          <span className="muted">—</span>
                        )}
                      </span>
                    </>
                  ) : (
                    <span role="cell" className="vtable-loading">
                      <Spinner /> Loading more units…
                    </span>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
