"""Build the docs site and README.md offline, and check the site in headless Chromium.

    python tools/site.py docs     # nbs/*.ipynb -> _docs/*.html, and nbs/sidebar.yml for Quarto
    python tools/site.py readme   # nbs/index.ipynb -> README.md (+ index_files/*.png)
    python tools/site.py check    # load every page of _docs/ in headless Chromium (Playwright); screenshots in artefacts/

Quarto (`nbdev_docs`, `nbdev_readme`) cannot be installed here, so this renders the same notebooks the
same way without it: nbdev's own documentation processors (exactly the ones `nbdev_proc_nbs` runs before
Quarto: front matter from the `# Title` cell, `#| hide` cells dropped, `show_doc` cells executed,
directives stripped, backticked names linked) followed by nbconvert's HTML and Markdown exporters.
The one difference from nbdev's defaults is deliberate: `#| export` cells are treated as `#| exports`, so
the reader sees each exported definition's code once, folded under its `show_doc` signature, instead of
only the signature. The stored outputs of the executed notebooks are shown as they are
(`tools/execute_nbs.py` stores them); nothing is re-run except what `show_doc` needs.

The site needs no network: TeX math (`$...$`, `$$...$$`) is turned into MathML at build time (latex2mathml;
Chromium renders MathML natively) instead of nbconvert's MathJax from a CDN, and widgets are shown through the
static HTML their outputs carry (the scrubber of `ep3dynamics.plots` carries one), never a CDN widget manager.
The check drives Debian's `chromium-headless-shell` through Playwright (`executable_path`, no browser download).
"""
import argparse, hashlib, os, re, shutil, sys, time, warnings
from pathlib import Path

import nbformat, yaml
from latex2mathml.converter import convert as tex2mathml
from execnb.nbio import nb2str, read_nb
from nbconvert import HTMLExporter, MarkdownExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from nbdev.config import get_config
from nbdev.doclinks import _nbpath2html
from nbdev.process import extract_directives
from nbdev.processors import FilterDefaults
from nbdev.quarto import nbdev_sidebar

TEMPLATES = Path(__file__).parent/'site_templates'
ASSETS = ('styles.css',)  # files of nbs/ the pages link to (Quarto's `css: styles.css`)
IMAGE_TYPES = ('image/png', 'image/jpeg')

# ---------------------------------------------------------------------------------------------------
# Notebook processing: nbdev's processors, then Quarto's cell options turned into nbconvert tags.

def export_shows_code(cell):
    "Treat `#| export` as `#| exports`: nbdev then shows the code once, folded, after the `show_doc`."
    d = getattr(cell, 'directives_', None)
    if cell.cell_type == 'code' and d and 'export' in d: d['exports'] = d.pop('export')

class SiteProcs(FilterDefaults):
    "nbdev's docs processors (as `nbdev_proc_nbs` uses them) with `export_shows_code` first."
    def base_procs(self): return [export_shows_code, *super().base_procs()]

_re_opt = re.compile(r'^\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')

def quarto_options(cell):
    "Strip the Quarto options nbdev leaves in a cell's source (`#| echo: false`...) and return them."
    lines, opts = cell.source.splitlines(), {}
    while lines and (m := _re_opt.match(lines[0])):
        opts[m.group(1)] = m.group(2).strip('"\'')
        lines.pop(0)
    cell.source = '\n'.join(lines)
    return opts

def apply_options(cell, opts):
    "Quarto's meaning of the options, expressed as nbconvert tags and metadata."
    tags = set(cell.metadata.get('tags', []))
    false = lambda k: opts.get(k, '').lower() == 'false'
    if false('include'): tags.add('remove_cell')
    if false('echo'): tags.add('remove_input')
    if false('output'): tags.add('remove_output')
    if 'code-fold' in opts: cell.metadata['code_fold'] = {'open': opts['code-fold'] == 'show',
                                                           'summary': opts.get('code-summary', 'Code')}
    if tags: cell.metadata['tags'] = sorted(tags)

_re_attr_link = re.compile(r'\[([^\]]+)\]\(([^)\s]+)\)\{([^}]*)\}')

