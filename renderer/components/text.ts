/** Node messages are written to be embedded ("the passphrase has…"); start them as sentences. */
export function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

export { plural } from '../../shared/words';
