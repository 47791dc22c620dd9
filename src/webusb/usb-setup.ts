/**
 * USB set-up of a CCID reader: reading the configuration descriptors (GET_DESCRIPTOR) until one
 * has a CCID interface, and WebUSB DOMExceptions of the set-up steps as typed errors.
 * @packageDocumentation
 */
import { MynacardError, ReaderUnavailableError } from '../errors.js';
import { DESCRIPTOR_TYPE, findCcidInterface, parseConfigurationDescriptor, type CcidInterface } from './descriptor.js';
import { CcidError } from './errors.js';
import type { UsbDeviceLike } from './usb-types.js';

/** USB standard request GET_DESCRIPTOR. USB 2.0 §9.4.3 */
const GET_DESCRIPTOR = 0x06;
/** Length of the configuration descriptor header (holds wTotalLength). USB 2.0 §9.6.3 */
const CONFIGURATION_HEADER_LENGTH = 9;

/**
 * Await one USB set-up step; a WebUSB DOMException becomes a `MynacardError`. A SecurityError
 * on a CCID interface is Chromium's protected-class rule (see the README's WebUSB section).
 */
export async function usbStep<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof MynacardError) throw error;
    const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
    if (name === 'SecurityError') {
      throw new ReaderUnavailableError(
        `Could not ${what}: the browser protects the smart-card interface class (0Bh) from web pages ` +
          '(usable from Node with "usb", Electron, or an Isolated Web App with usb-unrestricted)',
        { cause: error },
      );
    }
    if (name === 'NotFoundError') throw new ReaderUnavailableError(`Could not ${what}: the device is gone`, { cause: error });
    throw new ReaderUnavailableError(`Could not ${what}${name === '' ? '' : ` (${name})`}`, { cause: error });
  }
}

/** Read the configuration descriptors until one has a CCID interface (the active one first). */
export async function findReaderInterface(
  device: UsbDeviceLike,
): Promise<{ configurationValue: number; ccid: CcidInterface }> {
  const count = Math.max(device.configurations.length, 1);
  const active = device.configuration?.configurationValue;
  let firstError: unknown;
  const found: Array<{ configurationValue: number; ccid: CcidInterface }> = [];
  for (let index = 0; index < count; index++) {
    try {
      const bytes = await readConfigurationDescriptor(device, index);
      const configuration = parseConfigurationDescriptor(bytes);
      found.push({ configurationValue: configuration.configurationValue, ccid: findCcidInterface(configuration) });
    } catch (error) {
      firstError ??= error;
    }
  }
  const chosen = found.find((f) => f.configurationValue === active) ?? found[0];
  if (chosen !== undefined) return chosen;
  if (firstError instanceof MynacardError) throw firstError;
  throw new CcidError('ccid-not-a-reader', 'Could not read the USB configuration descriptor', { cause: firstError });
}

/** GET_DESCRIPTOR(CONFIGURATION, index): the header for wTotalLength, then the whole of it. USB 2.0 §9.4.3 */
async function readConfigurationDescriptor(device: UsbDeviceLike, index: number): Promise<Uint8Array> {
  const setup = {
    requestType: 'standard',
    recipient: 'device',
    request: GET_DESCRIPTOR,
    value: (DESCRIPTOR_TYPE.configuration << 8) | index,
    index: 0,
  } as const;
  const header = await device.controlTransferIn(setup, CONFIGURATION_HEADER_LENGTH);
  const head = viewBytes(header.data);
  if (header.status !== undefined && header.status !== 'ok') {
    throw new CcidError('ccid-not-a-reader', `GET_DESCRIPTOR(CONFIGURATION) failed: ${header.status}`);
  }
  if (head.length < 4) throw new CcidError('ccid-not-a-reader', 'Short configuration descriptor header');
  const total = head[2]! | (head[3]! << 8);
  const full = await device.controlTransferIn(setup, total);
  if (full.status !== undefined && full.status !== 'ok') {
    throw new CcidError('ccid-not-a-reader', `GET_DESCRIPTOR(CONFIGURATION) failed: ${full.status}`);
  }
  return viewBytes(full.data);
}

function viewBytes(view: DataView | null | undefined): Uint8Array {
  if (view === undefined || view === null) return new Uint8Array(0);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}
