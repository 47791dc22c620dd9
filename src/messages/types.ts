/**
 * Shapes shared by the message catalogues of {@link describeError} and {@link describeReason}.
 * @packageDocumentation
 */

/** Language of a description: 日本語 or English. */
export type MessageLocale = 'ja' | 'en';

/**
 * Plain text for a person at a counter (窓口) to read to a resident: what happened and what to
 * do next. Built only from the code and numeric fields, never from an error's `message`, so it
 * never holds a PIN, a My Number (個人番号) or other card data.
 */
export interface Description {
  /** The code described (an error code or a verification reason code). */
  readonly code: string;
  /** What happened, in one or two sentences. */
  readonly message: string;
  /** What to do next; empty when there is nothing to do. */
  readonly action: string;
  /** `message` and `action` together, ready to show. */
  readonly text: string;
}

/** Options of {@link describeError}. */
export interface DescribeErrorOptions {
  /**
   * The name of the secret concerned, shown instead of the generic "暗証番号" / "PIN" in the
   * PIN texts (e.g. `'署名用電子証明書のパスワード'`). A display name only: never the secret.
   */
  readonly secret?: string | undefined;
}

/** Values a text may use: numbers and fixed enumerations, never free text from an error. */
export interface TextParams {
  /** Tries left (PIN errors). */
  readonly remaining?: number | undefined;
  /** Display name of the secret (from {@link DescribeErrorOptions.secret}). */
  readonly secret?: string | undefined;
  /** Free area of a card AP error. */
  readonly area?: 'regional' | 'extension' | undefined;
  /** Largest size allowed (bytes). */
  readonly limit?: number | undefined;
  /** Size needed (bytes). */
  readonly actual?: number | undefined;
}

/** A text: `[message, action]`, fixed or computed from the parameters. */
export type Text = readonly [string, string] | ((params: TextParams) => readonly [string, string]);

/** The Japanese and English texts of one code. */
export interface LocalizedText {
  /** 日本語. */
  readonly ja: Text;
  /** English. */
  readonly en: Text;
}
