/**
 * vitest globalSetup of the integration project: start one private pcscd + vpcd for the whole
 * run, hand its coordinates to the test files (`inject('pcsc')`), stop it afterwards.
 *
 * Locally, a machine without the stack (not root, packages missing, another pcscd running) gets
 * `{ ok: false, reason }` and the integration suites report themselves skipped with that reason.
 * On CI (`CI=true`) the same situation fails the run: a missing stack is never a silent skip.
 */
import type { TestProject } from 'vitest/node';
import { isCi, pcscAvailable, startPcscStack, stopPcscStack, type PcscStack } from './pcsc-stack.js';

/** What the test files receive through `inject('pcsc')`. */
export type InjectedPcsc = { ok: true; stack: PcscStack } | { ok: false; reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    pcsc: InjectedPcsc;
  }
}

/** Locally, say loudly why the PC/SC suites are skipped (the default reporter shows no titles). */
function skipLocally(project: TestProject, reason: string): () => Promise<void> {
  process.stderr.write(`\nintegration: PC/SC suites SKIPPED: ${reason}\n(on CI, CI=true, this is a failure)\n\n`);
  project.provide('pcsc', { ok: false, reason });
  return async () => {};
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const available = pcscAvailable();
  if (!available.ok) {
    if (isCi()) throw new Error(`CI=true but the PC/SC stack cannot run: ${available.reason}`);
    return skipLocally(project, available.reason);
  }
  let stack: PcscStack;
  try {
    stack = await startPcscStack();
  } catch (err) {
    const reason = (err as Error).message;
    if (isCi()) throw new Error(`CI=true but pcscd did not start: ${reason}`, { cause: err });
    return skipLocally(project, reason);
  }
  if (isCi() && !stack.quickAck) {
    // Not fatal: every APDU then takes ~40-90 ms instead of <1 ms; the suites still fit.
    process.stderr.write('integration: quick-ACK route unavailable, APDUs will be slow\n');
  }
  project.provide('pcsc', { ok: true, stack });
  return async () => {
    await stopPcscStack(stack);
  };
}
