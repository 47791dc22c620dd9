/**
 * The CCID interrupt pipe: slot changes and hardware errors as the reader reports them.
 * CCID §6.3
 * @packageDocumentation
 */
import type { EndpointDescriptor } from './descriptor.js';
import { decodeNotification } from './messages.js';
import type { UsbDeviceLike } from './usb-types.js';

/** What an interrupt message says about one slot. */
export type SlotEvent =
  | { readonly type: 'hardware-error'; readonly code: number }
  | { readonly type: 'change'; readonly present: boolean };

/**
 * Read the interrupt pipe until `stopped()` or the pipe fails (interface released, device
 * closed or gone), handing each non-empty message to `onMessage`.
 */
export function listenInterrupt(
  device: UsbDeviceLike,
  endpoint: EndpointDescriptor,
  stopped: () => boolean,
  onMessage: (bytes: Uint8Array) => void,
): void {
  const length = Math.max(endpoint.packetSize, 8);
  void (async () => {
    while (!stopped()) {
      let bytes: Uint8Array;
      try {
        const result = await device.transferIn(endpoint.number, length);
        if (result.status === 'stall') {
          await device.clearHalt('in', endpoint.number);
          continue;
        }
        const view = result.data;
        bytes =
          view === undefined || view === null ? new Uint8Array(0) : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      } catch {
        return; // interface released, device closed or gone
      }
      if (stopped()) return;
      if (bytes.length > 0) onMessage(bytes);
    }
  })();
}

/**
 * The event an interrupt message carries for `slot`: a hardware error, a change (inserted or
 * removed), or undefined (another slot, no change, or a message that is not ours to act on).
 */
export function slotEvent(bytes: Uint8Array, maxSlotIndex: number, slot: number): SlotEvent | undefined {
  let notification;
  try {
    notification = decodeNotification(bytes, maxSlotIndex);
  } catch {
    return undefined;
  }
  if (notification.type === 'hardware-error') {
    return notification.slot === slot ? { type: 'hardware-error', code: notification.code } : undefined;
  }
  const change = notification.slots[slot];
  if (change === undefined || !change.changed) return undefined;
  return { type: 'change', present: change.present };
}
