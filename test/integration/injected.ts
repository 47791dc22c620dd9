/**
 * How an integration test file gets the stack started by global-setup.ts, and how it reports
 * itself skipped (locally only) when the stack is not there.
 */
import { inject } from 'vitest';
import type { InjectedPcsc } from './global-setup.js';
import { isCi } from './pcsc-stack.js';

/** The stack from global-setup.ts. On CI a missing stack throws (the file fails, never skips). */
export function injectedPcsc(): InjectedPcsc {
  const provided = inject('pcsc') as InjectedPcsc | undefined;
  const pcsc: InjectedPcsc = provided ?? {
    ok: false,
    reason: 'no PC/SC stack was started: run the integration project (vitest.integration.config.ts)',
  };
  if (!pcsc.ok && isCi()) throw new Error(`CI=true but the PC/SC stack is unavailable: ${pcsc.reason}`);
  return pcsc;
}

/** Suite title that carries the skip reason, so `describe.skipIf` says why. */
export function suiteTitle(title: string, pcsc: InjectedPcsc): string {
  return pcsc.ok ? title : `${title} [skipped: ${pcsc.reason}]`;
}
