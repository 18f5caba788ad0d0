/** The official EPCIS 2.0 JSON Schemas (test/vectors/epcis/schema), compiled with Ajv 8. */
import { readdirSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { readVectorJson, vectorPath } from './vectors';

// RFC 3986 absolute URI (scheme, then URI characters) and RFC 3339 date-time: the two formats
// the EPCIS schema uses. Ajv 8 ships no formats; these are checked, not ignored.
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function ajv(): Ajv {
  const a = new Ajv({ allErrors: true, strict: false });
  a.addFormat('uri', URI);
  a.addFormat('date-time', DATE_TIME);
  return a;
}

/** The one-file EPCIS 2.0 JSON Schema and the modular one, compiled. */
export function epcisValidators(): { single: ValidateFunction; modular: ValidateFunction } {
  const single = ajv().compile(
    readVectorJson('epcis', 'schema', 'EPCIS-JSON-Schema.json') as object,
  );
  const modular = ajv();
  const dir = vectorPath('epcis', 'schema', 'modular');
  for (const file of readdirSync(`${dir}/schemas`))
    modular.addSchema(readVectorJson('epcis', 'schema', 'modular', 'schemas', file) as object);
  for (const file of ['EPCIS-Document-JSON-Schema.json', 'EPCIS-Event-JSON-Schema.json'])
    modular.addSchema(readVectorJson('epcis', 'schema', 'modular', file) as object);
  const root = modular.compile(
    readVectorJson('epcis', 'schema', 'modular', 'EPCIS-JSON-Schema-root.json') as object,
  );
  return { single, modular: root };
}

export function schemaErrors(validate: ValidateFunction, document: unknown): string[] {
  return validate(document)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}
