/**
 * An SDK user in its own process, for the PcscTransport integration tests:
 *   node --import tsx pcsc-sdk-child.ts read <reader>
 *     waitForCard → MyNumberCard.connect → read the auth certificate → close both → prints
 *     "CERT <length> <sha-256 hex>" then "CLOSED", and ends WITHOUT process.exit(): the test
 *     checks that nothing keeps the process alive after close().
 *   node --import tsx pcsc-sdk-child.ts no-service <reader>
 *     listReaders() and waitForCard() with no PC/SC service; prints one "ERROR <json>" line each.
 */
import { createHash } from 'node:crypto';
import { MyNumberCard } from '../../src/aps/index.js';
import { listReaders, waitForCard } from '../../src/pcsc/index.js';

const [mode, reader] = process.argv.slice(2);

if (mode === 'read') {
  const transport = await waitForCard({ reader: reader!, timeoutMs: 15_000 });
  const card = await MyNumberCard.connect(transport);
  const der = await transport.withTransaction(() => card.jpki.readCertificate('auth'));
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
      const e = error as Error & { code?: string };
      console.log(`ERROR ${JSON.stringify({ name: e.name, code: e.code, message: e.message })}`);
    }
  }
} else {
  console.log(`unknown mode ${mode}`);
  process.exitCode = 2;
}
