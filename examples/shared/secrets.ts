/**
 * A secret provider for terminal programs: the SDK calls it after it has read the tries left
 * (and refused a blocked secret or the last try), so the tries are shown before the holder is
 * asked. The value comes from, in order: one line of stdin (`--pin-stdin`, when stdin is not a
 * terminal), an environment variable, or a prompt that does not echo. Never from argv.
 *
 * Public API only (`SecretProvider` from `mynacard`): copy this file into your project.
 */
import type { SecretProvider, SecretRequest, TriesState } from 'mynacard';
import { EXIT, ExampleError, exampleLanguage, type ExampleIo, type ExampleReadable } from './io.js';

/** Where {@link terminalSecretProvider} looks for the value. */
export interface TerminalSecretOptions {
  /** The environment variable that may hold it, e.g. `MYNACARD_TEXT_PIN`. */
  readonly env: string;
  /** Read one line of stdin (when stdin is not a terminal). */
  readonly pinStdin?: boolean;
}

/** "3 of 3 tries left" in the example's language. */
export function triesText(tries: TriesState, lang: 'ja' | 'en'): string {
  switch (tries.state) {
    case 'tries':
      if (lang === 'ja') return tries.max === undefined ? `残り${tries.remaining}回` : `残り${tries.remaining}回 (最大${tries.max}回)`;
      return tries.max === undefined ? `${tries.remaining} tries left` : `${tries.remaining} of ${tries.max} tries left`;
    case 'verified':
      return lang === 'ja' ? '照合済み' : 'verified';
    case 'unlimited':
      return lang === 'ja' ? '回数制限なし' : 'no retry limit';
    case 'blocked':
      return lang === 'ja' ? 'ロック中' : 'blocked';
  }
}

/**
 * A provider that takes the secret from stdin, `options.env` or a hidden prompt, announcing the
 * tries on stderr first (and a warning on the last try).
 */
export function terminalSecretProvider(io: ExampleIo, options: TerminalSecretOptions): SecretProvider {
  return async (request: SecretRequest) => {
    const lang = exampleLanguage(io);
    const name = lang === 'ja' ? request.nameJa : `${request.nameEn} (${request.nameJa})`;
    const status = `${name}: ${triesText(request.tries, lang)}`;
    const warning = !request.lastTry ? '' : lang === 'ja' ? ' 最後の1回です。間違えるとロックされます。' : ' This is the last try: a wrong value blocks it.';
    if (options.pinStdin === true && io.stdin.isTTY !== true) {
      io.stderr.write(`${status}${warning} (stdin)\n`);
      return readLine(io.stdin);
    }
    const fromEnv = io.env[options.env];
    if (fromEnv !== undefined && fromEnv !== '') {
      io.stderr.write(`${status}${warning} (${options.env})\n`);
      return fromEnv;
    }
    if (io.stdin.isTTY !== true || io.stdin.setRawMode === undefined) {
      throw new ExampleError('secret-unavailable', `No ${request.nameEn}: set ${options.env}, pass --pin-stdin, or run in a terminal`, EXIT.secretUnavailable);
    }
    return promptHidden(io, `${status}${warning}\n${name}: `, request.signal);
  };
}

/** One line of a non-terminal stdin (without its line ending). */
async function readLine(stdin: ExampleReadable): Promise<string> {
  let line = '';
  for await (const chunk of stdin) {
    line += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    const end = line.indexOf('\n');
    if (end >= 0) return line.slice(0, end).replace(/\r$/, '');
  }
  if (line === '') throw new ExampleError('secret-unavailable', 'stdin ended before the secret', EXIT.secretUnavailable);
  return line.replace(/\r$/, '');
}

/** Read a line from the terminal in raw mode, echoing nothing. Ctrl-C cancels (exit 130). */
function promptHidden(io: ExampleIo, question: string, signal: AbortSignal | undefined): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(question);
  let typed = '';
  return new Promise<string>((resolve, reject) => {
    const finish = (error?: Error): void => {
      stdin.off?.('data', onData);
      signal?.removeEventListener('abort', onAbort);
      stdin.setRawMode?.(false);
      stdin.pause?.();
      io.stderr.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
      typed = '';
    };
    const onAbort = (): void => finish(new ExampleError('interrupted', 'Cancelled', EXIT.interrupted));
    const onData = (chunk: string | Uint8Array): void => {
      const text = typeof chunk === 'string' ? chunk : new TextDecoder('latin1').decode(chunk);
      for (const c of text) {
        if (c === '\r' || c === '\n') return finish();
        if (c === '\u0003') return finish(new ExampleError('interrupted', 'Cancelled', EXIT.interrupted));
        if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
        else if (c >= ' ' && c < '\u007f') typed += c;
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    stdin.setRawMode?.(true);
    stdin.resume?.();
    stdin.on?.('data', onData);
  });
}
