#!/usr/bin/python3
"""PyTorch side of `npm run bench`: the same workloads, shapes and step definitions as
bench/chainrule-workloads.ts and bench/tfjs-workloads.ts, written with torch.nn / torch.optim.

Run by bench/run.ts as a peer process (`--serve`): it reads one JSON command per line on stdin
(see bench/protocol.ts) and answers each with one line starting with '@@bench '.

It can also run one workload on its own and print one JSON line per repetition:
    /usr/bin/python3 bench/torch_bench.py --spec '{"kind": "sgemm", "n": 1024}' --reps 5

Run it with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (bench/run.ts does); the thread count is
the machine's core count unless --threads says otherwise.
"""

import argparse
import json
import math
import os
import platform
import sys
import time

REPLY = "@@bench "
SMALLOP_REPEAT = 1000

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    TORCH_ERROR = None
except ImportError as e:  # every command is answered with this, and the orchestrator says how to install it
    TORCH_ERROR = f"PyTorch not importable by {sys.executable}: {e}"


def blas_library():
    """The BLAS shared library this process mapped (reference BLAS is ~30x slower than OpenBLAS)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
        return sorted(libs)[0] if libs else None
    except OSError:
        return None


def trainer(forward, opt):
    state = {"loss": math.nan}

    def step():
        opt.zero_grad()
        loss = forward()
        loss.backward()
        opt.step()
        state["loss"] = loss.item()

    return step, lambda: state["loss"]


def build_sgemm(s):
    a = torch.randn(s["n"], s["n"])
    b = torch.randn(s["n"], s["n"])
    return (lambda: torch.mm(a, b)), None, 1


def build_smallop(s):
    a = torch.randn(s["n"])
    b = torch.randn(s["n"])

    def step():
        for _ in range(SMALLOP_REPEAT):
            torch.add(a, b)

    return step, None, SMALLOP_REPEAT


def build_mlp(s):
    sizes = s["sizes"]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    x = torch.randn(s["batch"], sizes[0])
    y = torch.randint(0, sizes[-1], (s["batch"],))
    opt = torch.optim.SGD(model.parameters(), lr=s["lr"])
    step, loss = trainer(lambda: F.cross_entropy(model(x), y), opt)
    return step, loss, 1


def build_textcnn(s):
    class TextCnn(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(s["vocab"], s["embed"])
            self.convs = nn.ModuleList(nn.Conv1d(s["embed"], s["filters"], w) for w in s["widths"])
            self.fc = nn.Linear(s["filters"] * len(s["widths"]), s["classes"])

        def forward(self, tokens):
            e = self.emb(tokens).transpose(1, 2)  # [B, embed, seq]
            pooled = [F.relu(c(e)).max(dim=2).values for c in self.convs]
            return self.fc(torch.cat(pooled, dim=1))

    model = TextCnn()
    tokens = torch.randint(0, s["vocab"], (s["batch"], s["seq"]))
    y = torch.randint(0, s["classes"], (s["batch"],))
    opt = torch.optim.Adam(model.parameters(), lr=s["lr"], eps=1e-8)
    step, loss = trainer(lambda: F.cross_entropy(model(tokens), y), opt)
    return step, loss, 1


def build_gru(s):
    class GruClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.gru = nn.GRU(s["input"], s["hidden"])
            self.fc = nn.Linear(s["hidden"], s["classes"])

        def forward(self, x):
            _, h = self.gru(x)  # h: [1, batch, hidden]
            return self.fc(h[0])

    model = GruClassifier()
    x = torch.randn(s["seq"], s["batch"], s["input"])
    y = torch.randint(0, s["classes"], (s["batch"],))
    opt = torch.optim.Adam(model.parameters(), lr=s["lr"], eps=1e-8)
    step, loss = trainer(lambda: F.cross_entropy(model(x), y), opt)
    return step, loss, 1


def build_cnn2d(s):
    layers = []
    side = s["size"]
    for cin, cout in zip(s["channels"], s["channels"][1:]):
        layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        side //= 2
    model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(s["channels"][-1] * side * side, s["hidden"]), nn.ReLU(), nn.Linear(s["hidden"], s["classes"]))
    x = torch.randn(s["batch"], s["channels"][0], s["size"], s["size"])
    y = torch.randint(0, s["classes"], (s["batch"],))
    opt = torch.optim.Adam(model.parameters(), lr=s["lr"], eps=1e-8)
    step, loss = trainer(lambda: F.cross_entropy(model(x), y), opt)
    return step, loss, 1


def build_transformer(s):
    d = s["dModel"]

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(s["vocab"], d)
            layer = nn.TransformerEncoderLayer(d, s["heads"], dim_feedforward=s["ff"], dropout=0.0, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, s["layers"], enable_nested_tensor=False)
            self.fc = nn.Linear(d, s["classes"])

        def forward(self, tokens):
            return self.fc(self.encoder(self.emb(tokens)).mean(dim=1))

    model = Classifier()
    tokens = torch.randint(0, s["vocab"], (s["batch"], s["seq"]))
    y = torch.randint(0, s["classes"], (s["batch"],))
    opt = torch.optim.Adam(model.parameters(), lr=s["lr"], eps=1e-8)
    step, loss = trainer(lambda: F.cross_entropy(model(tokens), y), opt)
    return step, loss, 1


def build_attention(s):
    """PyTorch 1.13 has no fused attention: matmul, masked softmax, matmul (as nn.MultiheadAttention does)."""
    shape = (s["batch"], s["heads"], s["seq"], s["dim"])
    q, k, v = (torch.randn(*shape, requires_grad=True) for _ in range(3))
    n = s["seq"]
    mask = torch.ones(n, n, dtype=torch.bool).triu(1) if s["causal"] else None
    state = {"loss": math.nan}

    def step():
        for t in (q, k, v):
            t.grad = None
        scores = q @ k.transpose(-2, -1) / math.sqrt(s["dim"])
        if mask is not None:
            scores = scores.masked_fill(mask, float("-inf"))
        out = (torch.softmax(scores, dim=-1) @ v).sum()
        out.backward()
        state["loss"] = out.item()

    return step, lambda: state["loss"], 1


BUILDERS = {
    "sgemm": build_sgemm,
    "smallop": build_smallop,
    "mlp": build_mlp,
    "textcnn": build_textcnn,
    "gru": build_gru,
    "cnn2d": build_cnn2d,
    "transformer": build_transformer,
    "attention": build_attention,
}


def build(spec):
    torch.manual_seed(1234)
    return BUILDERS[spec["kind"]](spec)


def timed(step, iters):
    """Mean milliseconds per step over `iters` steps."""
    t0 = time.perf_counter()
    for _ in range(iters):
        step()
    return (time.perf_counter() - t0) * 1000 / iters


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_rss_growth(fn):
    """Runs fn; how far the resident set's peak rose above its size before (MiB), or None off Linux."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = status_kib("VmRSS")
    except OSError:
        before = None
    fn()
    return None if before is None else (status_kib("VmHWM") - before) / 1024


