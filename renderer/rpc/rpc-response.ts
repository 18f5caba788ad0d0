import { z } from 'zod';
import {
  RpcError,
  RpcErrorBody,
  type MethodName,
  type Result,
  type RpcEvent,
  RpcEvent as RpcEventSchema,
} from '../../shared/rpc/contract';

/*
 * The envelope every transport answers with. Results themselves are validated by the node
 * service before they leave it; here we only make sure the envelope is what it claims to be,
 * so a broken or foreign answer becomes a clear RpcError rather than a crash deep in a screen.
 */
const Envelope = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: RpcErrorBody }),
]);

export function unwrapResponse<M extends MethodName>(body: unknown): Result<M> {
  const parsed = Envelope.safeParse(body);
  if (!parsed.success) {
    throw new RpcError('internal', 'The node service sent an answer the console cannot read.');
  }
  if (parsed.data.ok) return parsed.data.result as Result<M>;
  const { code, message, issues } = parsed.data.error;
  throw new RpcError(code, message, issues);
}

/** Events cross a process or network boundary: never trust their shape. */
export function parseEvent(data: unknown): RpcEvent | null {
  const parsed = RpcEventSchema.safeParse(data);
  return parsed.success ? parsed.data : null;
}

export function asRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RpcError('internal', message);
}
