/**
 * Renders the handlebars templates under `templates/<artifact>/`. Templates are read and compiled
 * once per process (lazily, per artifact folder) so emitting 1,000 features does no file I/O.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { printable } from '../safe-text.ts';
import { bqIdent, bqPath, bqString, cqlIdent, cqlString, pyIdent, pyString } from './identifiers.ts';

export const TEMPLATE_ROOT = fileURLToPath(new URL('../../templates/', import.meta.url));

/** An isolated instance, so helpers registered here cannot clash with anyone else's. */
const hbs = Handlebars.create();

function stringArg(value: unknown, helper: string): string {
  if (typeof value !== 'string') throw new Error(`template helper ${helper}: expected a string, got ${typeof value}`);
  return value;
}

/**
 * One-line text for a `--` or `#` comment: a line break inside a description would end the comment,
 * and any other control character is escaped (validation refuses them; this is the second wall).
 */
function oneLine(value: string): string {
  return printable(value.replace(/\s*[\r\n\u2028\u2029]+\s*/g, ' ').trim());
}

hbs.registerHelper('cqlIdent', (v: unknown) => cqlIdent(stringArg(v, 'cqlIdent')));
hbs.registerHelper('cqlString', (v: unknown) => cqlString(stringArg(v, 'cqlString')));
hbs.registerHelper('bqIdent', (v: unknown) => bqIdent(stringArg(v, 'bqIdent')));
hbs.registerHelper('bqString', (v: unknown) => bqString(stringArg(v, 'bqString')));
hbs.registerHelper('pyIdent', (v: unknown) => pyIdent(stringArg(v, 'pyIdent')));
hbs.registerHelper('pyString', (v: unknown) => pyString(stringArg(v, 'pyString')));
hbs.registerHelper('oneLine', (v: unknown) => oneLine(stringArg(v, 'oneLine')));
/** `{{bqPath a b c}}`: the last argument handlebars passes is its options object, not a part. */
hbs.registerHelper('bqPath', (...args: unknown[]) =>
  bqPath(...args.slice(0, -1).map((a) => stringArg(a, 'bqPath'))),
);

type Template = (view: object) => string;
const cache = new Map<string, ReadonlyMap<string, Template>>();

function loadArtifact(artifact: string): ReadonlyMap<string, Template> {
  const cached = cache.get(artifact);
  if (cached) return cached;
  const dir = `${TEMPLATE_ROOT}${artifact}/`;
  const templates = new Map<string, Template>();
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.hbs')) continue;
    // CRLF from a Windows checkout must not leak into generated files.
    const source = readFileSync(dir + file, 'utf8').replace(/\r\n?/g, '\n');
    // strict: a view-model typo throws instead of silently rendering nothing.
    templates.set(file.slice(0, -'.hbs'.length), hbs.compile(source, { noEscape: true, strict: true }));
  }
  cache.set(artifact, templates);
  return templates;
}

/** Renders `templates/<artifact>/<name>.hbs`; the result always ends with exactly one `\n`. */
export function render(artifact: string, name: string, view: object): string {
  const template = loadArtifact(artifact).get(name);
  if (!template) throw new Error(`internal: no template ${artifact}/${name}.hbs under ${TEMPLATE_ROOT}`);
  return withOneTrailingNewline(template(view));
}

/** A scan from the end instead of `/\n*$/`, which V8 retries at every newline of a large file. */
function withOneTrailingNewline(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 10) end--;
  return `${text.slice(0, end)}\n`;
}
