"""Build the docs site and README.md offline, and check the site in headless Chromium.

    python tools/site.py docs     # nbs/*.ipynb -> _docs/*.html, and nbs/sidebar.yml for Quarto
    python tools/site.py readme   # nbs/index.ipynb -> README.md (+ index_files/*.png)
    python tools/site.py check    # load every page of _docs/ in headless Chromium; screenshots in artefacts/

Quarto (`nbdev_docs`, `nbdev_readme`) cannot be installed here, so this renders the same notebooks the
same way without it: nbdev's own documentation processors (exactly the ones `nbdev_proc_nbs` runs before
Quarto: front matter from the `# Title` cell, `#| hide` cells dropped, `show_doc` cells executed,
directives stripped, backticked names linked) followed by nbconvert's HTML and Markdown exporters.
The one difference from nbdev's defaults is deliberate: `#| export` cells are treated as `#| exports`, so
the reader sees each exported definition's code once, folded under its `show_doc` signature, instead of
only the signature. The stored outputs of the executed notebooks are shown as they are
(`tools/execute_nbs.py` stores them); nothing is re-run except what `show_doc` needs.
"""
import argparse, base64, fcntl, json, os, re, select, shutil, subprocess, sys, tempfile, time, warnings
from pathlib import Path

import nbformat, yaml
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
    "Widgets whose state was not saved cannot be shown in a static page: say so instead of an empty box."
    state = nb.metadata.get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
    if not state: nb.metadata.pop('widgets', None)  # no widgets: no widget manager from a CDN
    for c in nb.cells:
        for o in c.get('outputs', []):
            view = o.get('data', {}).get(WIDGET_VIEW)
            if view and view.get('model_id') not in state:
                o['data'] = {'text/markdown': '*An interactive widget: run the notebook to use it.*'}

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
            print(f'  warning ({p.name}): {text[0].strip()}' + (f' First line: {text[1].strip().splitlines()[0]}' if len(text) > 1 else ''))
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
    for p, (nb, fm) in processed.items():
        site = dict(name=cfg.title, description=cfg.description, repo=cfg.git_url, sidebar=sidebar,
                    page=page_name(p), title=fm['title'], subtitle=fm.get('description', ''))
        head_title = fm['title'] if fm['title'] == cfg.title else f"{fm['title']} – {cfg.title}"
        html, res = exporter.from_notebook_node(nb, resources=dict(site=site, metadata=dict(name=head_title)))
        html = html.replace(f'href="{site_url}', 'href="')  # nbdev links point at the published site
        html = quarto_ids(html)
        html = html.replace('<!--TOC-->', page_toc(html))
        copy_local_images(nb, nbs, p.parent, out)
        (out/page_name(p)).write_text(html, encoding='utf-8')
        print(f'wrote {out/page_name(p)}' + ('' if has_outputs(p) else
              f'  (warning: {p.name} has no stored outputs: run `python tools/execute_nbs.py {os.path.relpath(p)}`)'))
    unlink_missing_anchors(out)
    print(f'{len(processed)} pages in {out}/' + (f'; FAILED: {" ".join(failed)}' if failed else ''))
    return not failed

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
# check: headless Chromium driven over the DevTools protocol on a pipe (stdlib only, no extra package)

CHROME_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--no-first-run', '--hide-scrollbars',
                '--remote-debugging-pipe']

def find_chromium():
    for exe in ('chromium-headless-shell', '/usr/lib/chromium/chromium-headless-shell', 'chromium', 'chromium-browser'):
        if shutil.which(exe): return shutil.which(exe)
    sys.exit('headless Chromium not found: apt-get install -y chromium-headless-shell')

class Browser:
    "Minimal DevTools-protocol client: one page, JSON messages separated by NUL on fds 3/4."
    def __init__(self, exe):
        self.profile = tempfile.TemporaryDirectory()
        to_chrome, from_chrome = os.pipe(), os.pipe()
        # keep our ends above 4 so the child's dup2 onto 3 and 4 cannot clobber them
        hi = lambda fd: fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        self.cin_r, self.cout_w = hi(to_chrome[0]), hi(from_chrome[1])
        self.w, self.r = to_chrome[1], from_chrome[0]
        for fd in (to_chrome[0], from_chrome[1]): os.close(fd)
        def child(): os.dup2(self.cin_r, 3); os.dup2(self.cout_w, 4)
        self.proc = subprocess.Popen([exe, *CHROME_FLAGS, f'--user-data-dir={self.profile.name}', 'about:blank'],
                                     preexec_fn=child, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.cin_r); os.close(self.cout_w)
        self.buf, self.next_id, self.events = b'', 0, []
        target = self.call('Target.createTarget', url='about:blank')['targetId']
        self.session = self.call('Target.attachToTarget', targetId=target, flatten=True)['sessionId']
        for domain in ('Page', 'Runtime'): self.call(f'{domain}.enable', session=True)
        self.call('Emulation.setDeviceMetricsOverride', session=True, width=1280, height=900,
                  deviceScaleFactor=1, mobile=False)

    def _read(self, timeout):
        while b'\0' not in self.buf:
            if not select.select([self.r], [], [], timeout)[0]: raise TimeoutError('no answer from Chromium')
            chunk = os.read(self.r, 1 << 20)
            if not chunk: raise RuntimeError('Chromium exited')
            self.buf += chunk
        msg, self.buf = self.buf.split(b'\0', 1)
        return json.loads(msg)

    def call(self, method, session=False, timeout=60, **params):
        self.next_id += 1
        msg = dict(id=self.next_id, method=method, params=params)
        if session: msg['sessionId'] = self.session
        os.write(self.w, json.dumps(msg).encode() + b'\0')
        while True:
            m = self._read(timeout)
            if m.get('id') == self.next_id:
                if 'error' in m: raise RuntimeError(f"{method}: {m['error'].get('message')}")
                return m.get('result', {})
            self.events.append(m)

    def wait_event(self, method, timeout=60):
        end = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get('method') == method: return self.events.pop(i)
            self.events.append(self._read(max(end - time.time(), 0.01)))

    def load(self, url, timeout=60):
        "Navigate and wait for the load event; returns (JS exceptions thrown while loading)."
        self.events.clear()
        self.call('Page.navigate', session=True, url=url)
        self.wait_event('Page.loadEventFired', timeout)
        return [e['params']['exceptionDetails'] for e in self.events if e.get('method') == 'Runtime.exceptionThrown']

    def evaluate(self, js):
        r = self.call('Runtime.evaluate', session=True, expression=js, awaitPromise=True, returnByValue=True)
        if 'exceptionDetails' in r: raise RuntimeError(r['exceptionDetails'].get('text'))
        return r['result'].get('value')

    def screenshot(self, path, max_height=6000):
        h = min(int(self.evaluate('document.documentElement.scrollHeight')), max_height)
        r = self.call('Page.captureScreenshot', session=True, format='png', captureBeyondViewport=True,
                      clip=dict(x=0, y=0, width=1280, height=h, scale=1))
        Path(path).write_bytes(base64.b64decode(r['data']))

    def close(self):
        try: self.call('Browser.close', timeout=5)
        except Exception: pass
        try: self.proc.wait(10)
        except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()
        os.close(self.w); os.close(self.r)
        self.profile.cleanup()

