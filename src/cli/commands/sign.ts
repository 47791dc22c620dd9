/**
 * `mynacard sign` (sign a file on the card: a raw PKCS #1 v1.5 signature, or CMS SignedData
 * with the 署名用 key) and `mynacard verify` (check either offline, with the chain).
 * @packageDocumentation
 */
import { hashData, type HashAlgorithm } from '../../hash/digest-info.js';
import type { JpkiKeyKind } from '../../aps/jpki.js';
import { verifyJpkiChain } from '../../crypto/chain.js';
import type { JpkiCard } from '../../crypto/card.js';
import { signCms, verifyCms } from '../../crypto/cms.js';
import { verifyRawSignature, type RawSignatureResult } from '../../crypto/signature.js';
import { toHex } from '../../bytes.js';
import { flag, stringOption } from '../args.js';
import { certificateRows, chainJson, chainReport, parseAt, reasonRows, singleCertificate, summarize } from '../certificates.js';
import type { Command, CommandContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { fieldLines, toPem } from '../output.js';
import { chooseTrust, readCardCertificate } from './cert.js';

/** 性別 of the JPKI SAN: `'1'` male, `'2'` female, `'3'` unknown (cert-profile §3). */
function sanSex(code: string): string {
  return code === '1' ? 'male' : code === '2' ? 'female' : 'unknown';
}

function required(context: CommandContext, name: string): string {
  const value = stringOption(context.args.options, name);
  if (value === undefined) throw new CliError('usage', EXIT.usage, context.msg.missingOption(`--${name}`));
  return value;
}

/** `mynacard sign --key <auth|sign> --in <file> --out <file> [--cms [--detached]]`. */
export const signCommand: Command = async (context) => {
  const { msg, args } = context;
  const key = required(context, 'key') as JpkiKeyKind;
  const input = required(context, 'in');
  const out = required(context, 'out');
  const cms = flag(args.options, 'cms');
  const detached = flag(args.options, 'detached');
  const hash = (stringOption(args.options, 'hash') ?? 'SHA-256') as HashAlgorithm;
  const certOut = stringOption(args.options, 'cert-out');
  if (cms && key !== 'sign') throw new CliError('usage', EXIT.usage, msg.cmsNeedsSignKey);
  if (detached && !cms) throw new CliError('usage', EXIT.usage, msg.missingOption('--cms'));
  if (cms && stringOption(args.options, 'hash') !== undefined) {
    throw new CliError('usage', EXIT.usage, msg.conflictingOptions('--cms', '--hash'));
  }
  const data = await context.readFile(input);
  // Before the card is touched: an output that would be refused is refused now.
  await context.checkOutput(out);
  if (certOut !== undefined) await context.checkOutput(certOut);
  const card = await context.card();
  // The SDK reads the tries and guards, then asks this provider: no extra APDU.
  const pin = context.secretProvider(key);
  let output: Uint8Array;
  let certificate: Uint8Array | undefined;
  if (cms) {
    // signCms takes the JpkiCard shape: pass the card with --allow-last-try applied to both calls.
    const allowLastTry = context.allowLastTry;
    const jpkiCard: JpkiCard = {
      jpki: {
        sign: (kind, bytes, options) => card.jpki.sign(kind, bytes, { ...options, allowLastTry }),
        readCertificate: (kind, options) => card.jpki.readCertificate(kind, { ...options, allowLastTry }),
      },
    };
    output = await context.withSecret('sign', () => signCms(jpkiCard, data, { pin, detached, signingTime: context.now() }));
  } else {
    output = await context.withSecret(key, () => card.jpki.sign(key, data, { pin, hash, allowLastTry: context.allowLastTry }));
  }
  if (certOut !== undefined) {
    // The signing certificate needs the password again (same session, no new prompt).
    certificate =
      key === 'sign'
        ? await context.withSecret('sign', () => card.jpki.readCertificate('sign', { pin, allowLastTry: context.allowLastTry }))
        : await readCardCertificate(context, card, 'auth');
  }
  await context.writeFile(out, output, { signed: true });
  if (certOut !== undefined && certificate !== undefined) await context.writeFile(certOut, toPem(certificate));
  const lines = [msg.signed(data.length, key, out, cms)];
  if (certOut !== undefined) lines.push(msg.certOut(certOut));
  return {
    result: {
      key,
      format: cms ? (detached ? 'cms-detached' : 'cms') : 'pkcs1',
      hash: cms ? 'SHA-256' : hash,
      input: { file: input, bytes: data.length, sha256: toHex(hashData('SHA-256', data)) },
      out,
      outBytes: output.length,
      certOut,
    },
    human: lines.join('\n'),
  };
};

/** `mynacard verify`: CMS (`--cms`) or raw (`--in --sig --cert`). */
export const verifyCommand: Command = async (context) => {
  const { msg, args } = context;
  const at = parseAt(stringOption(args.options, 'at'), context.now(), msg);
  const trust = await chooseTrust(context);
  const roots = trust.roots === undefined ? {} : { roots: trust.roots };
  const cmsFile = stringOption(args.options, 'cms');
  const showSigner = flag(args.options, 'show-signer');
  if (cmsFile !== undefined) {
    for (const other of ['in', 'sig', 'cert', 'hash']) {
      if (stringOption(args.options, other) !== undefined) {
        throw new CliError('usage', EXIT.usage, msg.conflictingOptions('--cms', `--${other}`));
      }
    }
    if (flag(args.options, 'allow-auth-key')) throw new CliError('usage', EXIT.usage, msg.conflictingOptions('--cms', '--allow-auth-key'));
    const contentFile = stringOption(args.options, 'content');
    const content = contentFile === undefined ? undefined : await context.readFile(contentFile);
    const cms = await context.readFile(cmsFile);
    const contentOutFile = stringOption(args.options, 'content-out');
    if (contentOutFile !== undefined) await context.checkOutput(contentOutFile);
    const verdict = await verifyCms(cms, {
      at,
      ...roots,
      allowSha1: flag(args.options, 'allow-sha1'),
      ...(content === undefined ? {} : { content }),
    });
    const contentOut = stringOption(args.options, 'content-out');
    if (contentOut !== undefined && verdict.valid && verdict.content !== undefined) {
      await context.writeFile(contentOut, verdict.content);
    }
    const person = verdict.signer?.person;
    const head: [string, string][] = [[msg.fieldSignature, verdict.valid ? msg.valid : msg.invalid]];
    if (verdict.signingTime !== undefined) head.push([msg.fieldSigningTime, verdict.signingTime.toISOString()]);
    head.push(...reasonRows(verdict.reasons, msg));
    const lines =
      verdict.chain !== undefined
        ? chainReport(verdict.signer, verdict.chain, trust, at, msg, '', head)
        : fieldLines([...head, ...(verdict.signer === undefined ? [] : certificateRows(summarize(verdict.signer), msg))]);
    if (person !== undefined) {
      if (showSigner) {
        lines.push(
          `${msg.signerPerson}:`,
          ...fieldLines(
            [
              [msg.fieldName, person.name],
              [msg.fieldAddress, person.address],
              [msg.fieldBirthDate, person.birthDate.date],
              [msg.fieldSex, msg.sexLabel[sanSex(person.sex)] ?? person.sex],
            ],
            '  ',
          ),
        );
      } else {
        lines.push(msg.signerHidden);
      }
    }
    if (contentOut !== undefined && verdict.valid && verdict.content !== undefined) {
      lines.push(msg.contentWritten(verdict.content.length, contentOut));
    }
    if (contentFile === undefined && verdict.reasons.includes('content-missing')) lines.push(msg.detachedHint);
    return {
      result: {
        format: 'cms',
        valid: verdict.valid,
        reasons: verdict.reasons,
        signingTime: verdict.signingTime,
        signer: verdict.signer === undefined ? undefined : summarize(verdict.signer),
        signerPerson:
          showSigner && person !== undefined
            ? {
                name: person.name,
                address: person.address,
                birthDate: person.birthDate.date,
                sex: sanSex(person.sex),
                sexCode: person.sex,
              }
            : undefined,
        chain: verdict.chain === undefined ? undefined : chainJson(verdict.chain, trust, at),
        contentBytes: verdict.content?.length,
        contentOut: contentOut !== undefined && verdict.valid ? contentOut : undefined,
      },
      human: lines.join('\n'),
      exitCode: verdict.valid ? EXIT.ok : EXIT.verificationFailed,
    };
  }
  const input = required(context, 'in');
  const sigFile = required(context, 'sig');
  const certFile = required(context, 'cert');
  const hash = (stringOption(args.options, 'hash') ?? 'SHA-256') as HashAlgorithm;
  const allowAuthKey = flag(args.options, 'allow-auth-key');
  const allowSha1 = flag(args.options, 'allow-sha1');
  const data = await context.readFile(input);
  const signature = await context.readFile(sigFile);
  const certificate = singleCertificate(await context.readFile(certFile), certFile, msg);
  const chain = await verifyJpkiChain(certificate, { at, ...roots, allowSha1 });
  // Same rules as the library: a 署名用 certificate, unless --allow-auth-key; SHA-1 only with --allow-sha1.
  const raw: RawSignatureResult = chain.reasons.includes('malformed-certificate')
    ? { valid: false, reasons: ['data-signature-invalid'], kind: undefined }
    : await verifyRawSignature(certificate, data, signature, { hash, allowAuthKey, allowSha1 }).catch(
        (): RawSignatureResult => ({ valid: false, reasons: ['data-signature-invalid'], kind: chain.certificate?.kind }),
      );
  const valid = raw.valid && chain.valid;
  const head: [string, string][] = [[msg.fieldSignature, raw.valid ? msg.valid : msg.invalid]];
  head.push(...reasonRows(raw.reasons, msg));
  const lines = chainReport(chain.certificate, chain, trust, at, msg, '', head);
  if (raw.reasons.includes('auth-key-not-allowed')) lines.push(msg.authKeyRefused);
  if (raw.reasons.includes('sha1-signature')) lines.push(msg.sha1Refused);
  return {
    result: {
      format: 'pkcs1',
      valid,
      hash,
      signatureValid: raw.valid,
      reasons: raw.reasons,
      signer: chain.certificate === undefined ? undefined : summarize(chain.certificate),
      chain: chainJson(chain, trust, at),
    },
    human: lines.join('\n'),
    exitCode: valid ? EXIT.ok : EXIT.verificationFailed,
  };
};
