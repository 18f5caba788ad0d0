// electron-builder cannot package on a machine without network (it downloads Electron), so the
// packaging config is checked here against the schema electron-builder itself validates with.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const schema: unknown = JSON.parse(
  readFileSync(`${root}/node_modules/app-builder-lib/scheme.json`, 'utf8'),
);
const config = load(readFileSync(`${root}/electron-builder.yml`, 'utf8')) as Record<
  string,
  unknown
>;

// strict: false only because the schema carries electron-builder's own "typeof" keyword; unknown
// properties are still refused by the schema's additionalProperties: false.
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema as object);

function errorsOf(candidate: unknown): string[] {
  return validate(candidate)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
}

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json', () => {
    expect(errorsOf(config)).toEqual([]);
  });

  it('passes electron-builder’s own loading and validation', async () => {
    const loaded = await getConfig(root, null, null);
    const quietLogger = { isEnabled: false, data: new Map(), add: () => {}, save: async () => {} };
    await expect(validateConfiguration(loaded, quietLogger)).resolves.toBeUndefined();
    expect(loaded.appId).toBe('org.carechain.console');
  });

  it('identifies the app and targets every desktop platform', () => {
    expect(config.appId).toBe('org.carechain.console');
    expect(config.productName).toBe('CareChain Console');
    expect(config).toMatchObject({
      linux: { target: ['AppImage', 'deb'] },
      mac: { target: 'dmg', hardenedRuntime: true },
      win: { target: 'nsis' },
      npmRebuild: true,
      asar: true,
    });
  });

  it('sets every security fuse', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packages the built app, its entry point and the unpacked SQLite binding', () => {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { main: string };
    const files = config.files as string[];
    expect(files).toContain('package.json');
    expect(pkg.main).toBe('out/electron/main.cjs');
    for (const built of ['out/electron/**', 'out/node/**', 'out/renderer/**']) {
      expect(files).toContain(built);
    }
    expect(config.asarUnpack).toEqual(['**/node_modules/better-sqlite3/**/*.node']);
  });

  describe('the same validator rejects', () => {
    it('an unknown top-level option', () => {
      expect(errorsOf({ ...config, notAnElectronBuilderOption: true })).toContainEqual(
        expect.stringContaining('must NOT have additional properties'),
      );
    });

    it('an unknown fuse', () => {
      const fuses = { ...(config.electronFuses as object), runAsRoot: false };
      expect(errorsOf({ ...config, electronFuses: fuses })).not.toEqual([]);
    });

    it('a fuse of the wrong type', () => {
      const fuses = { ...(config.electronFuses as object), runAsNode: 'no' };
      expect(errorsOf({ ...config, electronFuses: fuses })).toContainEqual(
        expect.stringContaining('/electronFuses/runAsNode must be boolean'),
      );
    });

    it('a wrongly typed top-level value', () => {
      expect(errorsOf({ ...config, npmRebuild: 'yes' })).toContainEqual(
        expect.stringContaining('/npmRebuild must be boolean'),
      );
    });
  });
});
