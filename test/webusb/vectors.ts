/** Loader of the CCID / T=1 vectors in test/vectors/ccid (not a test file). */
import { readFileSync } from 'node:fs';

/** Parse `test/vectors/ccid/<name>.json`. */
export function ccidVectors<T>(name: 'messages' | 't1' | 'descriptors'): T {
  return JSON.parse(readFileSync(new URL(`../vectors/ccid/${name}.json`, import.meta.url), 'utf8')) as T;
}

export interface MessageVectors {
  readonly commands: ReadonlyArray<{
    readonly name: string;
    readonly fields: {
      readonly type: number;
      readonly slot: number;
      readonly seq: number;
      readonly powerSelect?: number;
      readonly bwi?: number;
      readonly levelParameter?: number;
      readonly data?: string;
      readonly parameters?: Record<string, unknown>;
    };
    readonly hex: string;
  }>;
  readonly answers: ReadonlyArray<{
    readonly name: string;
    readonly hex: string;
    readonly decoded: Record<string, unknown> & { readonly data: string };
    readonly outcome: string;
    readonly parameters?: Record<string, unknown>;
  }>;
  readonly notifications: ReadonlyArray<{
    readonly name: string;
    readonly maxSlotIndex: number;
    readonly hex: string;
    readonly decoded: unknown;
  }>;
}

export interface T1Vectors {
  readonly blocks: ReadonlyArray<{
    readonly name: string;
    readonly kind: 'I' | 'R' | 'S';
    readonly hex: string;
    readonly ns?: number;
    readonly nr?: number;
    readonly more?: boolean;
    readonly error?: number;
    readonly fn?: number;
    readonly response?: boolean;
    readonly inf?: string;
  }>;
  readonly invalid: ReadonlyArray<{ readonly name: string; readonly hex: string; readonly error: 'edc' | 'other' }>;
  readonly exchanges: ReadonlyArray<T1Exchange>;
}

export interface T1Exchange {
  readonly name: string;
  readonly options: { readonly ifsc: number; readonly ifsd: number };
  readonly start: 'transmit' | 'negotiateIfsd' | 'resynch';
  readonly command?: string;
  readonly before?: ReadonlyArray<{ readonly command: string; readonly steps: readonly T1StepVector[]; readonly response: string }>;
  readonly steps: readonly T1StepVector[];
  readonly response: string;
  readonly after?: { readonly ifsc: number; readonly ifsd: number };
}

export interface T1StepVector {
  readonly send: string;
  readonly bwi?: number;
  readonly receive?: string;
  readonly receiveError?: 'edc' | 'other';
}

export interface DescriptorVectors {
  readonly configurations: ReadonlyArray<{
    readonly name: string;
    readonly hex: string;
    readonly configurationValue: number;
    readonly ccid: Record<string, number>;
    readonly exchangeLevel: string;
    readonly interfaceNumber: number;
    readonly interfaceClass: number;
    readonly endpoints: Record<'bulkOut' | 'bulkIn' | 'interrupt', { address: number; number: number; packetSize: number }>;
  }>;
}