PAGE_JS = """(async () => {
  const imgs = [...document.images];
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return {title: document.title,
          h1: (document.querySelector('h1.title') || {textContent: ''}).textContent.trim(),
          imgs: imgs.map(i => ({src: (i.getAttribute('src') || '').slice(0, 40), w: i.naturalWidth, h: i.naturalHeight})),
          links: [...document.querySelectorAll('#sidebar a')].map(a => a.href),
          local: [...new Set([...document.querySelectorAll('a[href]')].map(a => a.href).filter(h => h.startsWith('file:')))],
          ids: [...document.querySelectorAll('[id]')].map(e => e.id),
          cells: document.querySelectorAll('.jp-Cell').length};
})()"""

def expected_figures(nb_path):
    "Image outputs of the cells a reader should see (not `#| hide`, `include: false`, `output: false`)."
    n = 0
    for c in read_nb(nb_path).cells:
        if c.cell_type != 'code': continue
        d = extract_directives(c, remove=False)
        if 'hide' in d or d.get('include:') == ['false'] or d.get('output:') == ['false']: continue
        n += sum(any(t in o.get('data', {}) for t in IMAGE_TYPES) for o in c.get('outputs', []))
    return n

def visit_pages(out, pages, artefacts, screenshot_pages):
    "Load each page in Chromium: {name: what the page shows (or None if the file is missing)}."
    seen, browser = {}, Browser(find_chromium())
    try:
        for name in pages:
            if not (out/name).exists(): seen[name] = None; continue
            errors = browser.load((out/name).resolve().as_uri())
            seen[name] = info = browser.evaluate(PAGE_JS)
            info['errors'] = [e.get('exception', {}).get('description', e.get('text', ''))[:160] for e in errors]
            if name.removesuffix('.html') in screenshot_pages:
                info['shot'] = artefacts/f"site_{name.removesuffix('.html')}.png"
                browser.screenshot(info['shot'])
    finally: browser.close()
    return seen

def page_problems(name, info, seen, out, nb_path):
    "What is wrong with one loaded page; `seen` holds every page's ids, to check links between pages."
    if info is None: return ['page missing (its notebook was not built)']
    problems = [f'JS error: {e}' for e in info['errors']]
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

def check_site(nbs, out, artefacts, screenshot_pages=('index', 'dynamics')):
    if not out.exists(): sys.exit(f'{out}/ does not exist: run `python tools/site.py docs` first')
    expected = {page_name(p): p for p in sidebar_entries(nbs) if p.exists()}
    pages = list(dict.fromkeys([*expected, *sorted(p.name for p in out.glob('*.html'))]))  # sidebar order first
    artefacts.mkdir(parents=True, exist_ok=True)
    seen = visit_pages(out, pages, artefacts, screenshot_pages)
    passed = 0
    for name in pages:
        info, problems = seen[name], page_problems(name, seen[name], seen, out, expected.get(name))
        passed += not problems
        detail = '' if info is None else (f"{info['cells']} cells, {len(info['imgs'])} images, {len(info['links'])} "
                                          f"sidebar links" + (f", screenshot {info['shot']}" if 'shot' in info else ''))
        print(f"{'FAIL' if problems else 'PASS'} {name}: {detail}" + ''.join(f'\n    {p}' for p in problems))
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
    ap.add_argument('--screenshots', nargs='*', default=['index', 'dynamics'], help='pages `check` photographs')
    a = ap.parse_args()
    cfg = get_config()
    nbs, out = Path(a.nbs or cfg.nbs_path), Path(a.out or cfg.doc_path)
    if a.what == 'docs': sys.exit(0 if build_docs(nbs, out) else 1)
    elif a.what == 'readme': build_readme(nbs, cfg.config_path)
    else: sys.exit(0 if check_site(nbs, out, Path(a.artefacts), a.screenshots) else 1)

if __name__ == '__main__': main()
