/*
 * js-libp2p 3 (and, through mortice → it-queue, js-libp2p 2 as well) calls Promise.withResolvers,
 * which V8 has only from Node 22; this project supports Node 20 (package.json engines, CI), where
 * the call throws inside the stream and muxer code and the connection dies. This installs the
 * ES2024 built-in with its specified behaviour, only where the platform lacks it, so on Node 22+
 * and in Electron nothing changes. It must be imported before anything of libp2p runs: every
 * module of main/network/transport/ that uses libp2p imports it first. Delete it when the engines
 * field moves to Node 22.
 */

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseWithResolvers = Promise as PromiseConstructor & {
  withResolvers?: <T>() => Resolvers<T>;
};

if (typeof PromiseWithResolvers.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    enumerable: false,
    // The spec's steps (ECMA-262 27.2.4.8): NewPromiseCapability(this), returned as a record.
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