def pandoc_links(md):
    "Pandoc's `[text](url){attrs}` (show_doc's source link) as the HTML link Quarto makes of it."
    return _re_attr_link.sub(lambda m: f'<a href="{m.group(2)}" {m.group(3).strip()}>{m.group(1)}</a>', md)

def _is_doc(cell): return cell.cell_type == 'code' and cell.source.lstrip().startswith('show_doc(')

def move_code_after_docs(cells):
    "Put folded exported code after the `show_doc` cells right below it, as nbdev's `mv_exports` does for its own."
    i = 0
    while i < len(cells) - 1:
        j = i + 1
        while j < len(cells) and _is_doc(cells[j]): j += 1
        if cells[i].metadata.get('code_fold') and j > i + 1: cells.insert(j - 1, cells.pop(i))
        i = j

WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json'

def static_widgets(nb):
    "Widget outputs in a page without a kernel: their own static `text/html` if they carry one, else a note."
    state = nb.metadata.get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
    if not state: nb.metadata.pop('widgets', None)  # no widgets: no widget manager from a CDN
    for c in nb.cells:
        for o in c.get('outputs', []):
            view = o.get('data', {}).get(WIDGET_VIEW)
            if view and view.get('model_id') not in state:
                keep = {k: v for k, v in o['data'].items() if k == 'text/html'}
                o['data'] = keep or {'text/markdown': '*An interactive widget: run the notebook to use it.*'}

# ---------------------------------------------------------------------------------------------------
# Math: TeX in markdown becomes MathML at build time (no MathJax, no CDN). Formulas are swapped for
# placeholders before nbconvert's markdown renderer sees them and swapped back in its HTML.

_re_code = re.compile(r'(^[ \t]*(```|~~~).*?^[ \t]*\2[^\n]*$|(`+).+?\3)', re.M | re.S)  # fences, inline code
_re_math = re.compile(r'\$\$(.+?)\$\$|(?<![\\$\w])\$(?![\s$])((?:[^$\\\n]|\\.)+?)(?<![\s\\])\$(?![\w$])', re.S)
_re_unknown = re.compile(r'<m[io][^>]*>\\([A-Za-z]+)</m[io]>')  # latex2mathml keeps commands it does not know as text
OPERATORS = set('arg deg det dim exp gcd hom inf ker lg lim liminf limsup ln log max min Pr sup sin cos tan sec csc cot '
                'sinh cosh tanh coth arcsin arccos arctan'.split())  # LaTeX's log-like operator names

def to_mathml(tex, display):
    "MathML for `tex`; LaTeX operator names latex2mathml lacks (`\\arg`) become `\\operatorname`. (mathml, unknown commands)"
    mode = 'block' if display else 'inline'
    mathml = tex2mathml(tex, display=mode)
    if ops := set(_re_unknown.findall(mathml)) & OPERATORS:
        tex = re.sub(r'\\(%s)(?![A-Za-z])' % '|'.join(ops), r'\\operatorname{\1}', tex)
        mathml = tex2mathml(tex, display=mode)
    return mathml, _re_unknown.findall(mathml)

def split_code(md):
    "`md` as (text, is_code) pieces: fenced blocks and inline code spans are code (never math)."
    pieces, at = [], 0
    for m in _re_code.finditer(md):
        pieces += [(md[at:m.start()], False), (m.group(0), True)]
        at = m.end()
    return pieces + [(md[at:], False)]

def find_math(md):
    "The TeX formulas in markdown `md` outside code: [(tex, display)]."
    return [(m.group(1) or m.group(2), m.group(1) is not None) for t, code in split_code(md) if not code
            for m in _re_math.finditer(t)]

