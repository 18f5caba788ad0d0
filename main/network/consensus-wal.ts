// The consensus journal's file (docs/consensus.md §9, rule 6): network/consensus-wal/journal in
// the data folder, apart from chain.db (peers' messages never reach the replica this way) and
// from sign-state/. Appends go to the end of the file; `sync` is an fdatasync, asked for before
// every signature; a rewrite (a new height, or the size bound) is a temporary file, fsynced,
// renamed over the journal, and the folder fsynced. Synchronous, like the signing record: the
// driver journals a message and acts on it in one call.
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { JournalStore } from '../../shared/consensus/journal';
import { fsyncFolder } from './sign-state';

export const CONSENSUS_WAL_DIR = path.join('network', 'consensus-wal');

export function consensusWalFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), CONSENSUS_WAL_DIR, 'journal');
}

export class FileJournalStore implements JournalStore {
  private fd: number | null = null;

  constructor(readonly name: string) {}

  static inFolder(dataDir: string): FileJournalStore {
    return new FileJournalStore(consensusWalFile(dataDir));
  }

  load(): Uint8Array {
    try {
      return readFileSync(this.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Uint8Array(0);
      throw error;
    }
  }

  append(bytes: Uint8Array): void {
    const fd = this.open();
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(fd, bytes, written, bytes.length - written);
    }
  }

  sync(): void {
    if (this.fd !== null) fdatasyncSync(this.fd);
  }

  replace(bytes: Uint8Array): void {
    this.close();
    const dir = path.dirname(this.name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.name}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      let written = 0;
      while (written < bytes.length) {
        written += writeSync(fd, bytes, written, bytes.length - written);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.name);
    fsyncFolder(dir);
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    closeSync(fd);
  }

  private open(): number {
    if (this.fd === null) this.fd = openSync(this.name, 'a', 0o600);
    return this.fd;
  }
}
