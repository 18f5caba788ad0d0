/**
 * The action-name table: every signed transaction type has an action, every action signs a
 * type the ledger knows, and every RPC method that submits a transaction names its action.
 */
import { describe, expect, it } from 'vitest';
import { ACTIONS, ACTION_NAMES } from '../../shared/actions';
import { TX_TYPES } from '../../shared/registry';
import { METHOD_NAMES, methods } from '../../shared/rpc/contract';

describe('action names', () => {
  it('name a transaction type of the registry, and every type has one', () => {
    const txsOf = (name: (typeof ACTION_NAMES)[number]): readonly string[] => {
      const tx = ACTIONS[name].tx;
      return typeof tx === 'string' ? [tx] : tx;
    };
    const signed = new Set(ACTION_NAMES.flatMap(txsOf));
    for (const name of ACTION_NAMES) for (const tx of txsOf(name)) expect(TX_TYPES).toContain(tx);
    expect([...signed].sort()).toEqual([...TX_TYPES].sort());
  });

  it('are named by every RPC method that returns a submitted transaction', () => {
    const signing = METHOD_NAMES.filter((name) => 'signs' in methods[name]);
    for (const name of METHOD_NAMES) {
      const method = methods[name];
      const submits = method.result.safeParse({ txId: 'a'.repeat(64) }).success;
      if (submits) expect(signing).toContain(name);
    }
    for (const name of signing) {
      const method = methods[name] as { signs: string };
      expect(ACTION_NAMES).toContain(method.signs);
    }
    // A method that may sign without answering only a transaction id: verification, recorded
    // for some contexts.
    expect(
      signing.filter((name) => !methods[name].result.safeParse({ txId: 'a'.repeat(64) }).success),
    ).toEqual(['supply.verify', 'supply.epcis.import']);
  });
});
