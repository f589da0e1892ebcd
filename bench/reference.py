"""The peer side of `npm run bench`: the same workloads as bench/workloads.ts in PyTorch,
numpy and scipy (Debian's python3-torch, python3-numpy, python3-scipy). Workloads whose
library is missing are left out. PyTorch runs at 1 and at every thread count up to the cores,
and each workload reports its best, with that thread count.

With --serve it first prints {"workloads": [...]}, then answers each workload name read from
stdin with one JSON line, so that bench/run.ts can time each peer workload right after its own
(other work on a shared machine then slows both sides alike). Without it, prints one JSON
object with every workload."""
import json
import os
import sys
import time

quick = "--quick" in sys.argv
blocks = 5 if quick else 7
steps = 10 if quick else 20
work = {}


def median_time(f, n=blocks):
    f()
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    ts.sort()
    return ts[len(ts) // 2]


try:
    import numpy as np

    rng = np.random.default_rng(0)

    def sym(n):
        a = rng.random((n, n)) - 0.5
        return np.tril(a) + np.tril(a, -1).T

    def eigh(n):
        a = sym(n)
        return {"seconds": median_time(lambda: np.linalg.eigvalsh(a), 3), "peer": "numpy eigvalsh"}

    for n in [500, 1000, 2000]:
        work[f"eigh {n}"] = lambda n=n: eigh(n)
    try:
        from scipy.sparse.linalg import eigsh

        def lanczos():
            a = sym(2000)
            return {"seconds": median_time(lambda: eigsh(a, k=10, which="LA", tol=1e-8), 3), "peer": "scipy eigsh"}

        work["lanczos top-10 2000"] = lanczos
    except ImportError:
        pass
except ImportError:
    pass

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    def sgemm(n):
        a, b = torch.randn(n, n), torch.randn(n, n)
        return 2 * n**3 / median_time(lambda: torch.mm(a, b)) / 1e9

    def train_rate(model, opt, make_loss, batch, n=blocks):
        def block():
            for _ in range(steps):
                opt.zero_grad()
                make_loss().backward()
                opt.step()

        return batch * steps / median_time(block, n)

    def mlp():
        m = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
        x, y = torch.rand(128, 784), torch.randint(0, 10, (128,))
        opt = torch.optim.SGD(m.parameters(), lr=0.01)
        return train_rate(m, opt, lambda: F.cross_entropy(m(x), y), 128)

    class Vae(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc, self.mu, self.lv = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
            self.d1, self.d2 = nn.Linear(20, 400), nn.Linear(400, 784)

        def loss(self, x):
            h = F.relu(self.enc(x))
            m, lv = self.mu(h), self.lv(h)
            z = m + torch.exp(0.5 * lv) * torch.randn_like(m)
            logits = self.d2(F.relu(self.d1(z)))
            rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
            kl = -0.5 * torch.sum(1 + lv - m.pow(2) - lv.exp())
            return (rec + kl) / x.shape[0]

    def vae():
        v = Vae()
        x = torch.rand(128, 784)
        return train_rate(v, torch.optim.Adam(v.parameters(), lr=1e-3), lambda: v.loss(x), 128)

    def cnn():
        m = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Linear(128, 10),
        )
        x, y = torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))
        opt = torch.optim.SGD(m.parameters(), lr=0.01)
        # PyTorch's CPU convolutions (oneDNN) swung 0.8k-3.0k samples/s between runs of 7 blocks here:
        # three blocks to settle its primitive caches, then the median of 3x as many blocks.
        for _ in range(3):
            train_rate(m, opt, lambda: F.cross_entropy(m(x), y), 64, 1)
        return train_rate(m, opt, lambda: F.cross_entropy(m(x), y), 64, 3 * blocks)

    def vae_recall():
        # Repeated inference as models/vae/recall.ts runs it: encoder mean, decoder mean, repeat.
        v = Vae()
        x = torch.rand(1000, 784)

        def block():
            with torch.no_grad():
                z = v.mu(F.relu(v.enc(x)))
                for _ in range(steps):
                    xt = torch.sigmoid(v.d2(F.relu(v.d1(z))))
                    z = v.mu(F.relu(v.enc(xt)))
                    z.numpy()

        return 1000 * steps / median_time(block)

    def attnbm():
        # Exact NLL and its closed-form gradient, as models/hopfield/train.ts computes them.
        V, W = torch.randn(100, 784), torch.randn(900, 784) / 28
        b, c = torch.zeros(784), torch.zeros(900)

        def block():
            for _ in range(steps):
                A = V @ W.T + c
                post = torch.softmax(A, 1)
                a = 0.5 * (W * W).sum(1) + W @ b + c
                pi = torch.softmax(a, 0)
                loss = (0.5 * ((V - b) ** 2).sum(1) - torch.logsumexp(A, 1)).mean() + torch.logsumexp(a, 0)
                gW = -(post.T @ V) / 100 + pi[:, None] * (W + b)
                gb = b - V.mean(0) + W.T @ pi
                gc = pi - post.mean(0)
                float(loss)

        return 100 * steps / median_time(block)

    def best_threads(f, unit):
        best = None
        for threads in sorted({1, os.cpu_count() or 1}):
            torch.set_num_threads(threads)
            v = f()
            if best is None or v > best[0]:
                best = (v, threads)
        return {"rate": best[0], "unit": unit, "threads": best[1], "peer": f"PyTorch {torch.__version__}"}

    def fastest_threads(f):
        """Seconds per call of a float64 workload at PyTorch's best thread count (1 or all cores)."""
        best = None
        for threads in sorted({1, os.cpu_count() or 1}):
            torch.set_num_threads(threads)
            t = median_time(f, 1 if quick else 3)
            if best is None or t < best[0]:
                best = (t, threads)
        return {"seconds": best[0], "threads": best[1], "peer": f"PyTorch {torch.__version__}, float64"}

    def ngd_exact():
        """One exact natural-gradient step in the dual, as models/ngd does it: Θ = Σ_l (D_l D_lᵀ)∘(H̃_l H̃_lᵀ),
        v = Θ⁻¹ r, Δθ = Jᵀv as one backward pass with v as cotangent. Float64, ReLU 784-4096-4096-1, N = 100."""
        g = torch.Generator().manual_seed(1)
        widths, N = [784, 4096, 4096, 1], 100
        ws = [torch.randn(widths[i + 1], widths[i], dtype=torch.float64, generator=g) for i in range(3)]
        for w in ws:
            w.requires_grad_(True)
        x = torch.randn(N, 784, dtype=torch.float64, generator=g)
        x = x / x.norm(dim=1, keepdim=True)
        y = torch.where(torch.rand(N, 1, generator=g) < 0.5, -0.5, 0.5).to(torch.float64)

        def step():
            hs, us = [x], []
            for i, w in enumerate(ws):
                u = (2 ** 0.5 / widths[i] ** 0.5) * hs[-1] @ w.T
                u.retain_grad()
                us.append(u)
                hs.append(torch.relu(u) if i < 2 else u)
            f = hs[-1]
            # C = 1 and each output depends on its own input only: grad of Σf w.r.t. u^l is δ^l row by row.
            ds = torch.autograd.grad(f.sum(), us, retain_graph=True)
            with torch.no_grad():
                theta = sum((d @ d.T) * (2.0 / widths[i]) * (hs[i] @ hs[i].T) for i, d in enumerate(ds))
                v = torch.cholesky_solve(f - y, torch.linalg.cholesky(theta))
            grads = torch.autograd.grad(f, ws, grad_outputs=v)
            with torch.no_grad():
                for w, gr in zip(ws, grads):
                    w -= 1e-12 * gr

        return fastest_threads(step)

    work["exact NGD step 784-4096-4096-1, N=100"] = ngd_exact

    import reference_curvature

    reference_curvature.register(work, fastest_threads)

    for name, f, unit in [("sgemm 512", lambda: sgemm(512), "GFLOP/s"), ("sgemm 1024", lambda: sgemm(1024), "GFLOP/s"),
                          ("MLP training", mlp, "samples/s"), ("VAE training", vae, "samples/s"),
                          ("VAE recall 784-400-20", vae_recall, "states/s"), ("CNN training", cnn, "samples/s"),
                          ("AttnBM NLL+grad 784x900", attnbm, "patterns/s")]:
        work[name] = lambda f=f, unit=unit: best_threads(f, unit)