def info():
    return {
        "library": "pytorch",
        "version": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "blas": blas_library(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE"),
    }


def serve():
    def reply(**r):
        print(REPLY + json.dumps(r), flush=True)

    runner = None
    for line in sys.stdin:
        if not line.strip():
            continue
        c = json.loads(line)
        cmd = c.get("cmd")
        if cmd == "quit":
            break
        try:
            if TORCH_ERROR:
                raise RuntimeError(TORCH_ERROR)
            if cmd == "hello":
                reply(ok=True, info=info())
            elif cmd == "prepare":
                runner = None
                step, loss, ops = build(c["spec"])
                first = {}
                peak = peak_rss_growth(lambda: first.setdefault("ms", timed(step, 1)))
                runner = (step, loss)
                reply(ok=True, firstMs=first["ms"], ops=ops, **({} if peak is None else {"peakRssMiB": peak}))
            elif cmd == "run":
                if runner is None:
                    raise RuntimeError("torch_bench: run before prepare")
                step, loss = runner
                ms = timed(step, c["iters"])
                reply(ok=True, ms=ms, loss=loss() if loss else None)
            elif cmd == "release":
                runner = None
                reply(ok=True)
            else:
                raise ValueError(f"torch_bench: unknown command {cmd!r}")
        except Exception as e:  # report, keep serving
            runner = None
            reply(ok=False, error=str(e) if TORCH_ERROR else f"{type(e).__name__}: {e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve", action="store_true", help="peer mode for bench/run.ts")
    ap.add_argument("--spec", help="one workload spec as JSON, e.g. '{\"kind\": \"sgemm\", \"n\": 512}'")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--iters", type=int, default=1, help="steps per repetition")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads (default: the core count)")
    a = ap.parse_args()
    if not TORCH_ERROR:
        torch.set_num_threads(a.threads)
    if a.serve:
        serve()
        return
    if TORCH_ERROR:
        sys.exit(TORCH_ERROR)
    if not a.spec:
        ap.error("give --serve or --spec")
    spec = json.loads(a.spec)
    step, loss, ops = build(spec)
    print(json.dumps({"info": info()}), flush=True)
    for _ in range(a.warmup):
        timed(step, 1)
    for r in range(a.reps):
        ms = timed(step, a.iters) / ops
        print(json.dumps({"spec": spec, "rep": r, "ms_per_op": ms, "loss": loss() if loss else None}), flush=True)


if __name__ == "__main__":
    main()
