/** Identifiers and a founded supply chain for supply-rule tests. */
import { withCheckDigit } from '../../../shared/supply/gs1';
import { TestChain } from './test-chain';

/** A GTIN-14 with a valid check digit, from a number. */
export function gtin(n: number): string {
  return withCheckDigit(`0${String(9506000000000 + n).padStart(12, '0')}`.slice(-13)) as string;
}

/** An SSCC-18 with a valid check digit, from a number. */
export function sscc(n: number): string {
  return withCheckDigit(`0950600${String(n).padStart(10, '0')}`) as string;
}

/** Serials `prefix0001`… */
export function serials(count: number, prefix = 'SN', from = 1): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(from + i).padStart(6, '0')}`);
}

export const MAKER = 'acme-pharma';
export const DISTRIBUTOR = 'medline-dist';
export const PHARMACY = 'city-pharmacy';
export const HOSPITAL = 'st-mary-hospital';
export const REGULATOR = 'health-regulator';
export const CLINIC = 'northside-clinic';

/** Genesis 2030-01-01; the seven default founders, one of each kind. */
export function supplyChain(): TestChain {
  return TestChain.create({ founders: 7 });
}

export const PRODUCT = {
  name: 'Amoxicillin',
  strength: '500 mg',
  dosageForm: 'capsule' as const,
  packSize: 30,
};
