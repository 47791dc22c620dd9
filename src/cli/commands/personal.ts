/**
 * The commands that read personal data, each only when asked: `mynacard text` (基本4情報; the
 * 個人番号 only with `--show-my-number`), `mynacard face` (the card face), and
 * `mynacard pin change`.
 * @packageDocumentation
 */
import { FileNotFoundError } from '../../apdu/status.js';
import type { SecretProvider } from '../../secret.js';
import type { TextAttributes } from '../../aps/records.js';
import { flag, stringOption } from '../args.js';
import type { Command, CommandContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { ApName } from '../i18n.js';
import { fieldLines } from '../output.js';

/** Run `read`, turning "application not found" into exit 10 naming the application. */
export async function requireAp<T>(context: CommandContext, ap: ApName, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof FileNotFoundError) {
      throw new CliError('not-supported', EXIT.notSupported, context.msg.notSupported(context.msg.apLabel[ap]), { cause: error });
    }
    throw error;
  }
}

/**
 * The text PIN as a provider (the SDK shows nothing to it before its guard passed);
 * `fallback` is the simulator's default.
 */
export function textPin(
  context: CommandContext,
  fallback?: { readonly value: string; readonly note: string },
): SecretProvider {
  return context.secretProvider('text', fallback);
}

/** The 基本4情報 as the JSON output carries them. */
export interface AttributesJson {
  readonly name: string;
  readonly address: string;
  readonly birthDate: string;
  readonly sex: string;
  readonly sexCode: string;
}

/** JSON form of the attributes (without the raw record). */
export function attributesJson(attributes: TextAttributes): AttributesJson {
  return {
    name: attributes.name,
    address: attributes.address,
    birthDate: attributes.birthDate,
    sex: attributes.sex.value,
    sexCode: attributes.sex.code,
  };
}

/** Human lines of the attributes. */
export function attributeLines(attributes: AttributesJson, context: CommandContext, indent = ''): string[] {
  const { msg } = context;
  return fieldLines(
    [
      [msg.fieldName, attributes.name],
      [msg.fieldAddress, attributes.address],
      [msg.fieldBirthDate, attributes.birthDate],
      [msg.fieldSex, msg.sexLabel[attributes.sex] ?? attributes.sex],
    ],
    indent,
  );
}

/** `mynacard text [--show-my-number]`. */
export const textCommand: Command = async (context) => {
  const { msg } = context;
  const showMyNumber = flag(context.args.options, 'show-my-number');
  const card = await context.card();
  const pin = textPin(context);
  const options = { pin, allowLastTry: context.allowLastTry };
  const attributes = attributesJson(
    await context.withSecret('text', () => requireAp(context, 'text', () => card.text.readAttributes(options))),
  );
  // Data minimisation: the 個人番号 is read only when it is to be shown.
  const myNumber = showMyNumber ? await context.withSecret('text', () => card.text.readMyNumber(options)) : null;
  const lines = fieldLines([
    [msg.fieldName, attributes.name],
    [msg.fieldAddress, attributes.address],
    [msg.fieldBirthDate, attributes.birthDate],
    [msg.fieldSex, msg.sexLabel[attributes.sex] ?? attributes.sex],
    [msg.fieldMyNumber, myNumber ?? msg.myNumberHidden],
  ]);
  return {
    result: { attributes, myNumber },
    human: lines.join('\n'),
  };
};

/** `mynacard face [--photo <file>] [--credential text-pin|verification-b]`. */
export const faceCommand: Command = async (context) => {
  const { msg, args } = context;
  const photoFile = stringOption(args.options, 'photo');
  const credential = stringOption(args.options, 'credential') ?? 'text-pin';
  if (photoFile !== undefined) await context.checkOutput(photoFile);
  const card = await context.card();
  const options = { allowLastTry: context.allowLastTry };
  const progress = context.progress(msg.readingFace);
  let face;
  try {
    if (credential === 'verification-b') {
      const verificationB = context.secretProvider('verificationB');
      face = await context.withSecret('verificationB', () =>
        requireAp(context, 'face', () => card.face.readFace({ verificationB, ...options, onProgress: progress.onProgress })),
      );
    } else {
      // The text PIN opens the 個人番号, which is 照合番号A of the face AP: one PIN the holder knows.
      const pin = textPin(context);
      const verificationA = await context.withSecret('text', () =>
        requireAp(context, 'text', () => card.text.readMyNumber({ pin, ...options })),
      );
      face = await requireAp(context, 'face', () =>
        card.face.readFace({ verificationA, ...options, onProgress: progress.onProgress }),
      );
    }
  } finally {
    progress.done();
  }
  if (photoFile !== undefined) await context.writeFile(photoFile, face.photo);
  const lines = fieldLines([
    [msg.fieldBirthDate, face.birthDate],
    [msg.fieldSex, msg.sexLabel[face.sex.value] ?? face.sex.value],
    [msg.fieldExpiry, face.expiryDate],
    [msg.fieldPhoto, photoFile === undefined ? msg.photoNotWritten(face.photo.length) : msg.photoWritten(face.photo.length, photoFile)],
  ]);
  lines.push(msg.faceImages(face.nameImage.length, face.addressImage.length, face.securityCodeImage.length));
  return {
    result: {
      birthDate: face.birthDate,
      sex: face.sex.value,
      sexCode: face.sex.code,
      expiryDate: face.expiryDate,
      photo: { bytes: face.photo.length, format: 'jp2', out: photoFile },
      images: {
        nameBytes: face.nameImage.length,
        addressBytes: face.addressImage.length,
        securityCodeBytes: face.securityCodeImage.length,
      },
    },
    human: lines.join('\n'),
  };
};

/** `mynacard pin change <auth|sign|text>`. */
export const pinChangeCommand: Command = async (context) => {
  const { msg } = context;
  const kind = context.args.positionals['kind'] as 'auth' | 'sign' | 'text';
  const card = await context.card();
  const options = { allowLastTry: context.allowLastTry };
  if (kind === 'text') {
    // One provider: asked for the current value, then (purpose 'new') for the new one.
    const pin = textPin(context);
    await context.withSecret('text', () =>
      requireAp(context, 'text', () => card.text.changePin({ pin, newPin: pin, ...options })),
    );
  } else {
    const pin = context.secretProvider(kind);
    await context.withSecret(kind, () => card.jpki.changePin(kind, { pin, newPin: pin, ...options }));
  }
  return { result: { changed: kind }, human: msg.pinChanged(msg.secretLabel[kind]) };
};