class MathML:
    "Replace TeX in markdown by placeholders, convert it to MathML, and put the MathML in the rendered HTML."
    def __init__(self): self.formulas, self.errors = [], []

    def hide(self, md):
        "`md` with each formula replaced by a placeholder token."
        def one(m):
            tex, display = (m.group(1), True) if m.group(1) is not None else (m.group(2), False)
            try: mathml, unknown = to_mathml(tex.strip(), display)
            except Exception as e:  # latex2mathml raises plain exceptions on malformed TeX
                self.errors.append(f'{tex!r}: {type(e).__name__}: {e}'); return m.group(0)
            if unknown: self.errors.append(f'{tex!r}: unknown TeX ' + ', '.join('\\' + u for u in unknown))
            self.formulas.append((tex, mathml))
            return f'EP3MATH{len(self.formulas) - 1}X'
        return ''.join(t if code else _re_math.sub(one, t) for t, code in split_code(md))

    def show(self, html):
        "Placeholders back as MathML (as plain TeX inside tag attributes, e.g. a heading's id)."
        ph = re.compile(r'EP3MATH(\d+)X')
        in_tag = lambda m: ph.sub(lambda k: re.sub(r'\W+', '-', self.formulas[int(k.group(1))][0]).strip('-'), m.group(0))
        html = re.sub(r'<[^<>]*EP3MATH\d+X[^<>]*>', in_tag, html)
        return ph.sub(lambda k: self.formulas[int(k.group(1))][1].replace(' xmlns="http://www.w3.org/1998/Math/MathML"', ''),
                      html)

def hide_math(nb, math):
    "Formulas in markdown cells and markdown outputs (`show_doc`) of `nb` replaced by `math`'s placeholders."
    for c in nb.cells:
        if c.cell_type == 'markdown': c.source = math.hide(c.source)
        for o in c.get('outputs', []):
            if 'text/markdown' in o.get('data', {}): o.data['text/markdown'] = math.hide(o.data['text/markdown'])

def process_notebook(path):
    "`path` after nbdev's docs processors: (nbformat notebook without its front-matter cell, front matter dict)."
    nb = read_nb(path)
    SiteProcs()(nb)
    fm = dict(getattr(nb, 'frontmatter_', {}) or {})
    if fm and nb.cells and nb.cells[0].cell_type == 'raw': nb.cells.pop(0)  # FrontmatterProc's YAML cell
    for cell in nb.cells:
        if cell.cell_type == 'code': apply_options(cell, quarto_options(cell))
        else: cell.source = pandoc_links(cell.source)
        for o in cell.get('outputs', []):
            if 'text/markdown' in o.get('data', {}): o.data['text/markdown'] = pandoc_links(''.join(o.data['text/markdown']))
    move_code_after_docs(nb.cells)
    static_widgets(nb)
    fm.setdefault('title', Path(path).stem)
    return nbformat.reads(nb2str(nb), as_version=4), fm

def _remover():
    return TagRemovePreprocessor(remove_cell_tags={'remove_cell'}, remove_input_tags={'remove_input'},
                                 remove_all_outputs_tags={'remove_output'}, enabled=True)

def explain(e):
    "nbdev's error while running a notebook's cells for `show_doc`, shortened, with the usual fix."
    msg, cause = str(e).split('\n'), e.__cause__
    out = f'{msg[0]} {type(cause).__name__}: {cause}' if cause else str(e)
    src = '\n'.join(msg[1:])
    if isinstance(cause, NameError) and re.search(r'^\s*(import|from)\s', src, re.M):
        out += ('\n    nbdev (nbdev_docs too) runs every cell that contains an import while it renders show_doc;'
                '\n    this cell also uses names from cells it does not run: put the import in a cell of its own.')
    elif isinstance(cause, NameError):
        out += '\n    nbdev runs only `#| export` cells, imports and show_doc cells: is the `#| export` directive missing?'
    return out + '\n    cell: ' + src.strip().replace('\n', '\n          ')[:600]

def page_name(nb_path): return _nbpath2html(Path(nb_path)).name

def has_outputs(nb_path):
    "Whether any cell other than `show_doc` stored an output (nbdev re-runs only `show_doc`)."
    return any(c.get('outputs') for c in read_nb(nb_path).cells if c.cell_type == 'code' and 'show_doc(' not in c.source)

# ---------------------------------------------------------------------------------------------------
# Sidebar: nbdev's own `nbdev_sidebar` writes nbs/sidebar.yml (used by Quarto too); we read it back.

def write_sidebar(nbs):
    "Regenerate `nbs/sidebar.yml` from the notebooks present (index first, then by file name)."
    nbdev_sidebar.__wrapped__(path=str(nbs), force=True)
    return nbs/'sidebar.yml'

