import { useEffect, useRef, type ReactNode } from 'react';

interface PageProps {
  title: ReactNode;
  /** Shown above the title, e.g. a link back to the list. */
  back?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}

/**
 * One screen. Focus moves to its heading when it opens, so keyboard and screen-reader users
 * land at the start of the new page rather than on a link that has disappeared.
 */
export function Page({ title, back, actions, children }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <main className="page" aria-labelledby="page-title">
      {back && <div className="page-back">{back}</div>}
      <header className="page-header">
        <h1 id="page-title" ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions && <div className="page-actions">{actions}</div>}
      </header>
      {children}
    </main>
  );
}
