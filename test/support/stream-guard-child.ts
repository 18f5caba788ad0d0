/**
 * A process that installs the node's stream-error guard, then throws what libp2p's yamux throws
 * from a microtask when a connection closes under it, then (if asked) any other error.
 */
import { StreamStateError } from '@libp2p/interface';
import { guardAgainstStreamStateErrors } from '../../main/network/transport/stream-error-guard';

guardAgainstStreamStateErrors((line) => console.log(line));
queueMicrotask(() => {
  throw new StreamStateError('stream closed');
});
setTimeout(() => {
  console.log('still running');
  if (process.argv[2] === 'then-fail') {
    queueMicrotask(() => {
      throw new Error('a real bug');
    });
  }
}, 50);
