import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app/App';
import { connectRpc } from './rpc/client';
import './styles/console.css';

// The console runs under a CSP without 'unsafe-eval': keep zod from probing for `new Function`.
z.config({ jitless: true });

// Must run before the first render: every screen calls the node service through it.
const connected = connectRpc();

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks #root');
createRoot(container).render(
  <StrictMode>
    <App connected={connected} />
  </StrictMode>,
);
