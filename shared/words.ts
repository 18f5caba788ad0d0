/** "1 approval", "2 approvals": a count with its noun, for the console and the CLI alike. */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
