/**
 * A transport's failure on a command, passed up without the command's secret: a transport may
 * echo the command (a PIN) in its error message or cause.
 * @packageDocumentation
 */
import { MynacardError, TransportError } from '../errors.js';
import type { CommandApdu } from './command.js';
import { RedactedTransportCause } from './errors.js';
import { commandName } from './trace.js';

/**
 * The error to throw for a transport failure on `cmd`. Without a secret in the command, a
 * `MynacardError` is passed on as it is (any other error becomes the cause of a
 * `TransportError`). With one, a typed error is passed on (its class matters: card removed, …)
 * unless its own message shows the secret; its cause is reduced to name and code either way.
 */
export function transportFailure(error: unknown, cmd: CommandApdu, secret: boolean): MynacardError {
  if (error instanceof MynacardError) {
    if (!secret) return error;
    if (!mentionsData(error.message, cmd.data)) return withRedactedCause(error);
    return new TransportError(`${commandName(cmd)}: the transport failed`, { cause: new RedactedTransportCause(error) });
  }
  return new TransportError(`${commandName(cmd)}: the transport failed`, {
    cause: secret ? new RedactedTransportCause(error) : error,
  });
}

/**
 * The transport's own typed error, passed on, but with its `cause` (which may come from a
 * custom transport and echo the command) reduced to name and code.
 */
function withRedactedCause(error: MynacardError): MynacardError {
  if (error.cause !== undefined && !(error.cause instanceof RedactedTransportCause)) {
    Object.defineProperty(error, 'cause', {
      value: new RedactedTransportCause(error.cause),
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  return error;
}

/** Whether `text` shows `data` as hex (any case, with or without spaces) or as ASCII text. */
function mentionsData(text: string, data: Uint8Array): boolean {
  if (data.length === 0) return false;
  const lower = text.toLowerCase();
  const hex = Array.from(data, (b) => b.toString(16).padStart(2, '0'));
  if (lower.includes(hex.join('')) || lower.includes(hex.join(' '))) return true;
  return data.every((b) => b >= 0x20 && b < 0x7f) && text.includes(String.fromCharCode(...data));
}
