#!/usr/bin/env node
// Another PC/SC application for the PcscTransport integration tests, in its own process and
// on plain pcsc-mini (not the SDK). Line protocol on stdout/stdin:
//   node pcsc-other-app.mjs hold <reader> <apdu hex>
//     connect (shared), BEGIN TRANSACTION → "LOCKED"; on stdin "go": send the APDU inside the
//     transaction → "SENT <response hex>", END TRANSACTION → "RELEASED"; then disconnect and exit.
//   node pcsc-other-app.mjs try <reader> <apdu hex>
//     connect (shared) → "CONNECTED"; on stdin "go": "SENDING", send the APDU (no transaction;
//     pcscd holds it while another handle has a transaction) → "SENT <response hex>"; exit.
import { createInterface } from 'node:readline';
import * as pcsc from 'pcsc-mini';

const [mode, readerName, apduHex] = process.argv.slice(2);
const apdu = Uint8Array.from(Buffer.from(apduHex, 'hex'));
const hex = (b) => Buffer.from(b).toString('hex').toUpperCase();
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const waitGo = async () => {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error('stdin closed before "go"');
    if (value.trim() === 'go') return;
  }
};

const client = new pcsc.Client();
try {
  const reader = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no usable card in "${readerName}"`)), 10_000);
    client.on('reader', (r) => {
      if (r.name() !== readerName) return;
      r.on('change', (status) => {
        if (status.has(pcsc.ReaderStatus.PRESENT) && !status.has(pcsc.ReaderStatus.MUTE)) {
          clearTimeout(timer);
          resolve(r);
        }
      });
    });
    client.start();
  });
  const card = await reader.connect(pcsc.CardMode.SHARED);
  if (mode === 'hold') {
    const transaction = await card.transaction();
    console.log('LOCKED');
    await waitGo();
    const response = await card.transmit(apdu);
    console.log(`SENT ${hex(response)}`);
    await transaction.end(pcsc.CardDisposition.LEAVE);
    console.log('RELEASED');
  } else {
    console.log('CONNECTED');
    await waitGo();
    console.log('SENDING');
    const response = await card.transmit(apdu);
    console.log(`SENT ${hex(response)}`);
  }
  await card.disconnect(pcsc.CardDisposition.LEAVE);
} catch (error) {
  console.log(`FAILED ${error?.code ?? ''} ${error?.message ?? error}`);
  process.exitCode = 1;
} finally {
  // Never pcsc-mini's client.stop(): when its SCardCancel is lost it blocks the JS thread for
  // good (RELIABILITY.md §12, H2). process.exit() ends the process without it (stdout is a pipe:
  // written synchronously on Linux, nothing is lost).
  process.exit(process.exitCode ?? 0);
}
