"""numpy's float32 matmul (the machine's BLAS sgemm), timed for `lab bench kernels`.

Usage: python3 blas-sgemm.py N TRIALS. Prints one JSON object; exits non-zero with the reason on
stderr when numpy is missing.
"""

import ctypes
import glob
import json
import os
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.exit(f"numpy is not installed for {sys.executable}")


def openblas_core_name():
    """The CPU kernel set OpenBLAS chose (e.g. Zen, Haswell), or None if it cannot be asked."""
    libraries = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(libraries, "libscipy_openblas*.so")):
        library = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename"):
            if hasattr(library, symbol):
                function = getattr(library, symbol)
                function.restype = ctypes.c_char_p
                return function().decode()
    return None


def loaded_blas():
    """The BLAS library this process loaded (Debian's numpy takes the system's libblas.so.3)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            for line in maps:
                name = os.path.basename(line.split()[-1])
                if "blas" in name and ".so" in name:
                    return os.path.realpath(line.split()[-1])
    except OSError:
        pass
    return "unknown"


def blas_name():
    try:
        dependencies = np.show_config(mode="dicts")["Build Dependencies"]
    except TypeError:  # numpy before 1.25 (Debian 12's 1.24) cannot report it as data
        return loaded_blas()
    blas = dependencies.get("blas", {})
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()


def main():
    n, trials = int(sys.argv[1]), int(sys.argv[2])
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    a @ b  # warm-up: thread pool start, page faults
    seconds = []
    for _ in range(trials):
        started = time.perf_counter()
        a @ b
        seconds.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "n": n,
                "gflops": 2 * n**3 / min(seconds) / 1e9,
                "numpy": np.__version__,
                "blas": blas_name(),
                "coreName": openblas_core_name(),
            }
        )
    )


main()
