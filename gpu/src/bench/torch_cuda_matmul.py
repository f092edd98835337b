"""The GPU vendor's BLAS (cuBLAS, through PyTorch on CUDA), timed for `lab bench kernels`.

Usage: python3 torch_cuda_matmul.py SIZES TRIALS REPEATS, SIZES comma-separated. Prints one JSON
object; exits non-zero with the reason on stderr when torch or a CUDA device is missing.

f32 is true single precision (TF32 off), the rate the engine's f32 matmul is compared with; f16
is PyTorch's default half-precision product. Each trial times REPEATS products with CUDA events
after a warm-up; the best trial counts.
"""

import json
import sys

try:
    import torch
except ImportError:
    sys.exit(f"torch is not installed for {sys.executable}")

if not torch.cuda.is_available():
    sys.exit(f"torch {torch.__version__} sees no CUDA device")


def time_matmul(n, dtype, trials, repeats):
    generator = torch.Generator(device="cuda").manual_seed(n)
    a = torch.rand((n, n), device="cuda", dtype=dtype, generator=generator) * 2 - 1
    b = torch.rand((n, n), device="cuda", dtype=dtype, generator=generator) * 2 - 1
    for _ in range(3):
        a @ b
    torch.cuda.synchronize()
    rates = []
    for _ in range(trials):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(repeats):
            a @ b
        end.record()
        end.synchronize()
        seconds = start.elapsed_time(end) / 1e3
        rates.append(2 * n**3 * repeats / seconds / 1e9)
    return max(rates)


def main():
    sizes = [int(size) for size in sys.argv[1].split(",")]
    trials, repeats = int(sys.argv[2]), int(sys.argv[3])
    torch.backends.cuda.matmul.allow_tf32 = False
    matmul = [
        {"n": n, "dtype": name, "gflops": time_matmul(n, dtype, trials, repeats)}
        for n in sizes
        for name, dtype in (("f32", torch.float32), ("f16", torch.float16))
    ]
    print(
        json.dumps(
            {
                "peer": "cublas-through-pytorch",
                "torch": torch.__version__,
                "cuda": torch.version.cuda,
                "device": torch.cuda.get_device_name(),
                "matmul": matmul,
            }
        )
    )


main()
