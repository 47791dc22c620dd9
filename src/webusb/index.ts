/**
 * `mynacard/webusb`: USB CCID smart-card readers over a WebUSB `USBDevice` — in browsers that
 * allow it, and in Node through the `usb` package's WebUSB implementation. Browser-safe.
 * @packageDocumentation
 */
export { WebUsbCcidTransport } from './transport.js';
export type { CcidCardProtocol, T1Sizes, WebUsbCcidOptions, WebUsbTransmitOptions } from './options.js';
export type { CcidVoltage } from './power.js';
export { t0Tpdu } from './t0.js';
export { requestReader, type RequestReaderOptions } from './request.js';
export { CcidError, CCID_ERROR, COMMAND_STATUS, ICC_STATUS, ccidFailure, type CcidErrorCode } from './errors.js';
export {
  CCID_DESCRIPTOR_LENGTH,
  CCID_FEATURE,
  CCID_INTERFACE_CLASS,
  CCID_PROTOCOL,
  CCID_VOLTAGE,
  DESCRIPTOR_TYPE,
  VENDOR_INTERFACE_CLASS,
  exchangeLevelOf,
  findCcidInterface,
  parseCcidClassDescriptor,
  parseConfigurationDescriptor,
  type CcidClassDescriptor,
  type CcidExchangeLevel,
  type CcidInterface,
  type ConfigurationDescriptor,
  type EndpointDescriptor,
  type InterfaceDescriptor,
} from './descriptor.js';
export {
  CCID_HEADER_LENGTH,
  CHAIN_PARAMETER,
  CcidSequence,
  EXPECTED_ANSWER,
  LEVEL_PARAMETER,
  PC_TO_RDR,
  POWER_SELECT,
  RDR_TO_PC,
  abort,
  decodeNotification,
  decodeProtocolParameters,
  decodeResponse,
  encodeCommand,
  encodeProtocolParameters,
  getParameters,
  getSlotStatus,
  iccPowerOff,
  iccPowerOn,
  messageDataLength,
  setParameters,
  xfrBlock,
  type CcidCommand,
  type CcidNotification,
  type CcidResponse,
  type ProtocolParameters,
  type SlotChange,
  type T0Parameters,
  type T1Parameters,
} from './messages.js';
export {
  R_ERROR,
  S_BLOCK,
  T1_MAX_INF,
  decodeBlock,
  encodeBlock,
  iBlock,
  lrc,
  rBlock,
  sBlock,
  type T1Block,
  type T1InvalidBlock,
} from './t1-block.js';
export {
  T1_DEFAULT_IFSC,
  T1_DEFAULT_IFSD,
  T1_DEFAULT_MAX_WTX,
  T1Protocol,
  type T1ProtocolOptions,
  type T1Step,
} from './t1.js';
export { ATR_DEFAULTS, activeFindexDindex, defaultProtocol, parseAtr, type AtrInfo } from './atr.js';
export type {
  UsbAlternateInterfaceLike,
  UsbConfigurationLike,
  UsbControlTransferParameters,
  UsbDeviceFilterLike,
  UsbDeviceLike,
  UsbDirection,
  UsbEndpointLike,
  UsbInTransferResultLike,
  UsbInterfaceLike,
  UsbLike,
  UsbOutTransferResultLike,
  UsbTransferStatus,
} from './usb-types.js';
