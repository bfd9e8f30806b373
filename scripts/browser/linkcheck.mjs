// Offline link and fragment check over a built site: every href/src/srcset/xlink:href in every
// HTML and SVG file, and every url() in CSS, must point at a file inside the site; every
// #fragment must name an id (or <a name>) in the target page or SVG. Absolute paths (/x) are
// findings, since the site must work under any sub-path. External links (https:, mailto:) are
// not fetched; they are listed by host so a reviewer sees where the site points.
//
//   node linkcheck.mjs SITE_DIR        exit 0 clean, 1 broken links, 2 crash
import { readFile, readdir } from 'node:fs/promises';
import { join, relative, resolve, dirname, posix } from 'node:path';

const ENTITY = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };
const unescape = (s) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITY[e] ?? m;
  });

async function walk(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/** Attribute values that are URLs, from markup (HTML or SVG). Comments are skipped. */
function urlsInMarkup(text) {
  const noComments = text.replace(/<!--[\s\S]*?-->/g, '');
  const out = [];
  // Only inside tags: an attribute-looking string in text content is escaped (&quot;) anyway.
  for (const tag of noComments.matchAll(/<[a-zA-Z][^>]*>/g)) {
    for (const m of tag[0].matchAll(/\s(href|src|xlink:href|srcset|poster|action|formaction|data)\s*=\s*("([^"]*)"|'([^']*)'|([^\s>]+))/gi)) {
      const raw = unescape(m[3] ?? m[4] ?? m[5] ?? '');
      if (m[1].toLowerCase() === 'srcset') out.push(...raw.split(',').map((c) => c.trim().split(/\s+/)[0]).filter(Boolean));
      else if (m[1].toLowerCase() === 'data' && !tag[0].toLowerCase().startsWith('<object')) continue;
      else out.push(raw);
    }
    // Inline style url(...) too.
    for (const m of tag[0].matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/g)) out.push(unescape(m[1]));
  }
  return out;
}

const idsIn = (text) => {
  const ids = new Set();
  for (const m of text.matchAll(/\s(?:id|name)\s*=\s*("([^"]*)"|'([^']*)')/g)) ids.add(unescape(m[2] ?? m[3]));
  return ids;
};

async function main() {
  const site = resolve(process.argv[2] ?? 'site');
  const files = (await walk(site)).map((f) => relative(site, f).split('\\').join('/'));
  const present = new Set(files);
  const text = new Map();
  for (const f of files.filter((f) => /\.(html|svg|css)$/.test(f))) text.set(f, await readFile(join(site, f), 'utf8'));
  const ids = new Map();
  const idsOf = (f) => {
    if (!ids.has(f)) ids.set(f, idsIn(text.get(f) ?? ''));
    return ids.get(f);
  };

  const broken = [];
  const external = new Map();
  let checked = 0;
  for (const [file, body] of text) {
    const urls = file.endsWith('.css') ? [...body.matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/g)].map((m) => m[1]) : urlsInMarkup(body);
    for (const url of urls) {
      checked++;
      if (/^(https?:|mailto:)/i.test(url)) {
        const host = url.startsWith('mailto:') ? 'mailto' : new URL(url).host;
        external.set(host, (external.get(host) ?? 0) + 1);
        continue;
      }
      if (url.startsWith('data:')) continue;
      if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
        broken.push(`${file}: link with scheme ${url.split(':')[0]}: ${url}`);
        continue;
      }
      if (url.startsWith('/')) {
        broken.push(`${file}: root-absolute link ${url} breaks under a sub-path`);
        continue;
      }
      const [pathPart, frag = ''] = url.split('#', 2);
      const path = pathPart.split('?')[0];
      let target = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), decodeURIComponent(path)));
      if (target.startsWith('..')) {
        broken.push(`${file}: ${url} leaves the site`);
        continue;
      }
      if (target.endsWith('/') || present.has(target + '/index.html')) target = posix.join(target, 'index.html');
      if (!present.has(target)) {
        broken.push(`${file}: ${url} -> ${target} does not exist`);
        continue;
      }
      if (frag && /\.(html|svg)$/.test(target) && !idsOf(target).has(decodeURIComponent(frag)))
        broken.push(`${file}: ${url} -> no id "${frag}" in ${target}`);
    }
  }
  const hosts = [...external].map(([h, n]) => `${h} (${n})`).join(', ');
  console.log(`link check: ${checked} links in ${text.size} HTML/SVG/CSS files; external, not fetched: ${hosts || 'none'}`);
  if (broken.length) {
    console.error(`link check FAILED, ${broken.length} broken:`);
    for (const b of broken) console.error(`  ${b}`);
    process.exit(1);
  }
  console.log('link check: ok');
}

main().catch((e) => {
  console.error(`link check crashed: ${e.stack ?? e}`);
  process.exit(2);
});
