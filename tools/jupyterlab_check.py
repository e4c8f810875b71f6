"""Drag the scrubber of `ep3dynamics.plots` in a real JupyterLab, in headless Chromium driven by Playwright.

    python tools/jupyterlab_check.py [--artefacts artefacts] [--timeout 300]

Starts JupyterLab on 127.0.0.1 (a free port, no token, a temporary root folder) on a small notebook that fits an
RFM, saves and reopens its history and shows `scrub(history)`; opens the notebook in Chromium, runs all cells,
drags the slider's handle (`[role=slider]`) with the mouse, then moves it one step with the keyboard, and checks
each time that the figure shown in the page changes (its PNG bytes differ) and that the step label follows.
Screenshots of the widget before and after the drag go to the artefacts folder. The server, and the kernel it
started, are stopped at the end whatever happens. Exit status 0 when every check passed.
It needs a browser and JupyterLab, so `.ci/run` runs it; plain `nbdev_test` does not.
"""
import argparse, hashlib, json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

CELLS = [
    "import torch\nfrom ep3dynamics.rfm import RFM\nfrom ep3dynamics.history import save_history, load_history\n"
    "from ep3dynamics.plots import scrub",
    "torch.manual_seed(0)\nX = torch.randn(300, 8, dtype=torch.float64)\ny = torch.tanh(X[:, :1] * X[:, 1:2])\n"
    "rfm = RFM(iters=4, verbose=False).fit(X, y)\nsave_history(rfm.history, 'rfm.nc')",
    "history = load_history('rfm.nc')\nsc = scrub(history, components=6)\nsc",
]

def write_notebook(path):
    cells = [dict(cell_type='code', execution_count=None, id=f'c{i}', metadata={}, outputs=[], source=src)
             for i, src in enumerate(CELLS)]
    nb = dict(cells=cells, nbformat=4, nbformat_minor=5, metadata=dict(
        kernelspec=dict(display_name='Python 3', language='python', name='python3')))
    Path(path).write_text(json.dumps(nb))

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]

def find_chromium():
    for exe in ('chromium-headless-shell', '/usr/lib/chromium/chromium-headless-shell', 'chromium', 'chromium-browser'):
        if shutil.which(exe): return shutil.which(exe)
    sys.exit('headless Chromium not found: apt-get install -y chromium-headless-shell')

class Lab:
    "A JupyterLab server on 127.0.0.1 in a temporary root; `stop` ends it and the kernels it started."
    def __init__(self, root, log, timeout=120):
        self.root, self.port = Path(root), free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.runtime = self.root/'.runtime'
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(self.runtime), JUPYTERLAB_WORKSPACES_DIR=str(self.root/'.ws'),
                   JUPYTERLAB_SETTINGS_DIR=str(self.root/'.settings'), JUPYTER_CONFIG_DIR=str(self.root/'.config'))
        self.log = open(log, 'w')
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={self.port}',
             '--ServerApp.port_retries=0', '--IdentityProvider.token=', '--ServerApp.password=', '--ServerApp.allow_root=True',
             f'--ServerApp.root_dir={self.root}', '--LabApp.news_url=None',
             '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
            cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        end = time.time() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f'JupyterLab exited with status {self.proc.returncode}; see {log}')
            try:
                with urllib.request.urlopen(f'{self.url}/api/status', timeout=2): break
            except OSError: pass
            if time.time() > end: raise TimeoutError(f'JupyterLab did not answer on {self.url} in {timeout}s; see {log}')
            time.sleep(0.5)

    def kernel_pids(self):
        "Processes started with one of this server's kernel connection files (they live in our runtime folder)."
        out = subprocess.run(['ps', '-eo', 'pid=,args='], capture_output=True, text=True).stdout
        return [int(line.split(None, 1)[0]) for line in out.splitlines() if str(self.runtime) + '/kernel-' in line]

    def stop(self):
        kernels = self.kernel_pids()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
            try: self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL); self.proc.wait()
        for pid in kernels:  # any kernel that outlived its server
            try: os.kill(pid, signal.SIGKILL)
            except ProcessLookupError: pass
        self.log.close()

IMAGE_BYTES_JS = """async el => { const img = el.querySelector('img.widget-image') || el.querySelector('img');
  const buf = await (await fetch(img.src)).arrayBuffer(); return Array.from(new Uint8Array(buf)); }"""

def widget_state(page, widget):
    "The shown image's sha256 and size, and the slider's readout."
    png = bytes(widget.evaluate(IMAGE_BYTES_JS))
    readout = widget.query_selector('.widget-readout')
    return dict(sha=hashlib.sha256(png).hexdigest()[:12], size=len(png), png=png[:8] == b'\x89PNG\r\n\x1a\n',
                label=(readout.inner_text() if readout else '').strip())

