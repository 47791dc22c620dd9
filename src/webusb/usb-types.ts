/**
 * The WebUSB shapes the CCID transport uses, declared structurally so that neither the SDK nor
 * its users need `@types/w3c-web-usb`. A browser `USBDevice` (`navigator.usb`), the Node `usb`
 * package's `WebUSBDevice`, and a test double are all assignable to {@link UsbDeviceLike}.
 *
 * Optional members are typed `?: T | null | undefined` where WebIDL says nullable, so that the
 * WebIDL shapes and every published variant of the WebUSB typings fit, also under
 * `exactOptionalPropertyTypes`.
 * @packageDocumentation
 */

/** `USBDirection`. */
export type UsbDirection = 'in' | 'out';

/** `USBTransferStatus`. */
export type UsbTransferStatus = 'ok' | 'stall' | 'babble';

/** `USBControlTransferParameters` (the setup packet of a control transfer). */
export interface UsbControlTransferParameters {
  /** bmRequestType bits 6–5. */
  requestType: 'standard' | 'class' | 'vendor';
  /** bmRequestType bits 4–0. */
  recipient: 'device' | 'interface' | 'endpoint' | 'other';
  /** bRequest. */
  request: number;
  /** wValue. */
  value: number;
  /** wIndex. */
  index: number;
}

/** `USBInTransferResult`. */
export interface UsbInTransferResultLike {
  /** The bytes received (absent or null on a stall). */
  readonly data?: DataView | null | undefined;
  /** `'ok'`, `'stall'` or `'babble'`. */
  readonly status?: UsbTransferStatus | undefined;
}

/** `USBOutTransferResult`. */
export interface UsbOutTransferResultLike {
  /** Bytes the device accepted. */
  readonly bytesWritten: number;
  /** `'ok'` or `'stall'`. */
  readonly status: UsbTransferStatus;
}

/** `USBEndpoint`. */
export interface UsbEndpointLike {
  /** Endpoint number without the direction bit (what `transferIn`/`transferOut` take). */
  readonly endpointNumber: number;
  /** `'in'` (device to host) or `'out'`. */
  readonly direction: UsbDirection;
  /** `'bulk'`, `'interrupt'` or `'isochronous'`. */
  readonly type: 'bulk' | 'interrupt' | 'isochronous';
  /** wMaxPacketSize. */
  readonly packetSize: number;
}

/** `USBAlternateInterface`. */
export interface UsbAlternateInterfaceLike {
  /** bAlternateSetting. */
  readonly alternateSetting: number;
  /** bInterfaceClass (0x0B for CCID, 0xFF for vendor-specific). */
  readonly interfaceClass: number;
  /** bInterfaceSubClass. */
  readonly interfaceSubclass: number;
  /** bInterfaceProtocol. */
  readonly interfaceProtocol: number;
  /** The alternate's endpoints. */
  readonly endpoints: readonly UsbEndpointLike[];
}

/** `USBInterface`. */
export interface UsbInterfaceLike {
  /** bInterfaceNumber. */
  readonly interfaceNumber: number;
  /** Every alternate setting of the interface. */
  readonly alternates: readonly UsbAlternateInterfaceLike[];
}

/** `USBConfiguration`. */
export interface UsbConfigurationLike {
  /** bConfigurationValue. */
  readonly configurationValue: number;
  /** The configuration's interfaces. */
  readonly interfaces: readonly UsbInterfaceLike[];
}

/**
 * The part of a WebUSB `USBDevice` the CCID transport uses. The browser's `USBDevice` and the
 * Node `usb` package's `WebUSBDevice` satisfy it.
 */
export interface UsbDeviceLike {
  /** idVendor. */
  readonly vendorId: number;
  /** idProduct. */
  readonly productId: number;
  /** iProduct string, when the device has one. */
  readonly productName?: string | null | undefined;
  /** Whether `open()` has succeeded and `close()` has not been called. */
  readonly opened: boolean;
  /** The selected configuration (`null`/undefined when unconfigured). */
  readonly configuration?: UsbConfigurationLike | null | undefined;
  /** Every configuration of the device. */
  readonly configurations: readonly UsbConfigurationLike[];
  /** Open a session with the device. */
  open(): Promise<void>;
  /** End the session. */
  close(): Promise<void>;
  /** SET_CONFIGURATION. */
  selectConfiguration(configurationValue: number): Promise<void>;
  /** Claim an interface for exclusive use. */
  claimInterface(interfaceNumber: number): Promise<void>;
  /** Release a claimed interface. */
  releaseInterface(interfaceNumber: number): Promise<void>;
  /** SET_INTERFACE. */
  selectAlternateInterface(interfaceNumber: number, alternateSetting: number): Promise<void>;
  /** A control transfer from the device (e.g. GET_DESCRIPTOR). */
  controlTransferIn(setup: UsbControlTransferParameters, length: number): Promise<UsbInTransferResultLike>;
  /** A control transfer to the device (the CCID class request ABORT). */
  controlTransferOut(setup: UsbControlTransferParameters, data?: Uint8Array<ArrayBuffer>): Promise<UsbOutTransferResultLike>;
  /** Clear a stalled endpoint. */
  clearHalt(direction: UsbDirection, endpointNumber: number): Promise<void>;
  /** A bulk or interrupt transfer from the device. */
  transferIn(endpointNumber: number, length: number): Promise<UsbInTransferResultLike>;
  /** A bulk or interrupt transfer to the device. */
  transferOut(endpointNumber: number, data: Uint8Array<ArrayBuffer>): Promise<UsbOutTransferResultLike>;
}

/** `USBDeviceFilter` of `navigator.usb.requestDevice`. */
export interface UsbDeviceFilterLike {
  /** idVendor. */
  vendorId?: number;
  /** idProduct. */
  productId?: number;
  /** bDeviceClass, or any interface's bInterfaceClass. */
  classCode?: number;
  /** Subclass code. */
  subclassCode?: number;
  /** Protocol code. */
  protocolCode?: number;
  /** iSerialNumber string. */
  serialNumber?: string;
}

/** The part of `navigator.usb` that {@link requestReader} uses. */
export interface UsbLike {
  /** Show the browser's device chooser. */
  requestDevice(options: { filters: UsbDeviceFilterLike[] }): Promise<UsbDeviceLike>;
}
