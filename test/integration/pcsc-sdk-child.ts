/**
 * An SDK user in its own process, for the PcscTransport integration tests:
 *   node --import tsx pcsc-sdk-child.ts read <reader>
 *     waitForCard → MyNumberCard.connect → read the auth certificate → close both → prints
 *     "CERT <length> <sha-256 hex>" then "CLOSED", and ends WITHOUT process.exit(): the test
 *     checks that nothing keeps the process alive after close().
 *   node --import tsx pcsc-sdk-child.ts no-service <reader>
 *     listReaders() and waitForCard() with no PC/SC service; prints one "ERROR <json>" line each.
 *   node --import tsx pcsc-sdk-child.ts pcscd-stops <reader>
 *     connects and watches the readers → "READY"; on stdin "go" (the test has stopped pcscd):
 *     a certificate read and listReaders() → one "ERROR <json>" line each, the watcher's end →
 *     "WATCH <json>", close() → "CLOSED", and ends without process.exit().
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { MyNumberCard } from '../../src/aps/index.js';
import { listReaders, waitForCard, watchReaders } from '../../src/pcsc/index.js';

const describeError = (error: unknown): string => {
  const e = error as Error & { code?: string };
  return JSON.stringify({ name: e.name, code: e.code, message: e.message });
};

const [mode, reader] = process.argv.slice(2);

if (mode === 'read') {
  const transport = await waitForCard({ reader: reader!, timeoutMs: 15_000 });
  const card = await MyNumberCard.connect(transport);
  const der = await card.jpki.readCertificate('auth');
  console.log(`CERT ${der.length} ${createHash('sha256').update(der).digest('hex')}`);
  await card.close();
  await transport.close();
  console.log('CLOSED');
} else if (mode === 'no-service') {
  for (const call of [() => listReaders(), () => waitForCard({ reader: reader!, timeoutMs: 2000 })]) {
    try {
      await call();
      console.log('ERROR none');
    } catch (error) {
      console.log(`ERROR ${describeError(error)}`);
    }
  }
} else if (mode === 'pcscd-stops') {
  const transport = await waitForCard({ reader: reader!, timeoutMs: 15_000 });
  const card = await MyNumberCard.connect(transport);
  const watcher = watchReaders({ initial: false });
  const watching = (async () => {
    try {
      for await (const event of watcher) if (event.type === 'reader-removed') continue;
      return 'done';
    } catch (error) {
      return describeError(error);
    }
  })();
  const stdin = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => stdin.on('line', (line) => line.trim() === 'go' && resolve()));
  console.log('READY');
  await go;
  stdin.close();
  for (const call of [() => card.jpki.readCertificate('auth'), () => listReaders()]) {
    try {
      await call();
      console.log('ERROR none');
    } catch (error) {
      console.log(`ERROR ${describeError(error)}`);
    }
  }
  console.log(`WATCH ${await watching}`);
  await transport.close();
  console.log('CLOSED');
} else {
  console.log(`unknown mode ${mode}`);
  process.exitCode = 2;
}
