import { useId, useState } from 'react';
import { MAX_CONTAINERS_PER_TX, MAX_UNITS_PER_TX } from '../../shared/supply/schemas';
import { plural } from '../components/text';
import { describeItems, itemKey, itemOfScan, type Item, type ItemKinds } from './items';
import { ProductLabel } from './links';
import { readScan, ScanBox } from './ScanBox';
import { count } from './words';

/** Lines of a pasted list that could not be read, with why. */
interface PasteProblem {
  line: number;
  text: string;
  problem: string;
}

function addItems(
  list: readonly Item[],
  added: readonly Item[],
): { next: Item[]; duplicates: number } {
  const seen = new Set(list.map(itemKey));
  const next = [...list];
  let duplicates = 0;
  for (const item of added) {
    const key = itemKey(item);
    if (seen.has(key)) {
      duplicates += 1;
      continue;
    }
    seen.add(key);
    next.push(item);
  }
  return { next, duplicates };
}

/** Reads a pasted list, one scan per line. */
function readPaste(text: string, kinds: ItemKinds): { items: Item[]; problems: PasteProblem[] } {
  const items: Item[] = [];
  const problems: PasteProblem[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    const result = readScan(line);
    if (!result) return;
    if (!result.ok) {
      problems.push({ line: index + 1, text: line.trim(), problem: result.error });
      return;
    }
    const item = itemOfScan(result, kinds);
    if (typeof item === 'string')
      problems.push({ line: index + 1, text: line.trim(), problem: item });
    else items.push(item);
  });
  return { items, problems };
}

const LIMITS_NOTE = `One transaction names at most ${count(MAX_UNITS_PER_TX)} units and ${count(MAX_CONTAINERS_PER_TX)} containers; a container counts as one item, whatever it holds.`;

/**
 * The items an event acts on, fed by the scan box (Enter adds what was scanned) or a pasted
 * list of scans, one per line. Each item links to its page and can be taken off the list; a
 * problem the node found with one item is shown on its row.
 */
export function ItemPicker({
  idPrefix,
  label,
  kinds,
  items,
  onChange,
  itemErrors,
  error,
  disabled,
}: {
  idPrefix: string;
  label: string;
  kinds: ItemKinds;
  items: Item[];
  onChange: (items: Item[]) => void;
  itemErrors: Record<string, string>;
  error: string | undefined;
  disabled: boolean;
}) {
  const headingId = useId();
  const [pasting, setPasting] = useState(false);
  const [pasteText, setPasteText] = useState('');
  const [pasteNote, setPasteNote] = useState<string | null>(null);
  const [problems, setProblems] = useState<PasteProblem[]>([]);

  const onScan = (data: Parameters<typeof itemOfScan>[0]): string | null => {
    const item = itemOfScan(data, kinds);
    if (typeof item === 'string') return item;
    const { next, duplicates } = addItems(items, [item]);
    if (duplicates > 0) return 'This item is already in the list.';
    onChange(next);
    return null;
  };

  const addPasted = () => {
    const read = readPaste(pasteText, kinds);
    const { next, duplicates } = addItems(items, read.items);
    onChange(next);
    setProblems(read.problems);
    const added = next.length - items.length;
    setPasteNote(
      [
        `Added ${plural(added, 'item')}.`,
        duplicates > 0
          ? `${plural(duplicates, 'item was', 'items were')} already in the list.`
          : '',
        read.problems.length > 0
          ? `${plural(read.problems.length, 'line')} could not be read: see below.`
          : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
    // Lines that were not read stay in the box to be fixed; the rest have been taken.
    setPasteText(read.problems.map((p) => p.text).join('\n'));
  };

  const scanHint =
    kinds === 'containers'
      ? 'Scan a case or pallet label (SSCC), then Enter.'
      : kinds === 'units'
        ? 'Scan each unit’s 2D code (GTIN and serial), then Enter.'
        : 'Scan each unit’s 2D code or a case or pallet label (SSCC), then Enter.';

  return (
    <fieldset className="item-picker" aria-labelledby={headingId} disabled={disabled}>
      <legend id={headingId}>{label}</legend>
      <p className="field-hint">{LIMITS_NOTE}</p>
      <ScanBox
        label="Scan an item"
        hint={scanHint}
        onScan={onScan}
        enterAction="add it to the list"
        disabled={disabled}
      />
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="item-list-header">
        <span>{items.length === 0 ? 'No items yet.' : `${describeItems(items)} in the list.`}</span>
        <button
          type="button"
          className="button-secondary button-small"
          aria-expanded={pasting}
          onClick={() => setPasting(!pasting)}
        >
          {pasting ? 'Close the list box' : 'Paste a list'}
        </button>
        {items.length > 0 && (
          <button
            type="button"
            className="button-secondary button-small"
            onClick={() => onChange([])}
          >
            Clear the list
          </button>
        )}
      </div>
      {pasting && (
        <div className="item-paste">
          <label htmlFor={`${idPrefix}-paste`}>Scans to add, one per line</label>
          <textarea
            id={`${idPrefix}-paste`}
            className="input-mono"
            rows={5}
            value={pasteText}
            spellCheck={false}
            onChange={(event) => setPasteText(event.currentTarget.value)}
          />
          <div className="form-actions">
            <button
              type="button"
              className="button-secondary"
              disabled={pasteText.trim() === ''}
              onClick={addPasted}
            >
              Add to the list
            </button>
            {pasteNote && <span className="muted">{pasteNote}</span>}
          </div>
          {problems.length > 0 && (
            <ul className="paste-problems" aria-label="Lines that could not be read">
              {problems.map((p) => (
                <li key={`${p.line}-${p.text}`}>
                  Line {p.line} (<code>{p.text}</code>): {p.problem}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {items.length > 0 && (
        <div className="item-list-scroll">
          <table className="table item-table" aria-label="Items">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Identifier</th>
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => {
                const key = itemKey(item);
                const problem = itemErrors[key];
                return (
                  <tr key={key} className={problem ? 'item-refused' : undefined}>
                    <td>{item.kind === 'unit' ? 'Unit' : 'Container'}</td>
                    <td>
                      {item.kind === 'unit' ? (
                        <>
                          <ProductLabel gtin={item.gtin} /> · serial <code>{item.serial}</code>
                        </>
                      ) : (
                        <>
                          SSCC <code>{item.sscc}</code>
                        </>
                      )}
                      {problem && (
                        <p className="field-error" role="alert">
                          {problem}
                        </p>
                      )}
                    </td>
                    <td className="numeric">
                      <button
                        type="button"
                        className="button-secondary button-small"
                        aria-label={`Remove ${item.kind === 'unit' ? `serial ${item.serial}` : `container ${item.sscc}`}`}
                        onClick={() => onChange(items.filter((i) => itemKey(i) !== key))}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </fieldset>
  );
}
