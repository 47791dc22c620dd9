/**
 * An SDK user that lives through pcscd restarts (run with `node --expose-gc --import tsx`):
 *   pcsc-restart-child.ts <reader> <cycles> <process|in-process>
 * Each cycle: waitForCard → MyNumberCard.connect → read the auth certificate → "UP <i> <sha-256>";
 * then on stdin "down" (the test has stopped pcscd) it checks that listReaders() and the open
 * session fail with PcscServiceError, closes the session, forces garbage collection (pcsc-mini's
 * dead client is finalised here if anything lets go of it) → "DOWN <i>"; on "up" (pcscd is back)
 * the next cycle starts. After the last cycle: close, gc → "DONE", and the process must end by
 * itself with exit code 0. It installs no uncaughtException handler: anything thrown from a
 * finalizer ends the process with a non-zero code, which is what the test looks for.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { MyNumberCard } from '../../src/aps/index.js';
import { PcscContext, type PcscIsolation } from '../../src/pcsc/index.js';

const [reader, cyclesArg, isolation] = process.argv.slice(2);
const cycles = Number(cyclesArg);
// In-process, the dead clients' native finalizers are what must never run; isolated, the host
// process of each dead client must be ended.
const pcsc = new PcscContext({ isolation: isolation as PcscIsolation });
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const lines = createInterface({ input: process.stdin });
const queue: string[] = [];
const waiters: Array<(line: string) => void> = [];
lines.on('line', (line) => {
  const waiter = waiters.shift();
  if (waiter) waiter(line.trim());
  else queue.push(line.trim());
});
const next = (): Promise<string> => (queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiters.push(resolve)));
const errorName = (error: unknown): string => `${(error as Error).name}/${(error as { code?: string }).code}`;

/** Poll listReaders() until it fails (at most 5 s); its error, or 'none'. */
async function serviceGone(): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await pcsc.listReaders();
    } catch (error) {
      return errorName(error);
    }
    if (Date.now() > deadline) return 'none';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Several collections with turns of the event loop between them, so that finalizers run. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (let i = 0; i < cycles; i++) {
  const transport = await pcsc.waitForCard({ reader: reader!, timeoutMs: 20_000 });
  const card = await MyNumberCard.connect(transport);
  const der = await card.jpki.readCertificate('auth');
  console.log(`UP ${i} ${createHash('sha256').update(der).digest('hex')}`);
  if ((await next()) !== 'down') throw new Error('expected "down"');
  const failures: string[] = [];
  try {
    await card.jpki.remainingTries('auth');
    failures.push('none');
  } catch (error) {
    failures.push(errorName(error));
  }
  // The monitor reports the lost service asynchronously (its thread, or the host process, has
  // to notice first): until then listReaders() may still answer from what it saw. It must
  // report the service gone within a bounded time.
  failures.push(await serviceGone());
  await card.close().catch(() => undefined);
  await transport.close();
  await collect();
  console.log(`DOWN ${i} ${failures.join(' ')}`);
  if ((await next()) !== 'up') throw new Error('expected "up"');
}
lines.close();
await collect();
console.log('DONE');
