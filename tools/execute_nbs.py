"""Execute notebooks in place with execnb, storing their outputs for the docs.

Cells flagged with `#| gpu` or `#| notest` (or any flag given with --skip) are not run, exactly as
`nbdev_test` skips them; `#| slow` cells do run, so the rendered docs show their figures.
Usage: python tools/execute_nbs.py nbs/01_kernels.ipynb [more.ipynb ...] [--skip gpu notest]
"""
import argparse, os, subprocess, sys
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
from fastcore.xtras import working_directory
from nbdev.process import NBProcessor

def _skipper(flags):
    def skip(cell):
        if cell.cell_type != 'code': return True
        if 'nbdev_export(' in cell.source: return True
        return bool(set(flags) & set(getattr(cell, 'directives_', {}) or {}))
    return skip

def execute_nb(path, skip=('gpu', 'notest')):
    "Run `path` top to bottom, keeping outputs; raise on the first failing cell."
    path = Path(path).resolve()
    nb = read_nb(path)
    NBProcessor(path, nb=nb, process=True, rm_directives=False)  # parse `#|` directives, keep them in the source
    os.environ['IN_TEST'] = '1'
    skipped = _skipper(skip)
    for c in nb.cells:  # execnb keeps a cell's old outputs when it prints nothing now: start every run cell empty
        if not skipped(c): c.outputs = []
    shell = CaptureShell(path, mpl_format='png')  # retina figures would quadruple the notebooks' size
    with working_directory(path.parent):
        shell.run_all(nb, exc_stop=True, preproc=skipped)
    for c in nb.cells:  # drop execnb's parse cache so it is not written back
        c.pop('directives_', None)
    # notebooks authored elsewhere (e.g. with jupytext) open in Jupyter with the standard Python kernel
    nb.metadata = {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}}
    write_nb(nb, path)
    clean = Path(sys.executable).with_name('nbdev_clean')  # this venv's, also when it is not activated
    subprocess.run([str(clean) if clean.exists() else 'nbdev_clean', '--fname', str(path)], check=True)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='+')
    ap.add_argument('--skip', nargs='*', default=['gpu', 'notest'])
    a = ap.parse_args()
    for p in a.notebooks:
        print('executing', p, flush=True)
        execute_nb(p, a.skip)
