"""The curvature peers of bench/reference.py: lambda_max by 20 Lanczos steps on PyTorch's own curvature
products (an MLP's GGN and Hessian, the VAE's GGN, the augmentation CNN's GGN), float64, as
bench/curvature.ts does them in Kairo. register() adds them to reference.py's workloads."""
import torch
import torch.nn.functional as F


def register(work, fastest_threads):
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
