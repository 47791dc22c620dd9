/**
 * Files named on the command line: reading with the reason of a failure, and writing outputs
 * safely. An output is never written through a symbolic link, never replaces an input, and
 * replaces an existing file only with `--force`; it is written to a new 0600 temporary file
 * in the same folder and renamed into place, so a reader never sees half a file and the data
 * never lands in a file someone else prepared.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, realpath, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The Node error code (`ENOENT`, `EACCES`, …) of a file-system error, if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]{1,20}$/.test(code) ? code : undefined;
}

/** Why an output file is refused before anything is done. */
export type OutputProblem = 'exists' | 'symlink' | 'not-file' | 'dir-missing' | 'is-input';

/** The real path of `path`, which may not exist yet: the real path of its folder plus its name. */
export async function outputIdentity(path: string): Promise<string> {
  return join(await realpath(dirname(path)), basename(path));
}

/**
 * Check that `path` (absolute) may be written: not a symbolic link (checked with `lstat`, so a
 * link is refused even with `force`), not a folder or device, its folder exists, it is none of
 * `inputs` (real paths), and it does not exist unless `force`.
 *
 * @returns the problem, or `undefined` when the file may be written
 */
export async function checkOutput(
  path: string,
  options: { readonly force: boolean; readonly inputs: ReadonlySet<string> },
): Promise<OutputProblem | undefined> {
  let existing: Awaited<ReturnType<typeof lstat>> | undefined;
  try {
    existing = await lstat(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  if (existing?.isSymbolicLink() === true) return 'symlink';
  if (existing !== undefined && !existing.isFile()) return 'not-file';
  let identity: string;
  try {
    identity = await outputIdentity(path);
  } catch {
    return 'dir-missing';
  }
  if (options.inputs.has(identity)) return 'is-input';
  if (existing !== undefined && !options.force) return 'exists';
  return undefined;
}

/**
 * Write `data` to `path` (absolute): a new temporary file `.<name>.<random>.tmp` in the same
 * folder, created exclusively (`O_EXCL`, so it never follows a planted link) with mode 0600,
 * flushed, then renamed over `path`. A replaced file's mode and owner are not kept: the result
 * is always a new 0600 file. On failure the temporary file is removed.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    try {
      await handle.chmod(0o600); // whatever the umask
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
