/**
 * What a later revision changed in the objects of a signed one. Adding a signature changes a
 * few objects in known ways (the catalog's `/AcroForm` or `/DSS`, the form's `/Fields` and
 * `/SigFlags`, a page's `/Annots`, an empty signature field's `/V`), and only by adding
 * references to signature fields; anything else changes what the signed revision showed.
 * @packageDocumentation
 */
import { PDFArray, PDFDict, PDFName, PDFRef, type PDFContext, type PDFObject } from 'pdf-lib';
import { equalBytes } from '../bytes.js';
import { objectBytes } from './update-writer.js';

const same = (a: PDFObject | undefined, b: PDFObject | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && equalBytes(objectBytes(a), objectBytes(b)));

/** A signature field or its widget (`/FT /Sig`, possibly inherited from `/Parent`). */
export function isSignatureField(context: PDFContext, object: PDFObject | undefined): boolean {
  let node = object instanceof PDFRef ? context.lookup(object) : object;
  for (let depth = 0; depth < 32 && node instanceof PDFDict; depth++) {
    const ft = node.get(PDFName.of('FT'));
    if (ft !== undefined) return ft === PDFName.of('Sig');
    node = node.lookup(PDFName.of('Parent'));
  }
  return false;
}

/** `after` keeps the elements of `before` in order and only adds signature fields after them. */
function onlyAddsSignatureFields(context: PDFContext, before: PDFObject | undefined, after: PDFObject | undefined): boolean {
  const old = before === undefined ? [] : before instanceof PDFArray ? before.asArray() : undefined;
  if (old === undefined || !(after instanceof PDFArray)) return false;
  const next = after.asArray();
  if (next.length < old.length || !old.every((item, i) => same(item, next[i]))) return false;
  return next.slice(old.length).every((item) => item instanceof PDFRef && isSignatureField(context, item));
}

/** The keys of a dictionary that a signature may change, by what the dictionary is. */
function allowedKeys(before: PDFDict, context: PDFContext): readonly string[] {
  const type = before.get(PDFName.of('Type'));
  if (type === PDFName.of('Catalog')) return ['AcroForm', 'DSS'];
  if (type === PDFName.of('Page')) return ['Annots'];
  if (before.has(PDFName.of('Fields'))) return ['Fields', 'SigFlags'];
  if (isSignatureField(context, before) && !before.has(PDFName.of('V'))) return ['V', 'AP'];
  return [];
}

/**
 * Whether `after` (the object in the later revision, resolved in `afterContext`) only adds a
 * signature to `before` (the object in the signed revision).
 * @internal
 */
export function onlyAddsSignature(before: PDFObject, after: PDFObject | undefined, afterContext: PDFContext): boolean {
  if (same(before, after)) return true;
  if (before instanceof PDFArray) return onlyAddsSignatureFields(afterContext, before, after);
  if (!(before instanceof PDFDict) || !(after instanceof PDFDict)) return false;
  const allowed = allowedKeys(before, afterContext);
  const keys = new Set([...before.keys(), ...after.keys()].map((k) => k.asString()));
  for (const key of keys) {
    const name = PDFName.of(key.slice(1));
    const was = before.get(name);
    const now = after.get(name);
    if (same(was, now)) continue;
    if (!allowed.includes(key.slice(1))) return false;
    if (key === '/Fields' || key === '/Annots') {
      if (!onlyAddsSignatureFields(afterContext, was, now)) return false;
    } else if (key === '/AcroForm' && was instanceof PDFDict) {
      if (!onlyAddsSignature(was, now, afterContext)) return false;
    } else if (key === '/AcroForm' && was === undefined) {
      const form = afterContext.lookup(now);
      if (!(form instanceof PDFDict) || !onlyAddsSignatureFields(afterContext, undefined, form.lookup(PDFName.of('Fields')))) return false;
    } else if (key === '/AcroForm') {
      return false; // an existing form replaced by another
    }
  }
  return true;
}
