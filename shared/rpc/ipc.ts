/**
 * Names of the Electron IPC channels; the only place they are spelled. Kept apart from the
 * contract so the sandboxed preload can import them without bundling the schemas.
 */
export const IPC = { rpc: 'carechain:rpc', events: 'carechain:events' } as const;
