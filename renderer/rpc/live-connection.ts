/** Whether live events currently reach the console; shown in the top bar. */
export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Implemented by transports whose event stream can drop. After a reconnect the console
 * refetches what it shows, since events sent while disconnected are lost.
 */
export interface LiveConnection {
  readonly liveState: LiveState;
  onLiveStateChange(listener: (state: LiveState) => void): () => void;
}
