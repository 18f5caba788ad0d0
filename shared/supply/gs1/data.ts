import { expiryFromYYMMDD } from './dates';
import type { AiElement, Gs1Data, Gs1Source } from './types';

type Extra = Pick<Gs1Data, 'symbology' | 'companyPrefix' | 'stem'>;

/**
 * The typed result of validated elements: the fields the supply domain uses are lifted out of
 * `ais`. Every value has been checked already, so the expiry date cannot fail here.
 */
export function toData(
  source: Gs1Source,
  elements: readonly AiElement[],
  referenceYear: number | null,
  extra: Extra = {},
): { ok: true } & Gs1Data {
  const ais: Record<string, string> = {};
  for (const { ai, value } of elements) ais[ai] = value;
  const expiryText = ais['17'];
  let expiry: string | undefined;
  if (expiryText !== undefined && referenceYear !== null) {
    const parsed = expiryFromYYMMDD(expiryText, referenceYear);
    if (parsed.ok) expiry = parsed.date;
  }
  const result: { ok: true } & Gs1Data = {
    ok: true,
    source,
    elements: elements.map(({ ai, value }) => ({ ai, value })),
    ais,
    ...(ais['01'] !== undefined && { gtin: ais['01'] }),
    ...(ais['21'] !== undefined && { serial: ais['21'] }),
    ...(ais['10'] !== undefined && { lot: ais['10'] }),
    ...(expiry !== undefined && { expiry }),
    ...(ais['00'] !== undefined && { sscc: ais['00'] }),
    ...(ais['414'] !== undefined && { gln: ais['414'] }),
    ...(ais['254'] !== undefined && { glnExtension: ais['254'] }),
    ...extra,
  };
  return result;
}
