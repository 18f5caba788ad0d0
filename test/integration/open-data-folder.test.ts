import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NoDataFolderError, openDataFolder } from '../../main/service/startup';
import { tempDir } from '../support/cli';

describe('openDataFolder', () => {
  const root = tempDir('carechain-open-folder-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('makes a folder that is not there, by default', () => {
    const dir = path.join(root, 'made');
    const { lock } = openDataFolder(dir);
    lock.release();
    expect(existsSync(path.join(dir, 'node.lock'))).toBe(true);
  });

  it('with create false, refuses a folder that is not there and makes nothing', () => {
    const dir = path.join(root, 'mistyped');
    expect(() => openDataFolder(dir, { create: false })).toThrow(NoDataFolderError);
    expect(() => openDataFolder(dir, { create: false })).toThrow(`${dir} is not there`);
    expect(existsSync(dir)).toBe(false);
  });

  it('with create false, opens and locks a folder that is there', () => {
    const dir = path.join(root, 'there');
    mkdirSync(dir);
    const { paths, lock } = openDataFolder(dir, { create: false });
    try {
      expect(paths.root).toBe(dir);
      expect(() => openDataFolder(dir, { create: false })).toThrow(/another CareChain process/);
    } finally {
      lock.release();
    }
  });

  it('with create false, a path through a file is not called missing', () => {
    const file = path.join(root, 'a-file');
    writeFileSync(file, '');
    const dir = path.join(file, 'below');
    let thrown: unknown;
    try {
      openDataFolder(dir, { create: false }).lock.release();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown).not.toBeInstanceOf(NoDataFolderError);
  });
});
