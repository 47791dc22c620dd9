/**
 * The structural types of mynacard/react-native against react-native-nfc-manager's own
 * `index.d.ts` (a dev dependency): the library's `NfcManager` must be accepted where the
 * transport wants an `NfcManagerLike`, and its `NfcError` namespace where it wants the error
 * classes. These checks run in `npm run typecheck` (tsc covers test/); the runtime part only
 * makes sure the file is part of the suite.
 */
import type { NfcError, NfcManager, NfcTech, RegisterTagEventOpts } from 'react-native-nfc-manager';
import { describe, expect, it } from 'vitest';
import type { NfcErrorClasses, NfcManagerLike, NfcRequestOptions } from '../../src/react-native/index.js';

/** Compile-time: the real manager is an NfcManagerLike. */
const asManager = (manager: NfcManager): NfcManagerLike => manager;
/** Compile-time: the real NfcError namespace gives the classes. */
const asErrors = (errors: typeof NfcError): NfcErrorClasses => errors;
/** Compile-time: our request options are the library's RegisterTagEventOpts. */
const asRequestOptions = (options: NfcRequestOptions): RegisterTagEventOpts => options;
/** Compile-time: the technology the transport requests is a member of the library's NfcTech. */
const isoDep: `${NfcTech.IsoDep}` = 'IsoDep';

// The checks are live: a manager without an IsoDep handler is refused.
// @ts-expect-error isoDepHandler is required
const incomplete: NfcManagerLike = { requestTechnology: async () => null, cancelTechnologyRequest: async () => undefined };

describe('mynacard/react-native types against react-native-nfc-manager 3.x', () => {
  it('the compile-time checks above are in this file', () => {
    expect([asManager, asErrors, asRequestOptions].every((f) => typeof f === 'function')).toBe(true);
    expect(isoDep).toBe('IsoDep');
    expect(typeof incomplete.requestTechnology).toBe('function');
  });
});
