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

    def split_like(ps, v):
        """A flat vector as views shaped like the parameters ps, in order."""
        out, o = [], 0
        for p in ps:
            out.append(v[o:o + p.numel()].view_as(p))
            o += p.numel()
        return out

    def lanczos20(P, product, g):
        """20 Lanczos steps with full reorthogonalisation (twice) on a product, from a random start."""
        q = torch.randn(P, dtype=torch.float64, generator=g)
        q = q / q.norm()
        Q = []
        for _ in range(20):
            Q.append(q)
            w = product(q)
            with torch.no_grad():
                for _ in range(2):
                    for qi in Q:
                        w = w - (w @ qi) * qi
                q = w / w.norm()

    def curvature(kind):
        """λ_max of the mean cross-entropy's GGN or Hessian of a ReLU MLP 784-128-10 on 1,000 inputs in [0, 1):
        20 Lanczos steps with full reorthogonalisation, float64, the forward pass included, as
        bench/workloads.ts curvatureSeconds does. GGN products: Jv by torch.autograd.functional.jvp, H_out, then
        Jᵀ by a backward pass; Hessian products by double backpropagation (what PyHessian does)."""
        g = torch.Generator().manual_seed(1)
        ps = [(torch.randn(128, 784, dtype=torch.float64, generator=g) * (2 / 784) ** 0.5).requires_grad_(),
              torch.zeros(128, dtype=torch.float64, requires_grad=True),
              (torch.randn(10, 128, dtype=torch.float64, generator=g) * (2 / 128) ** 0.5).requires_grad_(),
              torch.zeros(10, dtype=torch.float64, requires_grad=True)]
        x = torch.rand(1000, 784, dtype=torch.float64, generator=g)
        y = torch.randint(0, 10, (1000,), generator=g)
        P = sum(p.numel() for p in ps)

        def f(W1, b1, W2, b2):
            return torch.relu(x @ W1.T + b1) @ W2.T + b2

        def split(v):
            return split_like(ps, v)

        def run():
            z = f(*ps)
            if kind == "hessian":
                gs = torch.autograd.grad(torch.nn.functional.cross_entropy(z, y), ps, create_graph=True)

            def product(q):
                vs = split(q)
                if kind == "ggn":
                    _, jv = torch.autograd.functional.jvp(f, tuple(ps), tuple(vs))
                    p = torch.softmax(z.detach(), 1)
                    u = (p * jv - p * (p * jv).sum(1, keepdim=True)) / 1000
                    return torch.cat([t.flatten() for t in torch.autograd.grad(z, ps, grad_outputs=u, retain_graph=True)])
                hv = torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(gs, vs)), ps, retain_graph=True)
                return torch.cat([t.flatten() for t in hv])

            lanczos20(P, product, g)

        return fastest_threads(run)

    for kind in ("ggn", "hessian"):
        work[f"curvature {kind} λ_max, MLP 784-128-10, N=1000, 20 Lanczos"] = lambda kind=kind: curvature(kind)

    def curvature_vae():
        """λ_max of the GGN of a VAE 784-400-20's negative ELBO (Bernoulli decoder, ε fixed) on 1,000 inputs in
        [0, 1): 20 Lanczos steps with full reorthogonalisation, float64, as bench/workloads.ts curvatureVaeSeconds
        does. The outputs are (logits, μ, log σ²); Jv by torch.autograd.functional.jvp, H_out diagonal, Jᵀ by a
        backward pass."""
        g = torch.Generator().manual_seed(1)

        def lin(o, i):
            b = 1 / i ** 0.5
            return [((torch.rand(o, i, dtype=torch.float64, generator=g) * 2 - 1) * b).requires_grad_(),
                    ((torch.rand(o, dtype=torch.float64, generator=g) * 2 - 1) * b).requires_grad_()]

        ps = lin(400, 784) + lin(20, 400) + lin(20, 400) + lin(400, 20) + lin(784, 400)
        x = torch.rand(1000, 784, dtype=torch.float64, generator=g)
        eps = torch.randn(1000, 20, dtype=torch.float64, generator=g)
        P = sum(p.numel() for p in ps)

        def f(W1, b1, Wm, bm, Wv, bv, W2, b2, W3, b3):
            h = torch.relu(x @ W1.T + b1)
            mu, lv = h @ Wm.T + bm, h @ Wv.T + bv
            z = mu + torch.exp(lv / 2) * eps
            return torch.cat([torch.relu(z @ W2.T + b2) @ W3.T + b3, mu, lv], 1)

        def split(v):
            return split_like(ps, v)

        def run():
            o = f(*ps)
            with torch.no_grad():
                s = torch.sigmoid(o[:, :784])
                w = torch.cat([s * (1 - s), torch.ones(1000, 20, dtype=torch.float64), torch.exp(o[:, 804:]) / 2], 1) / 1000

            def product(q):
                _, jv = torch.autograd.functional.jvp(f, tuple(ps), tuple(split(q)))
                return torch.cat([t.flatten() for t in torch.autograd.grad(o, ps, grad_outputs=w * jv, retain_graph=True)])

            lanczos20(P, product, g)

        return fastest_threads(run)

    work["curvature ggn λ_max, VAE 784-400-20, N=1000, 20 Lanczos"] = curvature_vae

    def curvature_cnn():
        """λ_max of the mean cross-entropy's GGN of the augmentation lab's CNN (conv 3x3x16, ReLU, pool 2,
        conv 3x3x32, ReLU, pool 2, dense 1568 -> 10) on 1,000 inputs in [0, 1): 20 Lanczos steps, float64,
        as bench/curvature.ts curvatureCnnSeconds does; GGN products as for the MLP."""
        g = torch.Generator().manual_seed(1)

        def he(*shape, fan_in):
            return (torch.randn(*shape, dtype=torch.float64, generator=g) * (2 / fan_in) ** 0.5).requires_grad_()

        ps = [he(16, 1, 3, 3, fan_in=9), torch.zeros(16, dtype=torch.float64, requires_grad=True),
              he(32, 16, 3, 3, fan_in=144), torch.zeros(32, dtype=torch.float64, requires_grad=True),
              he(10, 1568, fan_in=1568), torch.zeros(10, dtype=torch.float64, requires_grad=True)]
        x = torch.rand(1000, 1, 28, 28, dtype=torch.float64, generator=g)
        y = torch.randint(0, 10, (1000,), generator=g)
        P = sum(p.numel() for p in ps)

        def f(K1, c1, K2, c2, W, b):
            h = F.max_pool2d(torch.relu(F.conv2d(x, K1, c1, padding=1)), 2)
            h = F.max_pool2d(torch.relu(F.conv2d(h, K2, c2, padding=1)), 2)
            return h.flatten(1) @ W.T + b

        def run():
            z = f(*ps)

            def product(q):
                _, jv = torch.autograd.functional.jvp(f, tuple(ps), tuple(split_like(ps, q)))
                p = torch.softmax(z.detach(), 1)
                u = (p * jv - p * (p * jv).sum(1, keepdim=True)) / 1000
                return torch.cat([t.flatten() for t in torch.autograd.grad(z, ps, grad_outputs=u, retain_graph=True)])

            lanczos20(P, product, g)

        return fastest_threads(run)

    work["curvature ggn λ_max, augmentation CNN 16-32, N=1000, 20 Lanczos"] = curvature_cnn

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
