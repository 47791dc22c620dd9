/**
 * `requestReader()`: the browser's device chooser for USB CCID readers.
 * @packageDocumentation
 */
import { AbortedError, ReaderUnavailableError } from '../errors.js';
import { CCID_INTERFACE_CLASS } from './descriptor.js';
import type { UsbDeviceFilterLike, UsbDeviceLike, UsbLike } from './usb-types.js';

/** Options of {@link requestReader}. */
export interface RequestReaderOptions {
  /**
   * The WebUSB entry point. Default `navigator.usb`; pass `new WebUSB({ allowAllDevices: true })`
   * from the Node `usb` package to use the same call in Node.
   */
  readonly usb?: UsbLike | undefined;
  /**
   * Extra chooser filters, e.g. `{ vendorId: 0x1234 }` for a reader whose CCID interface is
   * vendor-specific (class FFh). The CCID class filter (`classCode: 0x0B`) is always included.
   */
  readonly filters?: readonly UsbDeviceFilterLike[] | undefined;
}

/**
 * Ask the user to pick a USB smart-card reader (`navigator.usb.requestDevice` with a CCID class
 * filter). Must be called from a user gesture (a click handler) in a browser.
 *
 * Chromium treats the smart-card interface class (0Bh) as protected: a normal web page can list
 * such a reader but `claimInterface` fails with a SecurityError. See the README section "WebUSB"
 * for where this works (vendor-specific reader interfaces, isolated/kiosk apps with
 * `usb-unrestricted`, Electron, Node with `usb`).
 *
 * @throws ReaderUnavailableError when WebUSB is unavailable or access is refused;
 *   AbortedError when the user closes the chooser without picking a device
 */
export async function requestReader(options: RequestReaderOptions = {}): Promise<UsbDeviceLike> {
  const usb = options.usb ?? (globalThis as { navigator?: { usb?: UsbLike } }).navigator?.usb;
  if (usb === undefined || typeof usb.requestDevice !== 'function') {
    throw new ReaderUnavailableError(
      'WebUSB is not available here (no navigator.usb): use a Chromium-based browser over HTTPS, or pass { usb } from the Node "usb" package',
    );
  }
  const filters: UsbDeviceFilterLike[] = [{ classCode: CCID_INTERFACE_CLASS }, ...(options.filters ?? [])];
  try {
    return await usb.requestDevice({ filters });
  } catch (error) {
    const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
    if (name === 'NotFoundError') throw new AbortedError('No USB reader was chosen', { cause: error });
    throw new ReaderUnavailableError('WebUSB refused access to USB devices', { cause: error });
  }
}