def wait_change(page, widget, before, timeout):
    "Wait until the widget shows another image than `before` (the kernel redraws it): the new state."
    end = time.time() + timeout
    while time.time() < end:
        now = widget_state(page, widget)
        if now['sha'] != before['sha']: return now
        time.sleep(0.3)
    return widget_state(page, widget)

def run_check(lab_url, artefacts, timeout):
    from playwright.sync_api import sync_playwright
    problems, report = [], []
    def expect(ok, what):
        (report if ok else problems).append(what)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=['--no-sandbox'])
        page = browser.new_page(viewport=dict(width=1400, height=1000))
        try:
            page.goto(f'{lab_url}/lab/tree/scrub.ipynb', wait_until='domcontentloaded', timeout=timeout * 1000)
            page.wait_for_selector('.jp-NotebookPanel .jp-Cell', timeout=timeout * 1000)
            idle = "() => /\\(ipykernel\\) \\| Idle/.test(document.querySelector('#jp-main-statusbar').innerText)"
            page.wait_for_function(idle, timeout=timeout * 1000)  # the kernel is started and connected
            page.click('.lm-MenuBar-itemLabel:text-is("Run")')
            page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
            handle = page.wait_for_selector('.jp-OutputArea-output [role=slider]', timeout=timeout * 1000)
            widget = page.query_selector('.jp-OutputArea-output .widget-vbox')
            shown = "w => { const i = w.querySelector('img'); return i && i.src && i.complete && i.naturalWidth > 0; }"
            page.wait_for_function(shown, arg=widget, timeout=timeout * 1000)
            static = page.query_selector('.jp-OutputArea-output .ep3-scrubber')
            expect(static is None or not static.is_visible(), 'JupyterLab shows the live widget, not the static HTML fallback')
            before = widget_state(page, widget)
            expect(before['png'] and before['label'] == '4', f"before the drag: step label {before['label']!r}, "
                   f"PNG {before['sha']} ({before['size']} bytes)")
            widget.screenshot(path=str(artefacts/'jupyterlab_scrubber_before.png'))
            # a real pointer drag of the handle to the left end of the track
            box, track = handle.bounding_box(), widget.query_selector('.noUi-target, .slider-container').bounding_box()
            y = box['y'] + box['height'] / 2
            page.mouse.move(box['x'] + box['width'] / 2, y); page.mouse.down()
            page.mouse.move(track['x'] - 20, y, steps=15); page.mouse.up()
            after = wait_change(page, widget, before, 60)
            widget.screenshot(path=str(artefacts/'jupyterlab_scrubber_after.png'))
            expect(after['sha'] != before['sha'] and after['png'],
                   f"after the mouse drag the figure changed: PNG {before['sha']} -> {after['sha']} ({after['size']} bytes)")
            expect(after['label'] == '0', f"after the mouse drag the step label reads {after['label']!r} (expected '0')")
            expect(handle.get_attribute('aria-valuenow') in ('0', '0.0', '0.00'),
                   f"after the mouse drag the handle's aria-valuenow is {handle.get_attribute('aria-valuenow')!r}")
            # one step right with the keyboard
            handle.focus(); page.keyboard.press('ArrowRight')
            key = wait_change(page, widget, after, 60)
            expect(key['sha'] != after['sha'] and key['label'] == '1',
                   f"after ArrowRight the step label reads {key['label']!r} and the PNG is {key['sha']}")
            page.screenshot(path=str(artefacts/'jupyterlab_page.png'))
        except Exception:
            page.screenshot(path=str(artefacts/'jupyterlab_failure.png'))  # what the page showed when it failed
            raise
        finally: browser.close()
    return report, problems

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--artefacts', default='artefacts', help='where screenshots and the server log go')
    ap.add_argument('--timeout', type=int, default=300, help='seconds to wait for the server, the page and the kernel')
    a = ap.parse_args()
    artefacts = Path(a.artefacts).resolve()
    artefacts.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix='ep3lab-') as root:
        write_notebook(Path(root)/'scrub.ipynb')
        lab = None
        try:
            lab = Lab(root, artefacts/'jupyterlab_server.log', a.timeout)
            print(f'JupyterLab at {lab.url} (root {root})', flush=True)
            report, problems = run_check(lab.url, artefacts, a.timeout)
        except Exception as e:
            report, problems = [], [f'{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ""}']
        finally:
            if lab is not None: lab.stop()
    for r in report: print(f'PASS {r}')
    for p in problems: print(f'FAIL {p}')
    print(f"JupyterLab widget check: {'passed' if not problems else 'FAILED'} "
          f"({len(report)} checks passed, {len(problems)} failed; screenshots in {artefacts}/)")
    sys.exit(1 if problems else 0)

if __name__ == '__main__': main()