def sidebar_entries(nbs):
    "Notebook paths in `sidebar.yml` order, sections flattened."
    def walk(items):
        for it in items:
            if isinstance(it, str): yield it
            elif isinstance(it, dict):
                if 'href' in it: yield it['href']
                yield from walk(it.get('contents', []))
    y = yaml.safe_load((nbs/'sidebar.yml').read_text())
    return [nbs/p for p in walk(y['website']['sidebar']['contents']) if p.endswith('.ipynb')]

# ---------------------------------------------------------------------------------------------------
# docs

def build_docs(nbs, out):
    cfg = get_config()
    write_sidebar(nbs)
    nb_paths = [p for p in sidebar_entries(nbs) if p.exists()]
    processed, failed = {}, []
    for p in nb_paths:
        t = time.time()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            try: processed[p] = process_notebook(p)
            except Exception as e:  # build the other pages, then fail
                failed.append(p.name)
                print(f'FAILED {p.name} (after {time.time()-t:.1f}s): {explain(e)}', flush=True)
        for w in caught:  # nbdev's multi-line warnings, one line each
            text = str(w.message).split('---')
            first = f' First line: {text[1].strip().splitlines()[0]}' if len(text) > 1 else ''
            print(f'  warning ({p.name}): {text[0].strip()}' + first)
        if p not in processed: continue
        print(f'processed {p.name} in {time.time()-t:.1f}s', flush=True)
    sidebar = [dict(href=page_name(p), title=fm['title']) for p, (_, fm) in processed.items()]
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    for a in ASSETS:
        if (nbs/a).exists(): shutil.copy(nbs/a, out/a)
    shutil.copy(TEMPLATES/'ep3site'/'site.css', out/'site.css')
    exporter = HTMLExporter(template_name='ep3site', extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(_remover(), enabled=True)
    site_url = f'{cfg.doc_host}{cfg.doc_baseurl}'.rstrip('/') + '/'
    bad_math = []
    for p, (nb, fm) in processed.items():
        math = MathML()
        hide_math(nb, math)
        bad_math += [f'{p.name}: {e}' for e in math.errors]
        site = dict(name=cfg.title, description=cfg.description, repo=cfg.git_url, sidebar=sidebar,
                    page=page_name(p), title=fm['title'], subtitle=fm.get('description', ''))
        head_title = fm['title'] if fm['title'] == cfg.title else f"{fm['title']} – {cfg.title}"
        html, res = exporter.from_notebook_node(nb, resources=dict(site=site, metadata=dict(name=head_title)))
        html = math.show(html.replace(f'href="{site_url}', 'href="'))  # nbdev links point at the published site
        html = quarto_ids(html)
        html = html.replace('<!--TOC-->', page_toc(html))
        copy_local_images(nb, nbs, p.parent, out)
        (out/page_name(p)).write_text(html, encoding='utf-8')
        print(f'wrote {out/page_name(p)}' + ('' if has_outputs(p) else
              f'  (warning: {p.name} has no stored outputs: run `python tools/execute_nbs.py {os.path.relpath(p)}`)'))
    unlink_missing_anchors(out)
    for e in bad_math: print(f'FAILED math: {e}')
    print(f'{len(processed)} pages in {out}/' + (f'; FAILED: {" ".join(failed)}' if failed else '')
          + (f'; {len(bad_math)} formulas did not convert to MathML' if bad_math else ''))
    return not failed and not bad_math

_re_heading_id = re.compile(r'(<h[1-6] id=")([^"]+)(">.*?<a class="anchor-link" href="#)([^"]+)(")', re.S)

def quarto_ids(html):
    "Lower-case heading ids, as Quarto makes them and nbdev's links (`data.html#load_dataset`) expect."
    return _re_heading_id.sub(lambda m: m.group(1) + m.group(2).lower() + m.group(3) + m.group(4).lower() + m.group(5), html)

_re_heading = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', re.S)

def page_toc(html):
    "Quarto's 'On this page' column, from the h2/h3 headings nbconvert gave ids."
    items = [f'<li class="toc-h{lvl}"><a href="#{hid}">{text.strip()}</a></li>' for lvl, hid, text in _re_heading.findall(html)]
    return f'<nav class="ep3-toc" aria-label="On this page"><h2>On this page</h2><ul>{"".join(items)}</ul></nav>' if items else ''

_re_code_link = re.compile(r'<a href="([\w.-]+\.html)#([^"]+)"><code>(.*?)</code></a>')

def unlink_missing_anchors(out):
    "nbdev links every backticked name it knows, private ones too; keep only links to a heading that exists."
    pages = {f.name: f.read_text(encoding='utf-8') for f in out.glob('*.html')}
    ids = {n: set(re.findall(r'\bid="([^"]+)"', h)) for n, h in pages.items()}
    keep = lambda m: m.group(0) if m.group(2) in ids.get(m.group(1), ()) else f'<code>{m.group(3)}</code>'
    for n, html in pages.items():
        if (new := _re_code_link.sub(keep, html)) != html: (out/n).write_text(new, encoding='utf-8')

_re_local_img = re.compile(r'(?:!\[[^\]]*\]\(|<img[^>]*src=["\'])(?!https?:|data:|attachment:)([^)"\'\s]+)')

def copy_local_images(nb, nbs, nb_dir, out):
    "Copy images that markdown cells reference by relative path next to the pages (as Quarto does)."
    for c in nb.cells:
        if c.cell_type != 'markdown': continue
        for rel in _re_local_img.findall(c.source):
            src = (nb_dir/rel).resolve()
            if src.is_file() and src.is_relative_to(nbs.resolve()):  # Quarto too only publishes files under nbs/
                dst = out/src.relative_to(nbs.resolve())
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(src, dst)

# ---------------------------------------------------------------------------------------------------
# readme

def build_readme(nbs, root):
    cfg = get_config()
    index = nbs/cfg.get('readme_nb', 'index.ipynb')
    nb, fm = process_notebook(index)
    files_dir = f'{index.stem}_files'  # the folder name nbdev_readme uses
    rel = lambda m: m.group(0).replace(m.group(1), os.path.relpath(index.parent/m.group(1), root))
    for c in nb.cells:  # images the notebook links relative to nbs/ must resolve from the README's folder
        if c.cell_type == 'markdown': c.source = _re_local_img.sub(rel, c.source)
    exporter = MarkdownExporter(template_name='ep3readme', extra_template_basedirs=[str(TEMPLATES)],
                                exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.register_preprocessor(_remover(), enabled=True)
    body, res = exporter.from_notebook_node(nb, resources=dict(output_files_dir=files_dir, unique_key='cell'))
    head = f"# {fm['title']}\n\n" + (f"> {fm['description']}\n\n" if fm.get('description') else '')
    readme = root/'README.md'
    readme.write_text(head + squeeze_blank_lines(body) + '\n', encoding='utf-8')
    shutil.rmtree(root/files_dir, ignore_errors=True)  # no stale figures left behind
    for name, data in sorted(res.get('outputs', {}).items()):
        (root/name).parent.mkdir(parents=True, exist_ok=True)
        (root/name).write_bytes(data)
    print(f"wrote {readme} and {len(res.get('outputs', {}))} files in {files_dir}/")

def squeeze_blank_lines(md):
    "At most one blank line between blocks (nbconvert leaves several around outputs); code fences untouched."
    out, fenced = [], False
    for line in md.strip().splitlines():
        if line.startswith('```'): fenced = not fenced
        if not fenced and not line.strip() and (not out or not out[-1].strip()): continue
        out.append(line.rstrip() if not fenced else line)
    return '\n'.join(out)

# ---------------------------------------------------------------------------------------------------
# check: headless Chromium driven by Playwright

def find_chromium():
    "Debian's `chromium-headless-shell` (or another Chromium): Playwright drives it, no browser download."
    for exe in ('chromium-headless-shell', '/usr/lib/chromium/chromium-headless-shell', 'chromium', 'chromium-browser'):
        if shutil.which(exe): return shutil.which(exe)
    sys.exit('headless Chromium not found: apt-get install -y chromium-headless-shell')

class Browser:
    "One Playwright page in headless Chromium that records JS errors and every request it makes."
    def __init__(self, exe=None, width=1280, height=900):
        from playwright.sync_api import sync_playwright
        self.pw = sync_playwright().start()
        try:
            self.browser = self.pw.chromium.launch(executable_path=exe or find_chromium(), args=['--no-sandbox'])
            self.page = self.browser.new_page(viewport=dict(width=width, height=height))
        except Exception: self.pw.stop(); raise
        self.errors, self.requests = [], []
        self.page.on('pageerror', lambda e: self.errors.append(str(e)[:160]))
        self.page.on('request', lambda r: self.requests.append(r.url))

    def load(self, url, timeout=60):
        "Navigate and wait for the load event; the errors and requests lists restart."
        self.errors.clear(); self.requests.clear()
        self.page.goto(url, wait_until='load', timeout=timeout * 1000)

    def screenshot(self, path, max_height=6000):
        h = min(self.page.evaluate('document.documentElement.scrollHeight'), max_height)
        width = self.page.viewport_size['width']
        self.page.screenshot(path=str(path), full_page=True, clip=dict(x=0, y=0, width=width, height=h))

    def close(self):
        try: self.browser.close()
        finally: self.pw.stop()

PAGE_JS = """async () => {
  const imgs = [...document.images];
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  const skip = 'script,style,pre,code,math,.jp-InputArea,.ep3-fold';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let text = [];
  for (let n; (n = walker.nextNode());) {
    const el = n.parentElement;
    if (el && !el.closest(skip) && el.checkVisibility()) text.push(n.textContent);
  }
  text = text.join(' ');
  const tex = /\\$\\$[^$]+\\$\\$|\\$[^\\s$][^$]*?\\$|\\\\(?:frac|sum|lambda|Delta|alpha|mathrm|top|cdot|sqrt)\\b/g;
  const raw = [...text.matchAll(tex)].map(m => m[0].slice(0, 60));
  const math = [...document.querySelectorAll('math')].map(m => { const r = m.getBoundingClientRect();
    return {w: r.width, h: r.height, display: getComputedStyle(m).display, err: !!m.querySelector('merror'),
            tex: m.textContent.slice(0, 40)}; });
  const warnings = [...document.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
    .filter(o => /Warning/.test(o.textContent)).map(o => {
      const cell = o.closest('.jp-Cell'), next = cell && cell.nextElementSibling;
      const explained = !!next && next.matches('.jp-MarkdownCell') && /warn/i.test(next.textContent);
      return {text: o.textContent.trim().split('\\n')[0].slice(0, 160), explained}; });
  return {title: document.title,
          h1: (document.querySelector('h1.title') || {textContent: ''}).textContent.trim(),
          imgs: imgs.map(i => ({src: (i.getAttribute('src') || '').slice(0, 40), w: i.naturalWidth, h: i.naturalHeight})),
          links: [...document.querySelectorAll('#sidebar a')].map(a => a.href),
          local: [...new Set([...document.querySelectorAll('a[href]')].map(a => a.href).filter(h => h.startsWith('file:')))],
          ids: [...document.querySelectorAll('[id]')].map(e => e.id),
          cells: document.querySelectorAll('.jp-Cell').length,
          raw_tex: raw, math, warnings,
          scrubbers: document.querySelectorAll('.ep3-scrubber').length};
}"""

SCRUBBER_JS = """root => { const i = root.querySelector('input[type=range]'), img = root.querySelector('img');
  return {value: Number(i.value), max: Number(i.max), label: root.querySelector('output').textContent,
          steps: JSON.parse(root.querySelector('script[type="application/json"]').text).steps,
          src: img.src, w: img.naturalWidth}; }"""

def drag_scrubber(page, root, shots):
    "Drag a static scrubber's slider with the mouse to its other end: (what changed, problems); screenshots in `shots`."
    root.scroll_into_view_if_needed()
    before = root.evaluate(SCRUBBER_JS)
    box = root.query_selector('input[type=range]').bounding_box()
    x = lambda v: box['x'] + 8 + (box['width'] - 16) * v / max(before['max'], 1)  # thumb centre at value v
    target, y = (0 if before['value'] > 0 else before['max']), box['y'] + box['height'] / 2
    root.screenshot(path=str(shots[0]))
    page.mouse.move(x(before['value']), y); page.mouse.down()
    page.mouse.move(x(target), y, steps=12); page.mouse.up()
    try: page.wait_for_function("([r, s]) => r.querySelector('img').src !== s && r.querySelector('img').complete",
                                arg=[root, before['src']], timeout=5000)
    except Exception: pass  # reported below: the frame did not change
    after = root.evaluate(SCRUBBER_JS)
    root.screenshot(path=str(shots[1]))
    digest = lambda src: hashlib.sha256(src.encode()).hexdigest()[:8]
    problems = []
    if after['value'] != target: problems.append(f"dragging the slider to {target} left it at {after['value']}")
    if after['src'] == before['src']: problems.append('dragging the slider did not change the frame')
    if not after['w']: problems.append('the new frame does not decode')
    if after['label'] != str(after['steps'][after['value']]): problems.append(
        f"the step label reads {after['label']!r}, the slider is at step {after['steps'][after['value']]}")
    seen = (f"scrubber dragged from step {before['label']} to {after['label']}, frame "
            f"{digest(before['src'])} -> {digest(after['src'])}, screenshots {shots[0]} {shots[1]}")
    return seen, problems

def visit_pages(out, pages, artefacts, screenshot_pages):
    "Load each page in Chromium: {name: what the page shows (or None if the file is missing)}."
    seen, browser = {}, Browser()
    try:
        for name in pages:
            if not (out/name).exists(): seen[name] = None; continue
            browser.load((out/name).resolve().as_uri())
            seen[name] = info = browser.page.evaluate(PAGE_JS)
            stem = name.removesuffix('.html')
            info['drags'] = [drag_scrubber(browser.page, root, [artefacts/f'site_{stem}_scrubber{i}_{when}.png'
                                                                for when in ('before', 'after')])
                             for i, root in enumerate(browser.page.query_selector_all('.ep3-scrubber'))]
            info['errors'] = list(browser.errors)
            info['network'] = [u for u in browser.requests if not u.startswith(('file:', 'data:', 'blob:', 'about:'))]
            if stem in screenshot_pages:
                info['shot'] = artefacts/f"site_{stem}.png"
                browser.screenshot(info['shot'])
    finally: browser.close()
    return seen

def expected_figures(nb_path):
    "Image outputs of the cells a reader should see (not `#| hide`, `include: false`, `output: false`)."
    n = 0
    for c in read_nb(nb_path).cells:
        if c.cell_type != 'code': continue
        d = extract_directives(c, remove=False)
        if 'hide' in d or d.get('include:') == ['false'] or d.get('output:') == ['false']: continue
        n += sum(any(t in o.get('data', {}) for t in IMAGE_TYPES) for o in c.get('outputs', []))
    return n

def expected_math_and_scrubbers(nb_path):
    "How many TeX formulas the notebook's markdown holds, and how many static scrubbers its stored outputs carry."
    cells = read_nb(nb_path).cells
    n_math = sum(len(find_math(c.source)) for c in cells if c.cell_type == 'markdown')
    n_scrub = sum('class="ep3-scrubber"' in ''.join(o.get('data', {}).get('text/html', ''))
                  for c in cells if c.cell_type == 'code' for o in c.get('outputs', []))
    return n_math, n_scrub

def math_problems(info, n_math):
    "Formulas left as raw TeX, or MathML that does not render (no box, not laid out as math, an error)."
    problems = [f'raw TeX in the visible text: {t!r}' for t in info['raw_tex'][:5]]
    if len(info['math']) < n_math: problems.append(f"{len(info['math'])} MathML formulas, the notebook has {n_math}")
    bad = [m['tex'] for m in info['math'] if m['err'] or 'math' not in m['display'] or not 0 < m['h'] < 300 or not m['w']]
    if bad: problems.append(f'{len(bad)} formulas do not render as MathML: {bad[:3]}')
    return problems

def page_problems(name, info, seen, out, nb_path):
    "What is wrong with one loaded page; `seen` holds every page's ids, to check links between pages."
    if info is None: return ['page missing (its notebook was not built)']
    problems = [f'JS error: {e}' for e in info['errors']]
    problems += [f'fetches from the network (the site must work offline): {u}' for u in info['network'][:5]]
    problems += [f"shows a warning that the next markdown cell does not explain: {w['text']}"
                 for w in info['warnings'] if not w['explained']]
    problems += [p for _, ps in info['drags'] for p in ps]
    n_math, n_scrub = expected_math_and_scrubbers(nb_path) if nb_path else (0, 0)
    problems += math_problems(info, n_math)
    if info['scrubbers'] < n_scrub: problems.append(f"{info['scrubbers']} static scrubbers, the notebook shows {n_scrub}")
    if nb_path:
        title = read_title(nb_path)
        if info['h1'] != title: problems.append(f"h1 is {info['h1']!r}, expected {title!r}")
        if title not in info['title']: problems.append(f"<title> {info['title']!r} lacks {title!r}")
        want = expected_figures(nb_path)
        if len(info['imgs']) < want: problems.append(f"{len(info['imgs'])} img elements, the notebook has {want} figures")
    bad = [i['src'] for i in info['imgs'] if not (i['w'] and i['h'])]
    if bad: problems.append(f'{len(bad)} images do not decode: {bad[:3]}')
    if not info['links']: problems.append('no sidebar links')
    root = out.resolve()
    for href in dict.fromkeys(info['links'] + info['local']):
        path, _, frag = href.removeprefix('file://').partition('#')
        target, kind = Path(path), 'sidebar link' if href in info['links'] else 'link'
        if not target.is_file(): problems.append(f'{kind} does not resolve: {href}')
        elif frag and target.parent == root and frag not in (seen.get(target.name) or {}).get('ids', []):
            problems.append(f'{kind} to a missing anchor: {target.name}#{frag}')
    return problems

def check_site(nbs, out, artefacts, screenshot_pages=('index', 'dynamics', 'plots')):
    if not out.exists(): sys.exit(f'{out}/ does not exist: run `python tools/site.py docs` first')
    expected = {page_name(p): p for p in sidebar_entries(nbs) if p.exists()}
    pages = list(dict.fromkeys([*expected, *sorted(p.name for p in out.glob('*.html'))]))  # sidebar order first
    artefacts.mkdir(parents=True, exist_ok=True)
    seen = visit_pages(out, pages, artefacts, screenshot_pages)
    passed = 0
    for name in pages:
        info, problems = seen[name], page_problems(name, seen[name], seen, out, expected.get(name))
        passed += not problems
        detail = '' if info is None else (
            f"{info['cells']} cells, {len(info['imgs'])} images, {len(info['math'])} formulas, {len(info['links'])} "
            f"sidebar links" + (f", screenshot {info['shot']}" if 'shot' in info else '')
            + ''.join(f'\n    {d}' for d, _ in info['drags']))
        print(f"{'FAIL' if problems else 'PASS'} {name}: {detail}" + ''.join(f'\n    {p}' for p in problems))
    drags = [ps for info in seen.values() if info for _, ps in info['drags']]
    if drags: print(f"docs scrubber check: {'passed' if not any(drags) else 'FAILED'} "
                    f"({len(drags)} static scrubbers dragged in headless Chromium)")
    print(f'{passed} passed, {len(pages) - passed} failed')
    return passed == len(pages)

def read_title(nb_path):
    "The title nbdev's front-matter processor takes from the notebook (first `# Title` cell or YAML)."
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor
    nb = read_nb(nb_path)
    NBProcessor(nb=nb, procs=[FrontmatterProc], process=True)
    return nb.frontmatter_.get('title', Path(nb_path).stem)

# ---------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('what', choices=['docs', 'readme', 'check'])
    ap.add_argument('--nbs', help='notebook folder (default: nbs_path of settings.ini)')
    ap.add_argument('--out', help='site folder (default: doc_path of settings.ini, _docs)')
    ap.add_argument('--artefacts', default='artefacts', help='where `check` saves screenshots')
    ap.add_argument('--screenshots', nargs='*', default=['index', 'dynamics', 'plots'], help='pages `check` photographs')
    a = ap.parse_args()
    cfg = get_config()
    nbs, out = Path(a.nbs or cfg.nbs_path), Path(a.out or cfg.doc_path)
    if a.what == 'docs': sys.exit(0 if build_docs(nbs, out) else 1)
    elif a.what == 'readme': build_readme(nbs, cfg.config_path)
    else: sys.exit(0 if check_site(nbs, out, Path(a.artefacts), a.screenshots) else 1)

if __name__ == '__main__': main()
