"""The GPU bench's peer: the same products and the same CNN/MLP training in PyTorch on CUDA, when it
is there. One JSON line; {"cuda": false} without a CUDA device."""
import json
import sys
import time

quick = "--quick" in sys.argv
try:
    import torch
except ImportError:
    print(json.dumps({"peer": "pytorch", "error": "PyTorch is not installed"}))
    sys.exit(0)
if not torch.cuda.is_available():
    print(json.dumps({"peer": "pytorch", "cuda": False}))
    sys.exit(0)
dev = torch.device("cuda")


def matmul(n, k):
    a = torch.randn(n, k, device=dev)
    b = torch.randn(k, n, device=dev)
    (a @ b).sum().item()
    reps = 2 if quick else 5
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        c = a @ b
    torch.cuda.synchronize()
    s = (time.perf_counter() - t0) / reps
    return {"n": n, "k": k, "gflops": 2 * n * n * k / s / 1e9}


def training(arch):
    n = 128 if quick else 1000
    x = torch.rand(n, 1, 28, 28, device=dev)
    y = torch.randint(0, 10, (n,), device=dev)
    if arch == "cnn":
        net = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(7 * 7 * 32, 10)).to(dev)
    else:
        net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    epochs = 1 if quick else 3

    def epoch():
        perm = torch.randperm(n, device=dev)
        for s in range(0, n, 64):
            i = perm[s:s + 64]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x[i]), y[i])
            loss.backward()
            opt.step()
            loss.item()  # Kairo reads each step's loss back too

    epoch()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(epochs):
        epoch()
    torch.cuda.synchronize()
    return {"arch": arch, "secondsPerEpoch": (time.perf_counter() - t0) / epochs}


def vae_steps():
    """784-400-20 MLP VAE, Bernoulli decoder, Adam, batch 128: seconds per step."""
    enc = torch.nn.Sequential(torch.nn.Linear(784, 400), torch.nn.ReLU(), torch.nn.Linear(400, 40)).to(dev)
    dec = torch.nn.Sequential(torch.nn.Linear(20, 400), torch.nn.ReLU(), torch.nn.Linear(400, 784)).to(dev)
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), lr=1e-3)
    x = torch.rand(128, 784, device=dev)

    def step():
        opt.zero_grad()
        mu, logvar = enc(x).chunk(2, dim=1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        rec = torch.nn.functional.binary_cross_entropy_with_logits(dec(z), x, reduction="sum") / 128
        kl = -0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp()) / 128
        loss = rec + kl
        loss.backward()
        opt.step()
        loss.item()

    step()
    steps = 3 if quick else 20
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    return {"arch": "vae 784-400-20", "secondsPerStep": (time.perf_counter() - t0) / steps}


sizes = [(256, 256)] if quick else [(1024, 1024), (2048, 2048), (4096, 1024)]
print(json.dumps({"peer": "pytorch", "device": torch.cuda.get_device_name(0),
                  "matmul": [matmul(n, k) for n, k in sizes], "training": [training("cnn"), training("mlp")],
                  "vae": vae_steps()}))
