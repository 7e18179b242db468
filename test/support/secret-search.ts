/**
 * Looks for secrets in every file of a data directory (decoded as leveldb-files.ts does): known
 * bytes in raw, base64 and hex form, and every base64 run that the directory's own root key unwraps
 * under a given context (dynalite keeps binary attributes as base64 text). The second search needs
 * no knowledge of what was stored: it finds any wrapped copy, old or current, of what it is asked about.
 */
import type { RootKey, WrapContext } from '../../lambda/core/ports';
import { readDataDirectory } from './leveldb-files';

export interface Needle {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface Hit {
  readonly name: string;
  readonly path: string;
}

/** Files that contain any needle as raw bytes, base64 (padded or not), base64url or hex. */
export function findBytes(dataDir: string, needles: readonly Needle[]): Hit[] {
  const files = readDataDirectory(dataDir);
  const hits: Hit[] = [];
  for (const needle of needles) {
    const b = Buffer.from(needle.bytes);
    const forms = [b, Buffer.from(b.toString('base64').replace(/=+$/, '')), Buffer.from(b.toString('base64url')), Buffer.from(b.toString('hex'))];
    for (const file of files) {
      if (file.views.some((view) => forms.some((form) => view.includes(form)))) hits.push({ name: needle.name, path: file.path });
    }
  }
  return hits;
}

export interface UnwrapTarget {
  readonly name: string;
  readonly context: WrapContext;
}

export interface Unwrapped extends Hit {
  readonly blob: Buffer;
  readonly plaintext: Buffer;
}

const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;

/** Every base64 run in the directory that `rootKey` unwraps under one of the targets' contexts. */
export async function findUnwrappable(dataDir: string, rootKey: RootKey, targets: readonly UnwrapTarget[]): Promise<Unwrapped[]> {
  const hits: Unwrapped[] = [];
  for (const file of readDataDirectory(dataDir)) {
    const candidates = new Set<string>();
    for (const view of file.views) for (const match of view.toString('latin1').matchAll(BASE64_RUN)) candidates.add(match[0]);
    for (const candidate of candidates) {
      const blob = Buffer.from(candidate, 'base64');
      for (const target of targets) {
        try {
          const plaintext = Buffer.from(await rootKey.unwrap(blob, target.context));
          hits.push({ name: target.name, path: file.path, blob, plaintext });
        } catch {
          // not this one
        }
      }
    }
  }
  return hits;
}
