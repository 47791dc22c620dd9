// A stand-in for pcsc-mini inside the PC/SC host process (MYNACARD_PCSC_HOST_MODULE), for
// test/pcsc/isolated.test.ts. One reader with a card that answers every command with 90 00.
// Client.stop() never returns, as pcsc-mini 0.1.3's can when SCardCancel is lost: the SDK must
// never call it in the host (it ends the host with SIGKILL instead).
import { EventEmitter } from 'node:events';

class Card {
  transmit(input) {
    return Promise.resolve(Uint8Array.of(input[1], 0x90, 0x00));
  }
  state() {
    return Promise.resolve({ atr: Uint8Array.of(0x3b, 0x00), protocol: 2, readerName: 'Fake Reader 00 00', status: { raw: 0x22 } });
  }
  protocol() {
    return 2;
  }
  transaction() {
    return Promise.resolve({ end: () => Promise.resolve() });
  }
  reconnect() {
    return Promise.resolve(2);
  }
  disconnect() {
    return Promise.resolve();
  }
}

class Reader extends EventEmitter {
  name() {
    return 'Fake Reader 00 00';
  }
  connect() {
    return Promise.resolve(new Card());
  }
}

export class Client extends EventEmitter {
  start() {
    if (process.env.FAKE_HOST_NO_SERVICE === '1') throw Object.assign(new Error('no service'), { code: 'NoService' });
    setTimeout(() => {
      const reader = new Reader();
      this.emit('reader', reader);
      reader.emit('change', { raw: 0x22 }, Uint8Array.of(0x3b));
    }, 5);
    return this;
  }
  stop() {
    for (;;) {
      // pcsc-mini's stop() blocked in SCardReleaseContext
    }
  }
}
