import { Link, type LinkProps } from '@tanstack/react-router';

/** One of a section's own pages, shown as a tab. */
export interface SectionTab<T extends string> {
  tab: T;
  label: string;
  to: LinkProps['to'];
}

/**
 * A section's pages as tabs under the top bar (Supply, Research): a navigation landmark named
 * after the section, the tab of the page on screen marked current.
 */
export function SectionTabs<T extends string>({
  label,
  tabs,
  current,
}: {
  label: string;
  tabs: readonly SectionTab<T>[];
  current: T | null;
}) {
  return (
    <nav aria-label={label} className="section-tabs">
      <ul>
        {tabs.map((item) => (
          <li key={item.tab}>
            <Link to={item.to} aria-current={item.tab === current ? 'page' : undefined}>
              {item.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
