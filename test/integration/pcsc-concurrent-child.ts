/**
 * The second SDK user of the two-process concurrency test (pcsc-concurrency.test.ts), in its
 * own process:
 *   node --import tsx pcsc-concurrent-child.ts <reader> <rounds> <pause ms>
 * connects (shared) → "READY"; on stdin "go": `rounds` times, each followed by a pause of
 * `pause ms` outside any transaction (the application's own work), on a fresh `MyNumberCard` session
 * over the same transport (so the certificate cache never hides the read), read the 署名用
 * CA certificate and query the 署名用 password's tries → "ROUND <i> <sha-256 of the cert> <tries>"
 * each; then close → "DONE", and ends without process.exit(). A failure prints "FAILED <json>"
 * and sets exit code 1.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { MyNumberCard } from '../../src/aps/index.js';
import { connect } from '../../src/pcsc/index.js';

const [reader, roundsText, pauseText] = process.argv.slice(2);
const rounds = Number(roundsText);
const pauseMs = Number(pauseText);

const transport = await connect(reader!);
try {
  const stdin = createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => stdin.on('line', (line) => line.trim() === 'go' && resolve()));
  console.log('READY');
  await go;
  stdin.close();
  for (let i = 0; i < rounds; i++) {
    const card = await MyNumberCard.connect(transport);
    try {
      const der = await card.jpki.readCertificate('sign-ca');
      const state = await card.jpki.remainingTries('sign');
      const tries = state.state === 'tries' ? state.remaining : -1;
      console.log(`ROUND ${i} ${createHash('sha256').update(der).digest('hex')} ${tries}`);
    } finally {
      await card.close();
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  console.log('DONE');
} catch (error) {
  const e = error as Error & { code?: string };
  console.log(`FAILED ${JSON.stringify({ name: e.name, code: e.code, message: e.message })}`);
  process.exitCode = 1;
} finally {
  await transport.close();
  process.stdin.destroy();
}
