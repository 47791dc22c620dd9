/**
 * `mynacard/webusb`: USB CCID readers over a WebUSB `USBDevice`.
 * @packageDocumentation
 */
export {};
