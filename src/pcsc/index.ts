/**
 * `mynacard/pcsc`: the PC/SC transport (Node, through the optional peer `pcsc-mini`).
 * @packageDocumentation
 */
export {};