except ImportError:
    pass

def blas_info():
    """Which BLAS the peer really runs: the shared libraries mapped after a product (Debian's PyTorch is
    built with BLAS_INFO=generic and takes whatever libblas.so.3 points to), OpenBLAS's own core and
    configuration where the library has them, and a one-thread sgemm figure to judge it by."""
    import ctypes

    try:
        import torch

        a = torch.randn(256, 256)
        (a @ a).sum()
    except ImportError:
        torch = None
    try:
        import numpy as np

        np.ones((64, 64)) @ np.ones((64, 64))
    except ImportError:
        np = None
    libs = []
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({l.split()[-1] for l in f if any(k in l.lower() for k in ("blas", "lapack", "mkl", "blis", "atlas"))})
    except OSError:
        pass
    core = config = None
    for path in libs:
        for name, out in (("openblas_get_corename", "core"), ("openblas_get_config", "config")):
            try:
                fn = getattr(ctypes.CDLL(path), name)
                fn.restype = ctypes.c_char_p
                if out == "core":
                    core = core or fn().decode()
                else:
                    config = config or fn().decode()
            except (OSError, AttributeError):
                pass
    gflops = None
    if torch is not None:
        torch.set_num_threads(1)
        a = torch.randn(1024, 1024)
        t = median_time(lambda: a @ a, 3)
        gflops = 2 * 1024**3 / t / 1e9
    return {"libraries": libs, "openblas_core": core, "openblas_config": config, "sgemm_1thread_gflops": gflops,
            "torch": getattr(torch, "__version__", None), "numpy": getattr(np, "__version__", None)}


if "--serve" in sys.argv:
    print(json.dumps({"workloads": list(work), "blas": blas_info()}), flush=True)
    for line in sys.stdin:
        f = work.get(line.strip())
        print(json.dumps(f() if f else None), flush=True)
else:
    print(json.dumps({name: f() for name, f in work.items()}))
