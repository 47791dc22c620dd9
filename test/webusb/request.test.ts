/**
 * requestReader() and the structural WebUSB types: a `USBDevice` as declared by
 * @types/w3c-web-usb (DefinitelyTyped) and by the WebIDL (nullable attributes) must be
 * assignable to `UsbDeviceLike` — checked by `tsc` (npm run typecheck) through expectTypeOf.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AbortedError, ReaderUnavailableError } from '../../src/errors.js';
import { requestReader, type UsbDeviceFilterLike, type UsbDeviceLike, type UsbLike } from '../../src/webusb/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { SimReader } from './sim-reader.js';

// ---- A copy of the USBDevice shapes of @types/w3c-web-usb (declaration only, for the type check) ----
type W3CDirection = 'in' | 'out';
type W3CStatus = 'ok' | 'stall' | 'babble';
interface W3CSetup {
  requestType: 'standard' | 'class' | 'vendor';
  recipient: 'device' | 'interface' | 'endpoint' | 'other';
  request: number;
  value: number;
  index: number;
}
declare class W3CEndpoint {
  readonly endpointNumber: number;
  readonly direction: W3CDirection;
  readonly type: 'bulk' | 'interrupt' | 'isochronous';
  readonly packetSize: number;
}
declare class W3CAlternate {
  readonly alternateSetting: number;
  readonly interfaceClass: number;
  readonly interfaceSubclass: number;
  readonly interfaceProtocol: number;
  readonly interfaceName?: string;
  readonly endpoints: W3CEndpoint[];
}
declare class W3CInterface {
  readonly interfaceNumber: number;
  readonly alternate: W3CAlternate;
  readonly alternates: W3CAlternate[];
  readonly claimed: boolean;
}
declare class W3CConfiguration {
  readonly configurationValue: number;
  readonly configurationName?: string;
  readonly interfaces: W3CInterface[];
}
declare class W3CInResult {
  readonly data?: DataView;
  readonly status?: W3CStatus;
}
declare class W3COutResult {
  readonly bytesWritten: number;
  readonly status: W3CStatus;
}
declare class W3CUSBDevice {
  readonly usbVersionMajor: number;
  readonly vendorId: number;
  readonly productId: number;
  readonly manufacturerName?: string;
  readonly productName?: string;
  readonly serialNumber?: string;
  readonly configuration?: W3CConfiguration;
  readonly configurations: W3CConfiguration[];
  readonly opened: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  forget(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  selectAlternateInterface(interfaceNumber: number, alternateSetting: number): Promise<void>;
  controlTransferIn(setup: W3CSetup, length: number): Promise<W3CInResult>;
  controlTransferOut(setup: W3CSetup, data?: BufferSource): Promise<W3COutResult>;
  clearHalt(direction: W3CDirection, endpointNumber: number): Promise<void>;
  transferIn(endpointNumber: number, length: number): Promise<W3CInResult>;
  transferOut(endpointNumber: number, data: BufferSource): Promise<W3COutResult>;
  reset(): Promise<void>;
}
/** The WebIDL variant: nullable attributes are `T | null`. */
interface IdlUSBDevice extends Omit<W3CUSBDevice, 'configuration' | 'productName' | 'transferIn'> {
  readonly configuration: W3CConfiguration | null;
  readonly productName: string | null;
  transferIn(endpointNumber: number, length: number): Promise<{ readonly data: DataView | null; readonly status: W3CStatus }>;
}
declare class W3CUSB {
  requestDevice(options?: { filters: Array<{ vendorId?: number; classCode?: number }> }): Promise<W3CUSBDevice>;
}

describe('structural WebUSB types', () => {
  it('USBDevice (DefinitelyTyped and WebIDL shapes) and navigator.usb fit the SDK types', () => {
    expectTypeOf<W3CUSBDevice>().toExtend<UsbDeviceLike>();
    expectTypeOf<IdlUSBDevice>().toExtend<UsbDeviceLike>();
    expectTypeOf<W3CUSB>().toExtend<UsbLike>();
    expectTypeOf<SimReader>().toExtend<UsbDeviceLike>();
    // And the SDK types do not accept something that is not a device.
    expectTypeOf<{ opened: boolean }>().not.toExtend<UsbDeviceLike>();
  });
});

describe('requestReader', () => {
  it('asks for the CCID class (0Bh) plus the caller’s filters and returns the chosen device', async () => {
    const device = new SimReader(await VirtualMyNumberCard.create(), { level: 'tpdu' });
    const seen: UsbDeviceFilterLike[][] = [];
    const usb: UsbLike = {
      async requestDevice(options) {
        seen.push(options.filters);
        return device;
      },
    };
    expect(await requestReader({ usb, filters: [{ vendorId: 0x072f }] })).toBe(device);
    expect(seen).toEqual([[{ classCode: 0x0b }, { vendorId: 0x072f }]]);
  });

  it('uses navigator.usb by default', async () => {
    const device = new SimReader(await VirtualMyNumberCard.create(), { level: 'tpdu' });
    const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', {
      value: { usb: { requestDevice: async () => device } },
      configurable: true,
    });
    try {
      expect(await requestReader()).toBe(device);
    } finally {
      if (original === undefined) delete (globalThis as { navigator?: unknown }).navigator;
      else Object.defineProperty(globalThis, 'navigator', original);
    }
  });

  it('no WebUSB: ReaderUnavailableError; chooser closed: AbortedError; refused: ReaderUnavailableError', async () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });
    try {
      await expect(requestReader()).rejects.toBeInstanceOf(ReaderUnavailableError);
    } finally {
      if (original === undefined) delete (globalThis as { navigator?: unknown }).navigator;
      else Object.defineProperty(globalThis, 'navigator', original);
    }
    const cancelled: UsbLike = {
      requestDevice: () => Promise.reject(new DOMException('No device selected.', 'NotFoundError')),
    };
    await expect(requestReader({ usb: cancelled })).rejects.toBeInstanceOf(AbortedError);
    const refused: UsbLike = {
      requestDevice: () => Promise.reject(new DOMException('Access denied.', 'SecurityError')),
    };
    const error = await requestReader({ usb: refused }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReaderUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(DOMException);
  });
});
