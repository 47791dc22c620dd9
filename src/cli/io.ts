/**
 * The CLI's view of the process: streams, environment, clock and test hooks. `runCli` takes
 * one of these, so tests run the CLI in-process with fake streams.
 * @packageDocumentation
 */
import type { Transport } from '../transport/transport.js';

/** A writable text/byte stream (process.stdout, process.stderr or a test buffer). */
export interface CliWritable {
  write(chunk: string | Uint8Array): unknown;
  /** Whether it is a terminal. */
  readonly isTTY?: boolean | undefined;
  /** Terminal width, when a terminal. */
  readonly columns?: number | undefined;
}

/** A readable stream (process.stdin or a test stream). */
export interface CliReadable extends AsyncIterable<string | Uint8Array> {
  /** Whether it is a terminal. */
  readonly isTTY?: boolean | undefined;
  /** Raw mode (terminals only): no echo, byte by byte. */
  setRawMode?(mode: boolean): unknown;
  on?(event: 'data', listener: (chunk: string | Uint8Array) => void): unknown;
  off?(event: 'data', listener: (chunk: string | Uint8Array) => void): unknown;
  resume?(): unknown;
  pause?(): unknown;
}

/** A card transport opened for the simulator (the virtual card is one). */
export type SimulatorFactory = () => Promise<Transport>;

/** Everything `runCli` needs from its environment. */
export interface CliIo {
  readonly stdin: CliReadable;
  readonly stdout: CliWritable;
  readonly stderr: CliWritable;
  /** Environment variables (secrets may come from here, never from argv). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative file names resolve against. Default `process.cwd()`. */
  readonly cwd?: string;
  /** Clock for validity checks and timestamps. Default `new Date()`. */
  readonly now?: () => Date;
  /**
   * Test hook: the card `--simulator` uses. Default: a fresh `VirtualMyNumberCard` with the
   * default options.
   */
  readonly simulator?: SimulatorFactory;
  /** Stops long-running commands (`sim`); the process wires it to SIGINT/SIGTERM. */
  readonly signal?: AbortSignal;
  /** The `Intl` locale used when no LANG variable is set (tests pin it). */
  readonly locale?: string;
}
