import type { RpcErrorCode } from '../../shared/rpc/contract';

/** An error the node service reports to the console with a code the UI can act on. */
export class ServiceError extends Error {
  constructor(
    readonly code: RpcErrorCode,
    message: string,
    /** Field-level detail for a form: which parameter is wrong. */
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}
