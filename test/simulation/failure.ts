/** A broken invariant: thrown from wherever it is found, caught by the run that reports it. */
export class SimFailure extends Error {
  constructor(
    readonly rule: string,
    readonly detail: string,
  ) {
    super(`${rule}: ${detail}`);
  }
}
