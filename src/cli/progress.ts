/**
 * A one-line progress bar on stderr for long reads (the card face, a certificate over a slow
 * reader). Drawn only when both stdout and stderr are terminals and `--json` is off, so
 * pipes, files and CI logs never receive control characters.
 * @packageDocumentation
 */
import type { ReadProgress } from '../aps/read-file.js';
import type { CliIo } from './io.js';

/** Bar width in cells. */
const BAR_CELLS = 24;

/** A progress reporter: `onProgress` for the SDK's read options, `done` to clear the line. */
export interface Progress {
  /** Pass as `onProgress` (undefined when the bar is off, so the SDK skips the callbacks). */
  readonly onProgress: ((progress: ReadProgress) => void) | undefined;
  /** Clear the bar's line. */
  done(): void;
}

/** Render one frame, e.g. `Reading the card face [############------------]  50% 3.5/7.0 KiB`. */
export function renderProgress(label: string, progress: ReadProgress): string {
  const ratio = progress.total > 0 ? Math.min(1, progress.loaded / progress.total) : 0;
  const filled = Math.round(ratio * BAR_CELLS);
  const kib = (n: number): string => (n / 1024).toFixed(1);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_CELLS - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${kib(progress.loaded)}/${kib(progress.total)} KiB`;
}

/** A progress bar for `label`, or a silent reporter when the output is not interactive. */
export function createProgress(io: CliIo, label: string, json: boolean): Progress {
  const enabled = !json && io.stdout.isTTY === true && io.stderr.isTTY === true;
  if (!enabled) return { onProgress: undefined, done: () => undefined };
  let drawn = false;
  return {
    onProgress: (progress) => {
      io.stderr.write(`\r${renderProgress(label, progress)}`);
      drawn = true;
    },
    done: () => {
      if (drawn) io.stderr.write('\r\u001b[K');
      drawn = false;
    },
  };
}
