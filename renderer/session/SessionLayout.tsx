import type { ReactNode } from 'react';

/** The frame of the screens shown before the console itself: no navigation yet. */
export function SessionLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="session-layout">
      <main className="session-card" aria-labelledby="session-title">
        <p className="brand">CareChain Console</p>
        <h1 id="session-title">{title}</h1>
        {children}
      </main>
    </div>
  );
}
