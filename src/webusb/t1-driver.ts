/**
 * Drives the T=1 state machine ({@link T1Protocol}) over CCID XfrBlock at TPDU level: the
 * reader's link errors become T=1 error indications, a failed sequence is resynchronised
 * before the next command, and the IFSD is negotiated unless the reader does it.
 * ISO/IEC 7816-3 §11
 * @packageDocumentation
 */
import type { XfrBlockFunction } from './xfr.js';
import { CCID_ERROR, CcidError, COMMAND_STATUS, ccidFailure } from './errors.js';
import { T1_MAX_INF } from './t1-block.js';
import { T1Protocol, type T1Step } from './t1.js';

/** Options of {@link startT1}. */
export interface T1StartOptions {
  /** The card's IFSC. */
  readonly ifsc: number;
  /** Largest INF one CCID message can carry. */
  readonly linkInf: number;
  /** dwMaxIFSD (0: none given). */
  readonly readerIfsd: number;
  /** The IFSD asked for by the caller (default 254). */
  readonly ifsd: number | undefined;
  /** Retries of a bad block. */
  readonly retries: number | undefined;
  /** The reader negotiates the IFSD itself (dwFeatures 400h). */
  readonly autoIfsd: boolean;
}

/** Create the T=1 state machine and, unless the reader does it, negotiate the IFSD. */
export async function startT1(options: T1StartOptions, xfr: XfrBlockFunction): Promise<T1Protocol> {
  const readerIfsd = options.readerIfsd > 0 ? options.readerIfsd : T1_MAX_INF;
  const ifsd = Math.max(1, Math.min(options.ifsd ?? T1_MAX_INF, T1_MAX_INF, readerIfsd, options.linkInf));
  const t1 = new T1Protocol({
    ifsc: options.ifsc,
    ifsd,
    maxSendInf: Math.min(T1_MAX_INF, options.linkInf),
    maxRetries: options.retries,
  });
  if (!options.autoIfsd) {
    try {
      await runT1(t1, t1.negotiateIfsd(), xfr);
    } catch (error) {
      // A card that mishandles S(IFS) keeps IFSD 32 (ISO/IEC 7816-3 §11.4.2); S-blocks do not
      // touch the sequence numbers, so the link stays in step.
      if (!(error instanceof CcidError && error.code === 't1-protocol')) throw error;
      t1.reset(options.ifsc);
    }
  }
  return t1;
}

/** Send one APDU over T=1 (resynchronising first after a failure); `maxResponse` bounds the answer. */
export async function transmitT1(
  t1: T1Protocol,
  apdu: Uint8Array,
  maxResponse: number,
  autoIfsd: boolean,
  xfr: XfrBlockFunction,
): Promise<Uint8Array> {
  if (t1.needsResynch) {
    await runT1(t1, t1.resynch(), xfr);
    if (!autoIfsd) {
      try {
        await runT1(t1, t1.negotiateIfsd(), xfr);
      } catch (error) {
        if (!(error instanceof CcidError && error.code === 't1-protocol')) throw error;
      }
    }
  }
  return runT1(t1, t1.transmit(apdu, maxResponse), xfr);
}

/** Drive the T=1 state machine over XfrBlock until it is done. */
export async function runT1(t1: T1Protocol, first: T1Step, xfr: XfrBlockFunction): Promise<Uint8Array> {
  let step = first;
  try {
    while (step.type === 'send') {
      const answer = await xfr(step.block, step.bwi);
      if (answer.commandStatus === COMMAND_STATUS.ok) {
        step = t1.receive(answer.data);
      } else if (answer.error === CCID_ERROR.iccMute) {
        step = t1.receiveError('other'); // no block within BWT. ISO/IEC 7816-3 §11.6.3.2
      } else if (answer.error === CCID_ERROR.parityError || answer.error === CCID_ERROR.overrun) {
        step = t1.receiveError('edc');
      } else {
        throw ccidFailure(answer.status, answer.error, 0x6f);
      }
    }
    return step.response;
  } catch (error) {
    t1.abandon();
    throw error;
  }
}
