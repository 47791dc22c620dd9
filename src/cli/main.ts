#!/usr/bin/env node
/**
 * The `mynacard` binary (built to `dist/cli.js`): wires the real process into `runCli`.
 * Ctrl-C / SIGTERM abort long-running commands (`sim`); the exit code is set, not forced,
 * except that a stray handle cannot keep the process alive for more than two seconds.
 * @packageDocumentation
 */
import { runCli } from './run.js';

const controller = new AbortController();
let signals = 0;
const onSignal = (): void => {
  signals++;
  controller.abort();
  // A second Ctrl-C ends the process at once.
  if (signals > 1) process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`mynacard: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
