#!/usr/bin/python3
"""Writes the PyTorch reference fixtures that the Kiln Java tests read.

Run from anywhere (paths are resolved relative to this file):

    apt-get install -y python3-torch
    /usr/bin/python3 runtime/src/test/python/make_fixtures.py

Outputs (safetensors, all tensors float32, written by hand below):
    runtime/src/test/resources/fixtures/activations.safetensors
    runtime/src/test/resources/fixtures/losses.safetensors
    runtime/src/test/resources/fixtures/optimizers.safetensors
    processor/src/test/resources/fixtures/net_*.safetensors

Everything is seeded and written in a fixed order, so rerunning the script with
the same torch version rewrites the files byte-for-byte. See FIXTURES.md.
"""

import copy
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)
torch.use_deterministic_algorithms(True)
torch.set_num_threads(1)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
RUNTIME_OUT = os.path.join(ROOT, "runtime", "src", "test", "resources", "fixtures")
PROCESSOR_OUT = os.path.join(ROOT, "processor", "src", "test", "resources", "fixtures")

EPS = 1e-7


def gen(seed):
    """A private, seeded generator so each fixture is independent of the others."""
    torch.manual_seed(seed)
    g = torch.Generator()
    g.manual_seed(seed)
    return g


# --------------------------------------------------------------------------
# safetensors writer / reader (hand-written; the safetensors package is not used)
# --------------------------------------------------------------------------

def to_f32(t):
    if isinstance(t, torch.Tensor):
        a = t.detach().cpu().to(torch.float32).numpy()
    else:
        a = np.asarray(t, dtype=np.float32)
    a = np.ascontiguousarray(a, dtype="<f4")
    if a.ndim == 0:
        a = a.reshape(1)  # scalars are stored with shape [1]
    return a


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, tensor) in the order they are written; metadata: dict str->str."""
    names = [n for n, _ in tensors]
    assert len(set(names)) == len(names), "duplicate tensor name"
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors:
        a = to_f32(t)
        assert np.all(np.isfinite(a)), name
        b = a.tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    meta = {}
    for k, v in metadata.items():
        assert isinstance(k, str) and isinstance(v, str), (k, v)
        meta[k] = v
    header["__metadata__"] = meta
    hbytes = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("utf-8")
    hbytes += b" " * ((8 - len(hbytes) % 8) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)))
        f.write(hbytes)
        for b in blobs:
            f.write(b)
    # verify by reading back
    back, bmeta, order = read_safetensors(path)
    assert order == names, path
    assert bmeta == meta, path
    for name, t in tensors:
        exp = to_f32(t)
        got = back[name]
        assert got.shape == exp.shape and got.tobytes() == exp.tobytes(), (path, name)
    return os.path.getsize(path)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0
    header = json.loads(data[8:8 + n].decode("utf-8"))
    buf = data[8 + n:]
    meta = header.pop("__metadata__", {})
    out = {}
    order = []
    expected_begin = 0
    for name, info in header.items():  # json keeps file order
        assert info["dtype"] == "F32"
        b, e = info["data_offsets"]
        assert b == expected_begin, (name, b, expected_begin)
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        assert e - b == 4 * count
        out[name] = np.frombuffer(buf[b:e], dtype="<f4").reshape(info["shape"])
        order.append(name)
        expected_begin = e
    assert expected_begin == len(buf), "trailing bytes in data buffer"
    return out, meta, order


def base_metadata():
    return {"generator": "runtime/src/test/python/make_fixtures.py",
            "torch": torch.__version__}


# --------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------

def softmax_t(t):
    return lambda x: torch.softmax(x / t, dim=-1)


ACTIVATIONS = [
    # name, fn, metadata
    ("linear", lambda x: x, {}),
    ("sigmoid", torch.sigmoid, {}),
    ("tanh", torch.tanh, {}),
    ("relu", torch.relu, {}),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), {"alpha": "0.2"}),
    ("elu", lambda x: F.elu(x, 1.0), {"alpha": "1.0"}),
    ("selu", F.selu, {}),
    ("swish", F.silu, {}),
    ("gelu", lambda x: F.gelu(x), {"approximate": "none"}),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), {"approximate": "tanh"}),
    ("softmax", softmax_t(1.0), {"temperature": "1.0", "axis": "-1"}),
    ("softmax_t2", softmax_t(2.0), {"temperature": "2.0", "axis": "-1"}),
    ("softmax_t05", softmax_t(0.5), {"temperature": "0.5", "axis": "-1"}),
]


def activation_input(g, softmax):
    x = torch.randn(6, 7, generator=g) * 3.0
    # exact special values (never exactly 0: avoid the relu-family kink)
    x[0, 0] = -20.0
    x[1, 1] = -5.0
    x[2, 2] = -1e-3
    x[3, 3] = 0.5
    x[4, 4] = 5.0
    x[5, 5] = 20.0
    x[0, 6] = 1e-3
    x[1, 5] = -0.5
    if softmax:
        # numerically demanding row: a naive exp() overflows / underflows
        x[5] = torch.tensor([100.0, -100.0, 0.5, 50.0, -50.0, 20.0, 100.0])
    assert not torch.any(x == 0)
    return x


def make_activations():
    tensors = []
    meta = base_metadata()
    meta["activations"] = ",".join(n for n, _, _ in ACTIVATIONS)
    for i, (name, fn, m) in enumerate(ACTIVATIONS):
        g = gen(1000 + i)
        x = activation_input(g, name.startswith("softmax"))
        dy = torch.randn(6, 7, generator=g)
        xr = x.clone().requires_grad_(True)
        y = fn(xr)
        (y * dy).sum().backward()
        tensors += [(name + ".x", x), (name + ".y", y), (name + ".dy", dy), (name + ".dx", xr.grad)]
        for k, v in m.items():
            meta[name + "." + k] = v
    return write_safetensors(os.path.join(RUNTIME_OUT, "activations.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------

def loss_mse(p, y):
    return ((p - y) ** 2).mean()


def loss_mae(p, y):
    return (p - y).abs().mean()


def loss_bce(p, y):
    pc = p.clamp(EPS, 1.0 - EPS)
    return (-(y * torch.log(pc) + (1.0 - y) * torch.log(1.0 - pc))).mean()


def loss_cce(p, y):
    return (-(y * torch.log(p.clamp(EPS, 1.0))).sum(dim=1)).mean()


def loss_sparse_cce(p, idx):
    lab = idx.reshape(-1).long()
    pc = p.clamp(EPS, 1.0)
    return (-torch.log(pc.gather(1, lab.unsqueeze(1)).squeeze(1))).mean()


def loss_softmax_cce(z, y):
    return (-(y * torch.log_softmax(z, dim=1)).sum(dim=1)).mean()


def loss_sparse_softmax_cce(z, idx):
    return F.cross_entropy(z, idx.reshape(-1).long(), reduction="mean")


def loss_sigmoid_bce(z, y):
    return F.binary_cross_entropy_with_logits(z, y, reduction="mean")


def make_losses():
    B, C, CB = 5, 4, 3
    tensors = []
    meta = base_metadata()
    cases = []

    g = gen(2001)
    cases.append(("mse", loss_mse, torch.randn(B, C, generator=g), torch.randn(B, C, generator=g),
                  {"reduction": "mean over all elements"}))

    g = gen(2002)
    p = torch.randn(B, C, generator=g)
    y = torch.randn(B, C, generator=g)
    assert torch.all((p - y).abs() > 1e-3)
    cases.append(("mae", loss_mae, p, y, {"reduction": "mean over all elements"}))

    g = gen(2003)
    p = torch.rand(B, CB, generator=g) * 0.9 + 0.05
    y = (torch.rand(B, CB, generator=g) > 0.5).float()
    y[2, 1] = 0.3  # one soft label
    cases.append(("bce", loss_bce, p, y, {"epsilon": "1e-7", "reduction": "mean over all elements",
                                          "input": "probabilities"}))

    g = gen(2004)
    p = torch.softmax(torch.randn(B, C, generator=g) * 1.5, dim=1)
    cls = torch.tensor([0, 1, 2, 3, 1])
    y = F.one_hot(cls, C).float()
    cases.append(("cce", loss_cce, p, y, {"epsilon": "1e-7", "reduction": "mean over batch of row sums",
                                          "input": "probabilities"}))

    g = gen(2005)
    p = torch.softmax(torch.randn(B, C, generator=g) * 1.5, dim=1)
    y = torch.tensor([[2.0], [0.0], [3.0], [1.0], [2.0]])
    cases.append(("sparse_cce", loss_sparse_cce, p, y, {"epsilon": "1e-7", "reduction": "mean over batch",
                                                        "input": "probabilities"}))

    g = gen(2006)
    z = torch.randn(B, C, generator=g) * 2.0
    z[3] = torch.tensor([60.0, -60.0, 0.5, 30.0])
    cls = torch.tensor([2, 0, 3, 1, 1])  # row 3 targets the -60 logit
    cases.append(("softmax_cce", loss_softmax_cce, z, F.one_hot(cls, C).float(),
                  {"reduction": "mean over batch of row sums", "input": "logits"}))

    g = gen(2007)
    z = torch.randn(B, C, generator=g) * 2.0
    z[1] = torch.tensor([-60.0, 60.0, 0.5, -30.0])
    y = torch.tensor([[3.0], [0.0], [1.0], [2.0], [0.0]])  # row 1 targets the -60 logit
    cases.append(("sparse_softmax_cce", loss_sparse_softmax_cce, z, y,
                  {"reduction": "mean over batch", "input": "logits"}))

    g = gen(2008)
    z = torch.randn(B, CB, generator=g) * 2.0
    z[4] = torch.tensor([60.0, -60.0, 0.5])
    y = (torch.rand(B, CB, generator=g) > 0.5).float()
    y[4] = torch.tensor([0.0, 1.0, 0.3])  # both extremes on the wrong side + a soft label
    y[1, 0] = 0.3
    cases.append(("sigmoid_bce", loss_sigmoid_bce, z, y,
                  {"reduction": "mean over all elements", "input": "logits"}))

    # Label smoothing 0.1 (Keras's label_smoothing; PyTorch's for class indices), same inputs as above.
    ls = 0.1
    for base in ("softmax_cce", "sparse_softmax_cce", "sigmoid_bce"):
        _, _, z_base, y_base, m_base = [c for c in cases if c[0] == base][0]
        if base == "softmax_cce":
            fn = lambda z, y: F.cross_entropy(z, y * (1 - ls) + ls / z.shape[1])
        elif base == "sparse_softmax_cce":
            fn = lambda z, y: F.cross_entropy(z, y[:, 0].long(), label_smoothing=ls)
        else:
            fn = lambda z, y: F.binary_cross_entropy_with_logits(z, y * (1 - ls) + 0.5 * ls)
        cases.append((base + "_ls", fn, z_base, y_base, dict(m_base, label_smoothing=str(ls))))

    for name, fn, pred, target, m in cases:
        pr = pred.clone().requires_grad_(True)
        loss = fn(pr, target)
        loss.backward()
        tensors += [(name + ".pred", pred), (name + ".target", target),
                    (name + ".loss", loss.reshape(1)), (name + ".grad", pr.grad)]
        for k, v in m.items():
            meta[name + "." + k] = v
    meta["losses"] = ",".join(c[0] for c in cases)
    return write_safetensors(os.path.join(RUNTIME_OUT, "losses.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# optimizers
# --------------------------------------------------------------------------

OPTIMIZERS = [
    ("sgd", "lr=0.1",
     lambda p: torch.optim.SGD(p, lr=0.1, foreach=False)),
    ("momentum", "lr=0.1,momentum=0.9",
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0, nesterov=False, foreach=False)),
    ("nesterov", "lr=0.1,momentum=0.9,nesterov=true",
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0, nesterov=True, foreach=False)),
    ("adagrad", "lr=0.1,epsilon=1e-7,initial_accumulator=0",
     lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-7, initial_accumulator_value=0, lr_decay=0,
                                   foreach=False)),
    ("rmsprop", "lr=0.01,rho=0.9,epsilon=1e-7",
     lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7, momentum=0, centered=False,
                                   foreach=False)),
    ("adam", "lr=0.05,beta1=0.9,beta2=0.999,epsilon=1e-7",
     lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-7, foreach=False)),
    ("adamw", "lr=0.01,beta1=0.9,beta2=0.999,epsilon=1e-7,weight_decay=0.1",
     lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.1,
                                 foreach=False)),
]


def make_optimizers():
    N = 37
    tensors = []
    meta = base_metadata()
    meta["optimizers"] = ",".join(o[0] for o in OPTIMIZERS)
    for i, (name, hyper, ctor) in enumerate(OPTIMIZERS):
        g = gen(3000 + i)
        w0 = torch.randn(N, generator=g)
        grads = [torch.randn(N, generator=g) * s for s in (1.0, 0.5, 2.0)]
        grads[0][5] = 0.0  # an exact zero gradient on the first step (0 / eps paths)
        w = w0.clone().requires_grad_(True)
        opt = ctor([w])
        ws = []
        for gr in grads:
            opt.zero_grad()
            w.grad = gr.clone()
            opt.step()
            ws.append(w.detach().clone())
        tensors.append((name + ".w0", w0))
        tensors += [(name + ".g%d" % (k + 1), gr) for k, gr in enumerate(grads)]
        tensors += [(name + ".w%d" % (k + 1), wk) for k, wk in enumerate(ws)]
        meta[name + ".hyper"] = hyper
    return write_safetensors(os.path.join(RUNTIME_OUT, "optimizers.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# whole networks
# --------------------------------------------------------------------------

def act_fn(spec):
    """spec: (kind, param) -> (fn, kink) where kink marks activations with a non-smooth point at 0."""
    kind, param = spec
    if kind == "linear":
        return (lambda x: x), False
    if kind == "relu":
        return torch.relu, True
    if kind == "leaky_relu":
        return (lambda x: F.leaky_relu(x, param)), True
    if kind == "elu":
        return (lambda x: F.elu(x, param)), True
    if kind == "selu":
        return F.selu, True
    if kind == "tanh":
        return torch.tanh, False
    if kind == "sigmoid":
        return torch.sigmoid, False
    if kind == "swish":
        return F.silu, False
    if kind == "gelu":
        return (lambda x: F.gelu(x)), False
    if kind == "gelu_tanh":
        return (lambda x: F.gelu(x, approximate="tanh")), False
    if kind == "softmax":
        t = param if param is not None else 1.0
        return (lambda x: torch.softmax(x / t, dim=-1)), False
    raise ValueError(kind)


def act_str(spec):
    kind, param = spec
    return kind if param is None else "%s(%s)" % (kind, repr(float(param)))


class SplitMix64:
    """Kiln's noise stream (runtime kernels/Noise.java), bit for bit: dropout masks match. Also the
    augmentation seed and the count of samples training-mode passes have seen (Noise.seed)."""
    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK
        self.aug_seed = seed & self.MASK
        self.seen = 0

    def uniform(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & self.MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        z ^= z >> 31
        return np.float32((z >> 40) * 2.0 ** -24)

    def dropout_mask(self, rows, cols, rate):
        rate32 = np.float32(rate)
        scale = np.float32(1.0 / (1.0 - rate))
        m = np.zeros((rows, cols), dtype=np.float32)
        for r in range(rows):
            for c in range(cols):
                m[r, c] = scale if self.uniform() >= rate32 else np.float32(0.0)
        return torch.from_numpy(m)


GAMMA = 0x9E3779B97F4A7C15
MASK64 = (1 << 64) - 1


def mix64(z):
    z &= MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def aug_uniform(seed, layer, k, draw):
    """Draw number `draw` of augmentation layer `layer` (execution order) for the k-th sample of the
    training stream (kernels/Augmentation.java's contract, written out again here)."""
    key = mix64(seed + GAMMA * (layer + 1))
    stream = mix64(key + GAMMA * (k + 1))
    return np.float32((mix64(stream + GAMMA * draw) >> 40) * 2.0 ** -24)


def keras_fix_index(index, size, fill):
    """Keras 3's map_coordinates index fixers (numpy/torch/jax backends), on an int64 tensor."""
    if fill == "constant":
        return index.clamp(0, size - 1)  # the value is replaced by the fill value where invalid
    if fill == "nearest":
        return index.clamp(0, size - 1)
    if fill == "wrap":
        return torch.remainder(index, size)
    assert fill == "reflect"

    def mirror(i, sz):
        s_ = sz - 1
        return torch.abs(torch.remainder(i + s_, 2 * s_) - s_)
    return torch.div(mirror(2 * index + 1, 2 * size + 1) - 1, 2, rounding_mode="floor")


def keras_map_coordinates(img, cy, cx, order, fill, fill_value):
    """img [C, H, W]; cy [H] and cx [W] float64 coordinates of the output rows and columns (an
    axis-aligned transform). Keras's map_coordinates: per axis the nodes floor(c), floor(c) + 1 with
    weights 1 - f, f (order 1) or round-half-even(c) (order 0); each node's index fixed by the fill
    mode; with 'constant' a node outside the image contributes fill_value."""
    c_, h_, w_ = img.shape

    def nodes(coord, size):
        if order == 0:
            idx = torch.from_numpy(np.rint(coord.numpy())).long()
            return [(idx, torch.ones_like(coord))]
        lower = torch.floor(coord)
        upper_w = coord - lower
        idx = lower.long()
        return [(idx, 1 - upper_w), (idx + 1, upper_w)]
    out = torch.zeros(c_, h_, w_, dtype=img.dtype)
    for iy, wy in nodes(cy, h_):
        for ix, wx in nodes(cx, w_):
            vals = img[:, keras_fix_index(iy, h_, fill)[:, None], keras_fix_index(ix, w_, fill)[None, :]]
            if fill == "constant":
                valid = ((iy >= 0) & (iy < h_))[:, None] & ((ix >= 0) & (ix < w_))[None, :]
                vals = torch.where(valid[None], vals, torch.full_like(vals, fill_value))
            out = out + (wy[:, None] * wx[None, :]).to(img.dtype)[None] * vals
    return out


def augment(h, kind, o, layer, noise):
    """A training-mode augmentation layer on NCHW h, with Kiln's draws for samples noise.seen + i."""
    n_, c_, h_, w_ = h.shape
    outs = []
    for i in range(n_):
        k = noise.seen + i
        u1 = aug_uniform(noise.aug_seed, layer, k, 1)
        u2 = aug_uniform(noise.aug_seed, layer, k, 2)
        img = h[i]
        if kind == "flip":
            mode = o.get("mode", "horizontal_and_vertical")
            if mode != "vertical" and u1 < np.float32(0.5):
                img = torch.flip(img, dims=[2])
            if mode != "horizontal" and u2 < np.float32(0.5):
                img = torch.flip(img, dims=[1])
            outs.append(img)
            continue
        if kind == "translate":
            (hl, hu), (wl, wu) = o["hf"], o["wf"]
            shift_y = np.float32(hl + float(u1) * (hu - hl)) * np.float32(h_)
            shift_x = np.float32(wl + float(u2) * (wu - wl)) * np.float32(w_)
            sy, oy, sx, ox = np.float32(1), -shift_y, np.float32(1), -shift_x
        else:
            (hl, hu) = o["hf"]
            zy = np.float32((1 + hl) + float(u1) * ((1 + hu) - (1 + hl)))
            if o.get("wf") is None:
                zx = zy
            else:
                wl, wu = o["wf"]
                zx = np.float32((1 + wl) + float(u2) * ((1 + wu) - (1 + wl)))
            sy, oy = zy, np.float32((h_ - 1) / 2.0 * (1 - float(zy)))
            sx, ox = zx, np.float32((w_ - 1) / 2.0 * (1 - float(zx)))
        cy = torch.tensor([float(sy) * r + float(oy) for r in range(h_)], dtype=torch.float64)
        cx = torch.tensor([float(sx) * c + float(ox) for c in range(w_)], dtype=torch.float64)
        outs.append(keras_map_coordinates(img, cy, cx, 0 if o.get("interp") == "nearest" else 1,
                                          o.get("fill", "reflect"), o.get("fill_value", 0.0)))
    return torch.stack(outs)


AUGMENT_KINDS = ("flip", "translate", "zoom")


class Net(nn.Module):
    """layers: list of (name, kind, units, act, options) with kind 'dense' (options: l1, l2),
    'act', 'dropout' (rate), 'batchnorm' (momentum, epsilon, center, scale; Keras conventions:
    biased batch variance, moving = momentum * moving + (1 - momentum) * batch) or 'layernorm'
    (epsilon). The 4-tuple form is a dense or activation layer without options."""

    def __init__(self, n_in, layers, g):
        super().__init__()
        self.layers = [l if len(l) == 5 else tuple(l) + ({},) for l in layers]
        self.noise = None      # a SplitMix64 in training mode when the net has dropout
        self.training_mode = True
        width = n_in
        for name, kind, units, _, opts in self.layers:
            if kind == "dense":
                lin = nn.Linear(width, units, bias=opts.get("bias", True))
                with torch.no_grad():
                    lin.weight.copy_(torch.rand(units, width, generator=g) * 1.6 - 0.8)
                    if lin.bias is not None:
                        lin.bias.copy_(torch.rand(units, generator=g) * 0.4 - 0.2)
                setattr(self, name, lin)  # attribute name == layer name == state_dict prefix
                width = units
            elif kind in ("batchnorm", "layernorm"):
                mod = nn.Module()
                if opts.get("scale", True):
                    mod.weight = nn.Parameter(torch.rand(width, generator=g) + 0.5)
                if opts.get("center", True):
                    mod.bias = nn.Parameter(torch.rand(width, generator=g) * 0.4 - 0.2)
                if kind == "batchnorm":
                    mod.register_buffer("running_mean", torch.zeros(width))
                    mod.register_buffer("running_var", torch.ones(width))
                setattr(self, name, mod)

    def penalty(self):
        total = torch.zeros(())
        for name, kind, _, _, opts in self.layers:
            if kind == "dense":
                w = getattr(self, name).weight
                total = total + opts.get("l1", 0.0) * w.abs().sum() + opts.get("l2", 0.0) * (w * w).sum()
        return total

    def forward(self, x):
        """Returns (logits of the last layer before its activation, final output)."""
        h = x
        pre = h
        for name, kind, units, act, opts in self.layers:
            if kind == "dense":
                h = getattr(self, name)(h)
            elif kind == "dropout":
                if self.training_mode:
                    h = h * self.noise.dropout_mask(h.shape[0], h.shape[1], opts["rate"])
            elif kind == "batchnorm":
                mod = getattr(self, name)
                eps = opts["epsilon"]
                if self.training_mode:
                    mean = h.mean(dim=0)
                    var = ((h - mean) ** 2).mean(dim=0)
                    with torch.no_grad():
                        m = opts["momentum"]
                        mod.running_mean.copy_(m * mod.running_mean + (1 - m) * mean)
                        mod.running_var.copy_(m * mod.running_var + (1 - m) * var)
                else:
                    mean, var = mod.running_mean, mod.running_var
                h = (h - mean) / torch.sqrt(var + eps)
                if hasattr(mod, "weight"):
                    h = h * mod.weight
                if hasattr(mod, "bias"):
                    h = h + mod.bias
            elif kind == "layernorm":
                mod = getattr(self, name)
                h = F.layer_norm(h, (h.shape[1],), getattr(mod, "weight", None), getattr(mod, "bias", None),
                                 opts["epsilon"])
            pre = h
            fn, kink = act_fn(act)
            if kink:
                m = h.detach().abs().min().item()
                assert m > 1e-4, "pre-activation too close to the kink in %s: %g" % (name, m)
            h = fn(h)
        return pre, h


def net_loss(loss, last_act, pre, out, y):
    kind, param = last_act
    if loss == "mse":
        return loss_mse(out, y)
    if loss == "mae":
        m = (out - y).detach().abs().min().item()
        assert m > 1e-4, "mae: output too close to the target (sign kink): %g" % m
        return loss_mae(out, y)
    if loss == "cce":
        assert kind == "softmax"  # fused: computed from the logits
        t = param if param is not None else 1.0
        return (-(y * torch.log_softmax(pre / t, dim=1)).sum(dim=1)).mean()
    if loss == "sparse_cce":
        assert kind == "softmax" and param is None
        return loss_sparse_softmax_cce(pre, y)
    if loss == "bce":
        assert kind == "sigmoid"
        return loss_sigmoid_bce(pre, y)
    # @Network(fromLogits = true): a linear output and PyTorch's own losses on the logits.
    if loss == "cce_logits":
        assert kind == "linear"
        return F.cross_entropy(out, y)  # probability (one-hot) targets
    if loss == "sparse_cce_logits":
        assert kind == "linear"
        return F.cross_entropy(out, y[:, 0].long())
    if loss == "bce_logits":
        assert kind == "linear"
        return F.binary_cross_entropy_with_logits(out, y)
    raise ValueError(loss)


def check_input_grad(name, model, state, new_noise, loss_of, x, y, expected):
    """Checks d loss / d input from autograd (float32) against central differences of the
    training-mode loss in float64 on a copy of the model at the same weights and noise stream.
    loss_of(model, input, y); x and expected: one tensor, or dicts name -> tensor for several inputs."""
    single = isinstance(x, torch.Tensor)
    xs = {"x": x} if single else x
    exps = {"x": expected} if single else expected
    m = copy.deepcopy(model)
    m.load_state_dict(state)
    m.double()
    m.training_mode = True

    def loss_at(vals):
        m.noise = new_noise()
        with torch.no_grad():
            loss = loss_of(m, vals["x"] if single else vals, y.double())
            assert loss.dtype == torch.float64
            return loss.item()

    h = 1e-6
    for key, exp in exps.items():
        base = {k: v.double() for k, v in xs.items()}
        flat = base[key].reshape(-1)
        fd = torch.zeros(flat.numel(), dtype=torch.float64)
        for i in range(flat.numel()):
            orig = flat[i].item()
            flat[i] = orig + h
            up = loss_at(base)
            flat[i] = orig - h
            down = loss_at(base)
            flat[i] = orig
            fd[i] = (up - down) / (2 * h)
        e = exp.reshape(-1).double()
        scale = e.abs().max().item()
        err = ((fd - e).abs() / torch.clamp(e.abs(), min=1e-2 * scale)).max().item()
        assert err < 1e-3, "net_%s: input gradient %s off by %g (relative)" % (name, key, err)


def onehot(classes, c):
    return F.one_hot(torch.tensor(classes), c).float()


NETS = []


def net(name, n_in, layers, loss, opt_str, opt_ctor, make_data, seed, noise_seed=None):
    NETS.append(dict(name=name, n_in=n_in, layers=layers, loss=loss, opt_str=opt_str,
                     opt_ctor=opt_ctor, make_data=make_data, seed=seed, noise_seed=noise_seed))


net("xor", 2,
    [("hidden", "dense", 2, ("leaky_relu", 0.2)),
     ("output", "dense", 1, ("linear", None))],
    "mse", "adam(lr=0.05,beta1=0.9,beta2=0.999,epsilon=1e-7)",
    lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.9, 0.999), eps=1e-7, foreach=False),
    lambda g: (torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]),
               torch.tensor([[0.0], [1.0], [1.0], [0.0]])),
    4001)

net("iris", 4,
    [("hidden", "dense", 10, ("relu", None)),
     ("output", "dense", 3, ("softmax", None))],
    "cce", "sgd(lr=0.1)",
    lambda p: torch.optim.SGD(p, lr=0.1, foreach=False),
    lambda g: (torch.randn(6, 4, generator=g), onehot([0, 1, 2, 0, 1, 2], 3)),
    4002)

net("deep", 5,
    [("a", "dense", 8, ("tanh", None)),
     ("b", "dense", 6, ("linear", None)),
     ("b_act", "act", None, ("elu", 1.0)),
     ("c", "dense", 4, ("gelu", None)),
     ("output", "dense", 3, ("sigmoid", None))],
    "bce", "momentum(lr=0.05,momentum=0.9)",
    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0, nesterov=False, foreach=False),
    lambda g: (torch.randn(5, 5, generator=g),
               torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [1.0, 1.0, 0.0],
                             [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])),
    4003)

net("mix", 6,
    [("a", "dense", 7, ("swish", None)),
     ("b", "dense", 5, ("selu", None)),
     ("c", "dense", 4, ("gelu_tanh", None)),
     ("output", "dense", 2, ("linear", None))],
    "mae", "rmsprop(lr=0.01,rho=0.9,epsilon=1e-7)",
    lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-7, momentum=0, centered=False,
                                  foreach=False),
    lambda g: (torch.randn(5, 6, generator=g), torch.randn(5, 2, generator=g)),
    4004)

net("sparse", 3,
    [("h", "dense", 5, ("sigmoid", None)),
     ("out", "dense", 4, ("softmax", None))],
    "sparse_cce", "adamw(lr=0.01,beta1=0.9,beta2=0.999,epsilon=1e-7,weight_decay=0.1)",
    lambda p: torch.optim.AdamW(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.1,
                                foreach=False),
    lambda g: (torch.randn(7, 3, generator=g),
               torch.tensor([[0.0], [1.0], [2.0], [3.0], [1.0], [3.0], [2.0]])),
    4005)

net("nesterov", 3,
    [("h", "dense", 6, ("relu", None)),
     ("h_act", "act", None, ("tanh", None)),
     ("out", "dense", 2, ("softmax", None))],
    "mse", "nesterov(lr=0.1,momentum=0.9)",
    lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0, nesterov=True, foreach=False),
    lambda g: (torch.randn(4, 3, generator=g), onehot([0, 1, 1, 0], 2)),
    4006)

net("adagrad", 4,
    [("h", "dense", 3, ("elu", 1.0)),
     ("out", "dense", 1, ("sigmoid", None))],
    "bce", "adagrad(lr=0.1,epsilon=1e-7,initial_accumulator=0)",
    lambda p: torch.optim.Adagrad(p, lr=0.1, eps=1e-7, initial_accumulator_value=0, lr_decay=0,
                                  foreach=False),
    lambda g: (torch.randn(6, 4, generator=g),
               torch.tensor([[1.0], [0.0], [0.0], [1.0], [1.0], [0.0]])),
    4007)

net("temp", 3,
    [("h", "dense", 4, ("leaky_relu", 0.1)),
     ("out", "dense", 3, ("softmax", 2.0))],
    "cce", "sgd(lr=0.1)",
    lambda p: torch.optim.SGD(p, lr=0.1, foreach=False),
    lambda g: (torch.randn(4, 3, generator=g), onehot([0, 1, 2, 1], 3)),
    4008)


net("dropout", 6,
    [("h", "dense", 10, ("relu", None), {"l1": 0.001}),
     ("drop", "dropout", None, ("linear", None), {"rate": 0.3}),
     ("out", "dense", 3, ("softmax", None))],
    "cce", "sgd(lr=0.1)",
    lambda p: torch.optim.SGD(p, lr=0.1, foreach=False),
    lambda g: (torch.randn(8, 6, generator=g), onehot([0, 1, 2, 0, 1, 2, 0, 1], 3)),
    4009, noise_seed=12345)

net("batchnorm", 5,
    # No bias before batch norm: its exact gradient is 0 (normalization removes any shift), so
    # float noise would decide its updates.
    [("d", "dense", 8, ("linear", None), {"l2": 0.01, "bias": False}),
     ("bn", "batchnorm", None, ("linear", None), {"momentum": 0.9, "epsilon": 1e-3}),
     ("act", "act", None, ("tanh", None)),
     ("out", "dense", 1, ("sigmoid", None))],
    "bce", "adam(lr=0.01,beta1=0.9,beta2=0.999,epsilon=1e-7)",
    lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7, foreach=False),
    lambda g: (torch.randn(8, 5, generator=g),
               torch.tensor([[1.0], [0.0], [0.0], [1.0], [1.0], [0.0], [1.0], [0.0]])),
    4010)

net("bn_plain", 3,
    [("d", "dense", 4, ("linear", None), {"bias": False}),
     ("bn", "batchnorm", None, ("linear", None),
      {"momentum": 0.5, "epsilon": 1e-3, "center": False, "scale": False}),
     ("out", "dense", 2, ("softmax", None))],
    "cce", "sgd(lr=0.1)",
    lambda p: torch.optim.SGD(p, lr=0.1, foreach=False),
    lambda g: (torch.randn(6, 3, generator=g), onehot([0, 1, 1, 0, 1, 0], 2)),
    4011)

net("layernorm", 4,
    [("d", "dense", 6, ("linear", None), {"l1": 0.01, "l2": 0.005}),
     ("ln", "layernorm", None, ("linear", None), {"epsilon": 1e-3}),
     ("act", "act", None, ("tanh", None)),
     ("out", "dense", 2, ("linear", None))],
    "mse", "momentum(lr=0.05,momentum=0.9)",
    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0, nesterov=False, foreach=False),
    lambda g: (torch.randn(5, 4, generator=g), torch.randn(5, 2, generator=g)),
    4012)

net("logits", 4,
    [("h", "dense", 6, ("tanh", None)),
     ("out", "dense", 3, ("linear", None))],
    "cce_logits", "sgd(lr=0.1)",
    lambda p: torch.optim.SGD(p, lr=0.1, foreach=False),
    # Wide inputs, so some logits are large: the loss must stay stable without a softmax layer.
    lambda g: (4 * torch.randn(6, 4, generator=g), onehot([0, 1, 2, 2, 1, 0], 3)),
    4013)

net("logits_sparse", 3,
    [("h", "dense", 5, ("relu", None)),
     ("out", "dense", 4, ("linear", None))],
    "sparse_cce_logits", "adam(lr=0.01,beta1=0.9,beta2=0.999,epsilon=1e-7)",
    lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7, foreach=False),
    lambda g: (torch.randn(7, 3, generator=g),
               torch.tensor([[0.0], [1.0], [2.0], [3.0], [1.0], [3.0], [2.0]])),
    4014)

net("logits_bce", 4,
    [("h", "dense", 5, ("elu", 1.0)),
     ("out", "dense", 2, ("linear", None))],
    "bce_logits", "sgd(lr=0.1)",
    lambda p: torch.optim.SGD(p, lr=0.1, foreach=False),
    lambda g: (torch.randn(6, 4, generator=g),
               torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])),
    4015)



def layers_str(layers):
    parts = []
    for layer in layers:
        name, kind, units, act = layer[:4]
        opts = layer[4] if len(layer) == 5 else {}
        extra = "".join(":%s=%s" % (k, opts[k]) for k in sorted(opts))
        if kind == "dense":
            parts.append("%s:dense:%d:%s%s" % (name, units, act_str(act), extra))
        elif kind == "act":
            parts.append("%s:act:%s" % (name, act_str(act)))
        else:
            parts.append("%s:%s%s" % (name, kind, extra))
    return ",".join(parts)


def make_net(spec):
    g = gen(spec["seed"])
    model = Net(spec["n_in"], spec["layers"], g)
    x, y = spec["make_data"](g)
    last_act = spec["layers"][-1][3]
    initial_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tensors = list(initial_state.items())
    pnames = [k for k, _ in model.named_parameters()]
    buffers = [k for k, _ in model.named_buffers()]
    assert sorted(pnames + buffers) == sorted(k for k, _ in tensors), (pnames, buffers)

    def forward_loss(training, inp=None):
        model.training_mode = training
        pre, out = model(x if inp is None else inp)
        return out, net_loss(spec["loss"], last_act, pre, out, y) + model.penalty()

    def new_noise():
        return SplitMix64(spec["noise_seed"]) if spec["noise_seed"] is not None else None

    def restart_noise():
        model.noise = new_noise()

    # Inference output and loss at the initial weights (moving statistics at their start values).
    with torch.no_grad():
        out, loss_inference = forward_loss(False)
    # One training-mode pass (dropout from the noise seed, batch statistics): the loss, the
    # parameter gradients and the gradient with respect to the input, from the same pass.
    state_before = {k: v.detach().clone() for k, v in model.state_dict().items()}
    restart_noise()
    x_req = x.clone().requires_grad_(True)
    _, loss = forward_loss(True, x_req)
    model.zero_grad()
    loss.backward()
    grads = [("expected.grad." + k, p.grad.detach().clone()) for k, p in model.named_parameters()
             if p.requires_grad]
    # Kiln's one bias (LSTM, simple RNN) = bias_ih_l0 + bias_hh_l0: its gradient is bias_ih_l0's.
    summed = [k[:-len(".bias_hh_l0")] for k, p in model.named_parameters()
              if k.endswith(".bias_hh_l0") and not p.requires_grad]
    grads += [("expected.grad.%s.bias" % k, dict(grads)["expected.grad.%s.bias_ih_l0" % k]) for k in summed]
    grads += [("expected.grad." + k, torch.zeros_like(b)) for k, b in model.named_buffers()]
    input_grad = x_req.grad.detach().clone()
    check_input_grad(spec["name"], model, state_before, new_noise,
                     lambda m, inp, yd: net_loss(spec["loss"], last_act, *m(inp), yd) + m.penalty(),
                     x, y, input_grad)

    model.load_state_dict(initial_state)
    restart_noise()
    opt = spec["opt_ctor"](list(model.parameters()))
    for _ in range(3):
        opt.zero_grad()
        _, l = forward_loss(True)
        l.backward()
        opt.step()
    with torch.no_grad():
        _, loss3 = forward_loss(False)
    step3 = [("expected.step3." + k, v.detach().clone()) for k, v in model.state_dict().items()]

    tensors += [("input.x", x), ("input.y", y),
                ("expected.output", out), ("expected.loss", loss.reshape(1)),
                ("expected.inference_loss", loss_inference.reshape(1))]
    tensors += grads + step3 + [("expected.step3.loss", loss3.reshape(1))]
    tensors += [("expected.input_grad", input_grad)]
    meta = base_metadata()
    meta.update({"input": str(spec["n_in"]), "layers": layers_str(spec["layers"]),
                 "loss": spec["loss"], "optimizer": spec["opt_str"],
                 "batch": str(x.shape[0]), "steps": "3"})
    if spec["noise_seed"] is not None:
        meta["noise_seed"] = str(spec["noise_seed"])
    path = os.path.join(PROCESSOR_OUT, "net_%s.safetensors" % spec["name"])
    size = write_safetensors(path, tensors, meta)
    return path, size, float(loss), float(loss3)


# --------------------------------------------------------------------------
# graph networks: skip connections (add), concatenation, fan-out, several inputs, rank-2 input
# --------------------------------------------------------------------------

class GraphNet(nn.Module):
    """layers: list of (name, kind, inputs, units, act, options) in declaration order. inputs is a
    tuple of layer names, or None for the previous layer (the first layer reads the network input,
    named "input"). kind: 'input' (units = the input's shape; several-input nets), 'dense' (applies
    to the last axis, like nn.Linear), 'act', 'add' (sum in parameter order), 'concat' (last axis,
    parameter order) or 'layernorm' (options: epsilon). Weights are drawn as in Net, in layer order."""

    def __init__(self, input_shapes, layers, g):
        super().__init__()
        self.layers = layers
        self.training_mode = True
        self.noise = None  # no noise layers in the graph nets
        shapes = dict(input_shapes)
        prev = "input"
        for name, kind, inputs, units, _, opts in layers:
            srcs = list(inputs) if inputs is not None else [prev]
            if kind == "input":
                assert name in shapes
            elif kind == "dense":
                width = shapes[srcs[0]][-1]
                lin = nn.Linear(width, units, bias=opts.get("bias", True))
                with torch.no_grad():
                    lin.weight.copy_(torch.rand(units, width, generator=g) * 1.6 - 0.8)
                    if lin.bias is not None:
                        lin.bias.copy_(torch.rand(units, generator=g) * 0.4 - 0.2)
                setattr(self, name, lin)
                shapes[name] = shapes[srcs[0]][:-1] + (units,)
            elif kind == "add":
                assert len(srcs) >= 2 and all(shapes[s] == shapes[srcs[0]] for s in srcs), name
                shapes[name] = shapes[srcs[0]]
            elif kind == "concat":
                assert len(srcs) >= 2 and all(shapes[s][:-1] == shapes[srcs[0]][:-1] for s in srcs), name
                shapes[name] = shapes[srcs[0]][:-1] + (sum(shapes[s][-1] for s in srcs),)
            elif kind == "layernorm":
                width = shapes[srcs[0]][-1]
                mod = nn.Module()
                if opts.get("scale", True):
                    mod.weight = nn.Parameter(torch.rand(width, generator=g) + 0.5)
                if opts.get("center", True):
                    mod.bias = nn.Parameter(torch.rand(width, generator=g) * 0.4 - 0.2)
                setattr(self, name, mod)
                shapes[name] = shapes[srcs[0]]
            elif kind == "embedding":
                # nn.Embedding's own N(0, 1) draw, from the generator; ids arrive as floats
                mod = nn.Embedding(opts["vocab"], units)
                with torch.no_grad():
                    mod.weight.copy_(torch.randn(opts["vocab"], units, generator=g))
                setattr(self, name, mod)
                shapes[name] = tuple(shapes[srcs[0]]) + (units,)
            elif kind in ("lstm", "gru", "rnn"):
                # batch_first PyTorch layers; weights uniform in [-0.5, 0.5), biases in [-0.2, 0.2).
                # Kiln keeps Keras's one bias for the LSTM and the simple RNN: PyTorch's bias_hh_l0
                # stays fixed (not trained) and Kiln's bias is bias_ih_l0 + bias_hh_l0.
                steps, width = shapes[srcs[0]]
                cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind]
                mod = cls(width, units, batch_first=True)
                with torch.no_grad():
                    for pname, p in mod.named_parameters():
                        if pname.startswith("weight"):
                            p.copy_(torch.rand(p.shape, generator=g) - 0.5)
                        else:
                            p.copy_(torch.rand(p.shape, generator=g) * 0.4 - 0.2)
                if kind != "gru":
                    mod.bias_hh_l0.requires_grad_(False)
                setattr(self, name, mod)
                shapes[name] = (steps, units) if opts.get("seq") else (units,)
            elif kind == "act":
                shapes[name] = shapes[srcs[0]]
            else:
                raise ValueError(kind)
            prev = name
        self.shapes = shapes

    def penalty(self):
        return torch.zeros(())

    def forward(self, x):
        """x: a tensor (the single input) or a dict name -> tensor. Returns (the last layer's
        pre-activation, its output)."""
        vals = {"input": x} if isinstance(x, torch.Tensor) else dict(x)
        prev = "input"
        pre = None
        for name, kind, inputs, units, act, opts in self.layers:
            if kind == "input":
                srcs = []
                h = vals[name]
            else:
                srcs = [vals[s] for s in (inputs if inputs is not None else (prev,))]
            if kind == "dense":
                h = getattr(self, name)(srcs[0])
            elif kind == "add":
                h = srcs[0]
                for s in srcs[1:]:
                    h = h + s
            elif kind == "concat":
                h = torch.cat(srcs, dim=-1)
            elif kind == "layernorm":
                mod = getattr(self, name)
                h = F.layer_norm(srcs[0], (srcs[0].shape[-1],), getattr(mod, "weight", None),
                                 getattr(mod, "bias", None), opts["epsilon"])
            elif kind == "embedding":
                h = getattr(self, name)(srcs[0].long())
            elif kind in ("lstm", "gru", "rnn"):
                seq, _ = getattr(self, name)(srcs[0])
                h = seq if opts.get("seq") else seq[:, -1, :]
            elif kind == "act":
                h = srcs[0]
            pre = h
            fn, kink = act_fn(act)
            if kink:
                m = h.detach().abs().min().item()
                assert m > 1e-4, "pre-activation too close to the kink in %s: %g" % (name, m)
            h = fn(h)
            vals[name] = h
            prev = name
        return pre, h


GRAPH_NETS = []


def graph_net(name, inputs, layers, loss, opt_str, opt_ctor, make_data, seed):
    """inputs: a shape tuple (one input, named "input") or a list of (name, shape) (@Input layers,
    declared in this order). make_data(g) returns (x or dict name -> x, y)."""
    GRAPH_NETS.append(dict(name=name, inputs=inputs, layers=layers, loss=loss, opt_str=opt_str,
                           opt_ctor=opt_ctor, make_data=make_data, seed=seed))


def G(name, kind, inputs=None, units=None, act=("linear", None), **opts):
    return (name, kind, inputs, units, act, opts)


ADAM_001 = ("adam(lr=0.01,beta1=0.9,beta2=0.999,epsilon=1e-7)",
            lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7, foreach=False))
SGD_01 = ("sgd(lr=0.1)", lambda p: torch.optim.SGD(p, lr=0.1, foreach=False))

graph_net("residual", (6,),
          [G("a", "dense", None, 6, ("relu", None)),
           G("b", "dense", None, 6),
           G("skip1", "add", ("input", "b")),
           G("c", "dense", None, 6, ("tanh", None)),
           G("skip2", "add", ("skip1", "c")),
           G("norm", "layernorm", epsilon=1e-3),
           G("output", "dense", None, 3, ("softmax", None))],
          "cce", *ADAM_001,
          lambda g: (torch.randn(8, 6, generator=g), onehot([0, 1, 2, 2, 1, 0, 1, 2], 3)),
          4101)

graph_net("concat", (5,),
          [G("left", "dense", ("input",), 4, ("relu", None)),
           G("right", "dense", ("input",), 3, ("sigmoid", None)),
           G("joined", "concat", ("left", "right")),
           G("output", "dense", None, 2)],
          "mse", *SGD_01,
          lambda g: (torch.randn(8, 5, generator=g), torch.randn(8, 2, generator=g)),
          4102)

graph_net("fanout3", (4,),
          [G("trunk", "dense", None, 5, ("tanh", None)),
           G("p", "dense", ("trunk",), 3, ("relu", None)),
           G("q", "dense", ("trunk",), 3),
           G("r", "dense", ("trunk",), 3, ("elu", 1.0)),
           G("sum", "add", ("p", "q", "r")),
           G("both", "concat", ("sum", "trunk")),
           G("output", "dense", None, 2, ("sigmoid", None))],
          "bce", *SGD_01,
          lambda g: (torch.randn(8, 4, generator=g),
                     torch.tensor([[1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0],
                                   [1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])),
          4103)

graph_net("two_inputs", [("tabular", (5,)), ("extra", (3,))],
          [G("tabular", "input", None, (5,)),
           G("extra", "input", None, (3,)),
           G("t", "dense", ("tabular",), 4, ("relu", None)),
           G("e", "dense", ("extra",), 4, ("tanh", None)),
           G("joined", "concat", ("t", "e")),
           G("output", "dense", None, 3, ("softmax", None))],
          "cce", *ADAM_001,
          lambda g: ({"tabular": torch.randn(8, 5, generator=g), "extra": torch.randn(8, 3, generator=g)},
                     onehot([2, 0, 1, 1, 2, 0, 0, 2], 3)),
          4104)

graph_net("dense_seq", (3, 5),
          [G("a", "dense", None, 4, ("tanh", None)),
           G("output", "dense", None, 2)],
          "mse", *SGD_01,
          lambda g: (torch.randn(8, 3, 5, generator=g), torch.randn(8, 3, 2, generator=g)),
          4105)


# Recurrent layers (sequences [time, features]); odd sizes: T = 5, F = 3, H = 7.
ADAM_01 = ("adam(lr=0.01,beta1=0.9,beta2=0.999,epsilon=1e-7)",
           lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=1e-7, foreach=False))

graph_net("lstm_seq", (5, 3),
          [G("lstm", "lstm", None, 7, seq=True)],
          "mse", *ADAM_01,
          lambda g: (torch.randn(4, 5, 3, generator=g), torch.randn(4, 5, 7, generator=g) * 3.0),
          4201)

graph_net("lstm_last", (5, 3),
          [G("lstm", "lstm", None, 7),
           G("output", "dense", None, 2)],
          "mse", *ADAM_01,
          lambda g: (torch.randn(4, 5, 3, generator=g), torch.randn(4, 2, generator=g)),
          4202)

graph_net("lstm_stacked", (6, 4),
          [G("first", "lstm", None, 6, seq=True),
           G("second", "lstm", None, 5),
           G("output", "dense", None, 3, ("softmax", None))],
          "cce", *ADAM_01,
          lambda g: (torch.randn(4, 6, 4, generator=g), onehot([0, 2, 1, 2], 3)),
          4203)

graph_net("gru_seq", (5, 3),
          [G("gru", "gru", None, 7, seq=True),
           G("output", "dense", None, 2)],
          "mse", *ADAM_01,
          lambda g: (torch.randn(4, 5, 3, generator=g), torch.randn(4, 5, 2, generator=g)),
          4204)

graph_net("gru_last", (5, 3),
          [G("gru", "gru", None, 7),
           G("output", "dense", None, 3, ("softmax", None))],
          "cce", *ADAM_01,
          lambda g: (torch.randn(4, 5, 3, generator=g), onehot([1, 0, 2, 1], 3)),
          4205)

graph_net("rnn_seq", (5, 3),
          [G("rnn", "rnn", None, 4, seq=True)],
          "mse", *ADAM_01,
          lambda g: (torch.randn(4, 5, 3, generator=g), torch.randn(4, 5, 4, generator=g) * 0.5),
          4206)

graph_net("embedding_lstm", (6,),
          [G("embed", "embedding", None, 4, vocab=11),
           G("lstm", "lstm", None, 5),
           G("output", "dense", None, 3, ("softmax", None))],
          "cce", *ADAM_01,
          lambda g: (torch.randint(0, 11, (4, 6), generator=g).float(), onehot([2, 1, 0, 1], 3)),
          4208)

graph_net("rnn_last", (5, 3),
          [G("rnn", "rnn", None, 6),
           G("output", "dense", None, 2)],
          "mse", *ADAM_01,
          lambda g: (torch.randn(4, 5, 3, generator=g), torch.randn(4, 2, generator=g)),
          4207)


def graph_layers_str(layers):
    parts = []
    prev = "input"
    for name, kind, inputs, units, act, opts in layers:
        srcs = "+".join(inputs if inputs is not None else (prev,))
        extra = "".join(":%s=%s" % (k, opts[k]) for k in sorted(opts))
        if kind == "input":
            parts.append("%s:input:%s" % (name, "x".join(str(d) for d in units)))
        elif kind == "dense":
            parts.append("%s:dense:%d:%s%s<-%s" % (name, units, act_str(act), extra, srcs))
        elif kind == "act":
            parts.append("%s:act:%s<-%s" % (name, act_str(act), srcs))
        elif kind in ("lstm", "gru", "rnn", "embedding"):
            parts.append("%s:%s:%d%s<-%s" % (name, kind, units, extra, srcs))
        else:
            parts.append("%s:%s%s<-%s" % (name, kind, extra, srcs))
        prev = name
    return ",".join(parts)


def make_graph_net(spec):
    g = gen(spec["seed"])
    multi = isinstance(spec["inputs"], list)
    input_shapes = spec["inputs"] if multi else [("input", spec["inputs"])]
    model = GraphNet(input_shapes, spec["layers"], g)
    x, y = spec["make_data"](g)
    xs = x if multi else {"x": x}
    assert len(xs) == len(input_shapes)
    for (name, shape), key in zip(input_shapes, xs):  # inputs in declaration order
        assert key == (name if multi else "x") and tuple(xs[key].shape[1:]) == tuple(shape), (spec["name"], name)
    last_act = spec["layers"][-1][4]
    initial_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tensors = list(initial_state.items())
    assert sorted(k for k, _ in model.named_parameters()) == sorted(initial_state)  # no buffers

    def forward_loss(training, inp):
        model.training_mode = training
        pre, out = model(inp)
        return out, net_loss(spec["loss"], last_act, pre, out, y) + model.penalty()

    with torch.no_grad():
        out, loss_inference = forward_loss(False, x)
    # One training-mode pass: loss, parameter gradients and input gradients together.
    x_req = {k: v.clone().requires_grad_(True) for k, v in xs.items()}
    _, loss = forward_loss(True, x_req if multi else x_req["x"])
    model.zero_grad()
    loss.backward()
    grads = [("expected.grad." + k, p.grad.detach().clone()) for k, p in model.named_parameters()
             if p.requires_grad]
    # Kiln's one bias (LSTM, simple RNN) = bias_ih_l0 + bias_hh_l0: its gradient is bias_ih_l0's.
    summed = [k[:-len(".bias_hh_l0")] for k, p in model.named_parameters()
              if k.endswith(".bias_hh_l0") and not p.requires_grad]
    grads += [("expected.grad.%s.bias" % k, dict(grads)["expected.grad.%s.bias_ih_l0" % k]) for k in summed]
    ids = spec["layers"][0][1] == "embedding"
    if ids:  # token ids: the lookup is piecewise constant in them, so their gradient is zero
        input_grads = {k: torch.zeros_like(v) for k, v in x_req.items()}
    else:
        input_grads = {k: v.grad.detach().clone() for k, v in x_req.items()}
    if not ids:
        check_input_grad(spec["name"], model, initial_state, lambda: None,
                         lambda m, inp, yd: net_loss(spec["loss"], last_act, *m(inp), yd) + m.penalty(),
                         x, y, input_grads if multi else input_grads["x"])

    model.load_state_dict(initial_state)
    opt = spec["opt_ctor"]([p for p in model.parameters() if p.requires_grad])
    for _ in range(3):
        opt.zero_grad()
        _, l = forward_loss(True, x)
        l.backward()
        opt.step()
    with torch.no_grad():
        _, loss3 = forward_loss(False, x)
    step3 = [("expected.step3." + k, v.detach().clone()) for k, v in model.state_dict().items()]
    state3 = model.state_dict()
    step3 += [("expected.step3.%s.bias" % k, (state3[k + ".bias_ih_l0"] + state3[k + ".bias_hh_l0"]).clone())
              for k in summed]

    if multi:
        tensors += [("input." + k, v) for k, v in xs.items()]
    else:
        tensors += [("input.x", x)]
    tensors += [("input.y", y),
                ("expected.output", out), ("expected.loss", loss.reshape(1)),
                ("expected.inference_loss", loss_inference.reshape(1))]
    tensors += grads + step3 + [("expected.step3.loss", loss3.reshape(1))]
    if multi:
        tensors += [("expected.input_grad." + k, v) for k, v in input_grads.items()]
    else:
        tensors += [("expected.input_grad", input_grads["x"])]
    meta = base_metadata()
    if multi:
        meta["inputs"] = ",".join("%s:%s" % (n, "x".join(str(d) for d in s)) for n, s in input_shapes)
    else:
        meta["input"] = "x".join(str(d) for d in spec["inputs"])
    meta.update({"layers": graph_layers_str(spec["layers"]), "graph": "true",
                 "loss": spec["loss"], "optimizer": spec["opt_str"],
                 "batch": str(y.shape[0]), "steps": "3"})
    path = os.path.join(PROCESSOR_OUT, "net_%s.safetensors" % spec["name"])
    size = write_safetensors(path, tensors, meta)
    return path, size, float(loss), float(loss3)


# --------------------------------------------------------------------------
# convolutional networks: channels-last data (Kiln's layout) in the files, NCHW inside PyTorch
# --------------------------------------------------------------------------

def same_pads(size, k, s, d):
    """Keras 'same': output ceil(size / s); the padding needed, the extra one after (bottom/right)."""
    out = (size + s - 1) // s
    total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


class ConvNet(nn.Module):
    """layers: list of (name, kind, options) in order. The input is [N, H, W, C] (channels-last, as
    Kiln holds it) and is permuted to NCHW first. kinds: 'conv' (filters, k, s=1, d=1,
    padding='valid'|'same', act, bias=True), 'maxpool' / 'avgpool' (p, s=p, padding), 'gap', 'gmp',
    'flatten' (nn.Flatten of NCHW: channels-first order), 'dense' (units, act), 'batchnorm' (Kiln's
    convention over the channels: biased batch variance, moving = m * moving + (1 - m) * batch;
    momentum, epsilon) and 'act' (act). Weights are drawn in layer order from g."""

    def __init__(self, shape, layers, g):
        super().__init__()
        self.layers = layers
        self.training_mode = True
        self.noise = None
        h, w, c = shape
        flat = None
        for name, kind, o in layers:
            if kind == "conv":
                kh, kw = pair(o["k"])
                sh, sw = pair(o.get("s", 1))
                dh, dw = pair(o.get("d", 1))
                conv = nn.Conv2d(c, o["filters"], (kh, kw), stride=(sh, sw), dilation=(dh, dw),
                                 bias=o.get("bias", True))
                bound = math.sqrt(3.0 / (c * kh * kw))
                with torch.no_grad():
                    conv.weight.copy_((torch.rand(conv.weight.shape, generator=g) * 2 - 1) * bound)
                    if conv.bias is not None:
                        conv.bias.copy_(torch.rand(o["filters"], generator=g) * 0.4 - 0.2)
                setattr(self, name, conv)
                if o.get("padding", "valid") == "same":
                    h, w = (h + sh - 1) // sh, (w + sw - 1) // sw
                else:
                    h, w = (h - dh * (kh - 1) - 1) // sh + 1, (w - dw * (kw - 1) - 1) // sw + 1
                c = o["filters"]
            elif kind in ("maxpool", "avgpool"):
                ph, pw = pair(o["p"])
                sh, sw = pair(o.get("s", o["p"]))
                if o.get("padding", "valid") == "same":
                    h, w = (h + sh - 1) // sh, (w + sw - 1) // sw
                else:
                    h, w = (h - ph) // sh + 1, (w - pw) // sw + 1
            elif kind in ("gap", "gmp"):
                h = w = None
                flat = c
            elif kind == "flatten":
                flat = h * w * c
            elif kind == "dense":
                lin = nn.Linear(flat, o["units"])
                bound = math.sqrt(3.0 / flat)
                with torch.no_grad():
                    lin.weight.copy_((torch.rand(o["units"], flat, generator=g) * 2 - 1) * bound)
                    lin.bias.copy_(torch.rand(o["units"], generator=g) * 0.4 - 0.2)
                setattr(self, name, lin)
                flat = o["units"]
            elif kind == "batchnorm":
                mod = nn.Module()
                mod.weight = nn.Parameter(torch.rand(c, generator=g) + 0.5)
                mod.bias = nn.Parameter(torch.rand(c, generator=g) * 0.4 - 0.2)
                mod.register_buffer("running_mean", torch.zeros(c))
                mod.register_buffer("running_var", torch.ones(c))
                setattr(self, name, mod)
            elif kind not in ("act", "spatial_dropout") + AUGMENT_KINDS:
                raise ValueError(kind)
            assert h is None or (h > 0 and w > 0), name

    def penalty(self):
        return torch.zeros(())

    def forward(self, x):
        h = x.permute(0, 3, 1, 2)
        pre = h
        for index, (name, kind, o) in enumerate(self.layers):
            if kind == "conv":
                conv = getattr(self, name)
                if o.get("padding", "valid") == "same":
                    kh, kw = pair(o["k"])
                    sh, sw = pair(o.get("s", 1))
                    dh, dw = pair(o.get("d", 1))
                    top, bottom = same_pads(h.shape[2], kh, sh, dh)
                    left, right = same_pads(h.shape[3], kw, sw, dw)
                    h = F.pad(h, (left, right, top, bottom))
                h = conv(h)
            elif kind in ("maxpool", "avgpool"):
                ph, pw = pair(o["p"])
                sh, sw = pair(o.get("s", o["p"]))
                if o.get("padding", "valid") == "same":
                    top, bottom = same_pads(h.shape[2], ph, sh, 1)
                    left, right = same_pads(h.shape[3], pw, sw, 1)
                    pads = (left, right, top, bottom)
                else:
                    pads = (0, 0, 0, 0)
                if kind == "maxpool":
                    h = F.max_pool2d(F.pad(h, pads, value=-math.inf), (ph, pw), (sh, sw))
                else:
                    # Keras: the mean over the positions inside the image
                    total = F.avg_pool2d(F.pad(h, pads), (ph, pw), (sh, sw))
                    count = F.avg_pool2d(F.pad(torch.ones_like(h[:1, :1]), pads), (ph, pw), (sh, sw))
                    h = total / count
            elif kind == "gap":
                h = h.mean(dim=(2, 3))
            elif kind == "gmp":
                h = h.amax(dim=(2, 3))
            elif kind == "flatten":
                h = torch.flatten(h, 1)
            elif kind in AUGMENT_KINDS:
                if self.training_mode:
                    h = augment(h, kind, o, index, self.noise)
            elif kind == "spatial_dropout":
                # nn.Dropout2d with Kiln's mask: one draw per sample and channel, sample-major
                if self.training_mode:
                    mask = self.noise.dropout_mask(h.shape[0], h.shape[1], o["rate"])
                    h = h * mask.to(h.dtype)[:, :, None, None]
            elif kind == "dense":
                h = getattr(self, name)(h)
            elif kind == "batchnorm":
                mod = getattr(self, name)
                eps = o["epsilon"]
                if self.training_mode:
                    mean = h.mean(dim=(0, 2, 3))
                    var = ((h - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))
                    with torch.no_grad():
                        m = o["momentum"]
                        mod.running_mean.copy_(m * mod.running_mean + (1 - m) * mean)
                        mod.running_var.copy_(m * mod.running_var + (1 - m) * var)
                else:
                    mean, var = mod.running_mean, mod.running_var
                h = (h - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)
                h = h * mod.weight[None, :, None, None] + mod.bias[None, :, None, None]
            pre = h
            act = o.get("act", ("linear", None))
            fn, kink = act_fn(act)
            if kink:
                m = h.detach().abs().min().item()
                assert m > 1e-5, "pre-activation too close to the kink in %s: %g" % (name, m)
            h = fn(h)
        if self.training_mode and self.noise is not None:
            self.noise.seen += x.shape[0]  # the next batch comes later in the training stream
        if h.dim() == 4:
            h = h.permute(0, 2, 3, 1)
            pre = pre.permute(0, 2, 3, 1)
        return pre, h


CONV_NETS = []


def conv_net(name, shape, layers, loss, make_data, seed, fd_check=True, sgd=None, noise_seed=None):
    """Trained with Adam(lr 0.01, eps 1e-7), or with SGD at learning rate sgd. fd_check: the
    central-difference check of the input gradient (off for W5: 1,568 inputs). W5 uses SGD: its
    gradients hold entries at float-noise level (4e-8 next to 0.26), and Adam, which normalizes each
    entry, turns their rounding differences into step differences of 1e-3 relative; SGD's steps
    keep the gradients' own 1e-4 agreement."""
    CONV_NETS.append(dict(name=name, shape=shape, layers=layers, loss=loss, make_data=make_data, seed=seed,
                          fd_check=fd_check, sgd=sgd, noise_seed=noise_seed))


def C(name, kind, **o):
    return (name, kind, o)


RELU = ("relu", None)

conv_net("conv_valid", (7, 9, 1),
         [C("c1", "conv", filters=4, k=(3, 2), act=RELU),
          C("c2", "conv", filters=3, k=3, s=2, act=("tanh", None)),
          C("flat", "flatten"),
          C("output", "dense", units=3, act=("softmax", None))],
         "cce", lambda g: (torch.randn(4, 7, 9, 1, generator=g), onehot([0, 1, 2, 1], 3)), 4201)

conv_net("conv_same", (7, 9, 3),
         [C("c1", "conv", filters=4, k=3, padding="same", act=RELU),
          C("c2", "conv", filters=5, k=(3, 2), s=2, padding="same", bias=False),
          C("pool", "gap"),
          C("output", "dense", units=2)],
         "mse", lambda g: (torch.randn(3, 7, 9, 3, generator=g), torch.randn(3, 2, generator=g)), 4202)

conv_net("conv_dilated", (8, 7, 3),
         [C("c1", "conv", filters=4, k=3, d=2, act=("elu", 1.0)),
          C("c2", "conv", filters=3, k=2, s=(1, 2), d=(1, 2), padding="same", act=("sigmoid", None)),
          C("flat", "flatten"),
          C("output", "dense", units=3, act=("softmax", None))],
         "cce", lambda g: (torch.randn(3, 8, 7, 3, generator=g), onehot([2, 0, 1], 3)), 4203)

conv_net("conv_pools", (9, 8, 2),
         [C("c1", "conv", filters=4, k=3, padding="same", act=("tanh", None)),
          C("mp", "maxpool", p=3, s=2),
          C("ap", "avgpool", p=2, padding="same"),
          C("flat", "flatten"),
          C("output", "dense", units=3, act=("softmax", None))],
         "cce", lambda g: (torch.randn(3, 9, 8, 2, generator=g), onehot([1, 2, 0], 3)), 4204)

conv_net("conv_pools2", (7, 9, 3),
         [C("c1", "conv", filters=4, k=2, act=("elu", 1.0)),
          C("ap", "avgpool", p=3, s=2),
          C("mp", "maxpool", p=2, padding="same"),
          C("pool", "gmp"),
          C("output", "dense", units=2)],
         "mse", lambda g: (torch.randn(3, 7, 9, 3, generator=g), torch.randn(3, 2, generator=g)), 4205)

conv_net("conv_bn", (6, 6, 2),
         [C("c1", "conv", filters=4, k=3, padding="same", bias=False),
          C("bn", "batchnorm", momentum=0.9, epsilon=1e-3),
          C("act", "act", act=RELU),
          C("pool", "gap"),
          C("output", "dense", units=3, act=("softmax", None))],
         "cce", lambda g: (torch.randn(4, 6, 6, 2, generator=g), onehot([0, 1, 2, 0], 3)), 4206)

conv_net("conv_w5", (28, 28, 1),
         [C("conv1", "conv", filters=32, k=3, act=RELU),
          C("pool1", "maxpool", p=2),
          C("conv2", "conv", filters=64, k=3, act=RELU),
          C("pool2", "maxpool", p=2),
          C("flat", "flatten"),
          C("dense", "dense", units=128, act=RELU),
          C("output", "dense", units=10, act=("softmax", None))],
         "cce", lambda g: (torch.rand(2, 28, 28, 1, generator=g), onehot([3, 7], 10)), 4225, fd_check=False,
         sgd=0.05)


conv_net("conv_spatial_dropout", (6, 5, 3),
         [C("c1", "conv", filters=4, k=3, padding="same", act=("tanh", None)),
          C("drop", "spatial_dropout", rate=0.4),
          C("c2", "conv", filters=3, k=2, act=("elu", 1.0)),
          C("pool", "gap"),
          C("output", "dense", units=3, act=("softmax", None))],
         "cce", lambda g: (torch.randn(4, 6, 5, 3, generator=g), onehot([0, 1, 2, 1], 3)), 4207,
         noise_seed=20261126)


conv_net("conv_flip_translate", (5, 6, 2),
         [C("flip", "flip", mode="horizontal_and_vertical"),
          C("shift", "translate", hf=(-0.3, 0.3), wf=(-0.2, 0.4), fill="reflect", interp="bilinear"),
          C("c1", "conv", filters=3, k=3, act=("tanh", None)),
          C("flat", "flatten"),
          C("output", "dense", units=3, act=("softmax", None))],
         "cce", lambda g: (torch.randn(4, 5, 6, 2, generator=g), onehot([0, 1, 2, 1], 3)), 4215,
         noise_seed=90210)

conv_net("conv_zoom", (6, 5, 2),
         [C("zoom", "zoom", hf=(-0.4, 0.4), wf=None, fill="constant", fill_value=0.5, interp="bilinear"),
          C("flip", "flip", mode="vertical"),
          C("c1", "conv", filters=3, k=2, s=2, act=("elu", 1.0)),
          C("pool", "gap"),
          C("output", "dense", units=2)],
         "mse", lambda g: (torch.randn(4, 6, 5, 2, generator=g), torch.randn(4, 2, generator=g)), 4209,
         noise_seed=31337)

conv_net("conv_augment_nearest", (5, 5, 3),
         [C("c1", "conv", filters=2, k=1, act=("tanh", None)),
          C("shift", "translate", hf=(-0.4, 0.4), wf=(-0.5, 0.5), fill="wrap", interp="nearest"),
          C("zoom", "zoom", hf=(-0.5, 0.6), wf=(-0.3, 0.8), fill="nearest", interp="nearest"),
          C("flip", "flip", mode="horizontal"),
          C("drop", "spatial_dropout", rate=0.3),
          C("flat", "flatten"),
          C("output", "dense", units=3, act=("softmax", None))],
         "cce", lambda g: (torch.randn(4, 5, 5, 3, generator=g), onehot([2, 0, 1, 2], 3)), 4210,
         noise_seed=777)


def make_conv_net(spec):
    g = gen(spec["seed"])
    model = ConvNet(spec["shape"], spec["layers"], g)
    x, y = spec["make_data"](g)
    last_act = spec["layers"][-1][2].get("act", ("linear", None))
    initial_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    tensors = list(initial_state.items())

    def forward_loss(training, inp):
        model.training_mode = training
        pre, out = model(inp)
        return out, net_loss(spec["loss"], last_act, pre, out, y)

    def new_noise():
        return SplitMix64(spec["noise_seed"]) if spec["noise_seed"] is not None else None

    with torch.no_grad():
        out, loss_inference = forward_loss(False, x)
    model.noise = new_noise()
    x_req = x.clone().requires_grad_(True)
    train_out, loss = forward_loss(True, x_req)
    model.zero_grad()
    loss.backward()
    grads = [("expected.grad." + k, p.grad.detach().clone()) for k, p in model.named_parameters()]
    if spec["noise_seed"] is not None:
        # The training-mode outputs: the augmented and dropped-out pass itself, element by element.
        grads.append(("expected.train_output", train_out.detach().clone()))
    grads += [("expected.grad." + k, torch.zeros_like(b)) for k, b in model.named_buffers()]
    input_grad = x_req.grad.detach().clone()
    if spec["fd_check"]:
        check_input_grad(spec["name"], model, initial_state, new_noise,
                         lambda m, inp, yd: net_loss(spec["loss"], last_act, *m(inp), yd), x, y, input_grad)
    model.load_state_dict(initial_state)
    model.noise = new_noise()
    if spec["sgd"] is None:
        opt = torch.optim.Adam(list(model.parameters()), lr=0.01, betas=(0.9, 0.999), eps=1e-7, foreach=False)
        opt_str = "adam(lr=0.01,beta1=0.9,beta2=0.999,epsilon=1e-7)"
    else:
        opt = torch.optim.SGD(list(model.parameters()), lr=spec["sgd"], foreach=False)
        opt_str = "sgd(lr=%s)" % spec["sgd"]
    for _ in range(3):
        opt.zero_grad()
        _, l = forward_loss(True, x)
        l.backward()
        opt.step()
    with torch.no_grad():
        _, loss3 = forward_loss(False, x)
    step3 = [("expected.step3." + k, v.detach().clone()) for k, v in model.state_dict().items()]
    tensors += [("input.x", x), ("input.y", y),
                ("expected.output", out), ("expected.loss", loss.reshape(1)),
                ("expected.inference_loss", loss_inference.reshape(1))]
    tensors += grads + step3 + [("expected.step3.loss", loss3.reshape(1))]
    tensors += [("expected.input_grad", input_grad)]
    meta = base_metadata()
    meta.update({"input": "x".join(str(d) for d in spec["shape"]),
                 "layers": ",".join("%s:%s%s" % (n, k, "".join(":%s=%s" % (a, o[a]) for a in sorted(o)))
                                    for n, k, o in spec["layers"]),
                 "loss": spec["loss"], "optimizer": opt_str,
                 "batch": str(x.shape[0]), "steps": "3", "layout": "channels-last"})
    if spec["noise_seed"] is not None:
        meta["noise_seed"] = str(spec["noise_seed"])
    path = os.path.join(PROCESSOR_OUT, "net_%s.safetensors" % spec["name"])
    size = write_safetensors(path, tensors, meta)
    # With noise (augmentation, dropout) the training loss is on other inputs than the inference loss
    # after training; the sanity check compares inference losses then.
    before = loss_inference if spec["noise_seed"] is not None else loss
    return path, size, float(before), float(loss3)


class TorchW5(nn.Module):
    """The W5 network as a PyTorch user writes it (NCHW, nn.Flatten, BatchNorm2d with PyTorch's own
    running statistics), trained for a few steps: Kiln must load its state_dict and predict the same."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.norm1 = nn.BatchNorm2d(32, eps=1e-3, momentum=0.01)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.pool2 = nn.MaxPool2d(2)
        self.flat = nn.Flatten()
        self.dense = nn.Linear(1600, 128)
        self.output = nn.Linear(128, 10)

    def forward(self, x):
        h = self.pool1(F.relu(self.norm1(self.conv1(x))))
        h = self.pool2(F.relu(self.conv2(h)))
        return self.output(F.relu(self.dense(self.flat(h))))


def make_trained_w5():
    """A PyTorch-trained W5 with batch norm (40 Adam steps on random images), its state_dict exactly as
    torch holds it (num_batches_tracked as F32 here: the fixture writer is F32-only; the Java test
    loads the weights by name) and its predictions on 4 images (channels-last in the file)."""
    g = gen(4301)
    model = TorchW5()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(40):
        xb = torch.rand(16, 1, 28, 28, generator=g)
        yb = torch.randint(0, 10, (16,), generator=g)
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    model.eval()
    x = torch.rand(4, 1, 28, 28, generator=g)
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)
    state = model.state_dict()
    tensors = [(k, v) for k, v in state.items() if not k.endswith("num_batches_tracked")]
    tensors += [("input.x", x.permute(0, 2, 3, 1)), ("expected.output", p)]
    meta = base_metadata()
    meta["state_dict"] = ",".join("%s:%s" % (k, "x".join(str(d) for d in v.shape)) for k, v in state.items())
    path = os.path.join(PROCESSOR_OUT, "w5_trained.safetensors")
    return path, write_safetensors(path, tensors, meta)
class TorchRecurrent(nn.Module):
    """A plain PyTorch model as a user would write it: nn.LSTM or nn.GRU (two trainable biases)
    and a Linear on the last step's output, module names as in RecurrentFixtureNetworks."""

    def __init__(self, kind, features, units, outputs):
        super().__init__()
        self.kind = kind
        setattr(self, kind, (nn.LSTM if kind == "lstm" else nn.GRU)(features, units, batch_first=True))
        self.output = nn.Linear(units, outputs)

    def forward(self, x):
        seq, _ = getattr(self, self.kind)(x)
        return self.output(seq[:, -1, :])


def make_trained_recurrent(kind, seed):
    """Trains TorchRecurrent for 200 Adam steps with PyTorch's own initialization and writes its
    state_dict alone (torch_<kind>.safetensors: what Kiln loads, and whose names and shapes Kiln's
    save must reproduce) and a check file (torch_<kind>_check.safetensors: a batch, the outputs).
    lstm: regression of (sum of the first feature, last value of the second) over the sequence;
    gru: 3 classes by the sign pattern of the sums, softmax outputs."""
    torch.manual_seed(seed)
    g = gen(seed)
    outputs = 2 if kind == "lstm" else 3
    model = TorchRecurrent(kind, 3, 7, outputs)
    x = torch.randn(64, 5, 3, generator=g)
    if kind == "lstm":
        y = torch.stack([x[:, :, 0].sum(1) * 0.3, x[:, -1, 1]], 1)
        loss_fn = lambda out: F.mse_loss(out, y)
    else:
        labels = (x[:, :, 0].sum(1) > 0).long() + (x[:, :, 2].sum(1) > 0).long()
        loss_fn = lambda out: F.cross_entropy(out, labels)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    first = None
    for _ in range(200):
        opt.zero_grad()
        loss = loss_fn(model(x))
        first = first if first is not None else loss.item()
        loss.backward()
        opt.step()
    assert loss.item() < 0.5 * first, (kind, first, loss.item())
    with torch.no_grad():
        out = model(x[:16])
        if kind == "gru":
            out = torch.softmax(out, 1)
    state = list(model.state_dict().items())
    weights_path = os.path.join(PROCESSOR_OUT, "torch_%s.safetensors" % kind)
    size = write_safetensors(weights_path, state, base_metadata())
    check_path = os.path.join(PROCESSOR_OUT, "torch_%s_check.safetensors" % kind)
    meta = base_metadata()
    meta["trained"] = "200 Adam steps (lr 0.01), loss %.6f -> %.6f" % (first, loss.item())
    size2 = write_safetensors(check_path, [("input.x", x[:16]), ("expected.output", out)], meta)
    print("torch_%s loss %.6f -> %.6f" % (kind, first, loss.item()))
    return [(weights_path, size), (check_path, size2)]


def make_training():
    """Learning-rate schedules (torch.optim.lr_scheduler, 20 steps from lr 0.1) and gradient
    clipping (torch.nn.utils) over two gradient tensors of 12 and 7 values."""
    tensors = []
    meta = base_metadata()

    def lr_sequence(make_scheduler, steps=20):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make_scheduler(opt)
        lrs = []
        for _ in range(steps):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return torch.tensor(lrs, dtype=torch.float32)

    S = torch.optim.lr_scheduler
    schedules = [
        ("step", lambda o: S.StepLR(o, step_size=3, gamma=0.5), "eta0=0.1,factor=0.5,step=3"),
        ("exponential", lambda o: S.ExponentialLR(o, gamma=0.9), "eta0=0.1,rate=0.9,decay_steps=1"),
        ("cosine", lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), "eta0=0.1,steps=10,eta_min=0.001"),
        ("linear", lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=10),
         "eta0=0.1,eta_tau=0.01,tau=10"),
        ("warmup", lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=3),
         "constant 0.1 with 4 warm-up steps"),
    ]
    for name, make, desc in schedules:
        lrs = lr_sequence(make)
        if name == "cosine":
            lrs = lrs[:11]  # torch's cosine rises again after T_max; Kiln's stays at eta_min
        tensors.append(("schedule.%s.lr" % name, lrs))
        meta["schedule.%s" % name] = desc

    g = gen(3001)
    a = torch.randn(12, generator=g) * 2.0
    b = torch.randn(7, generator=g) * 0.3
    tensors.append(("clip.grads", torch.cat([a, b])))
    meta["clip.tensors"] = "12,7"

    def clipped(fn):
        pa = torch.zeros(12, requires_grad=True)
        pb = torch.zeros(7, requires_grad=True)
        pa.grad = a.clone()
        pb.grad = b.clone()
        fn(pa, pb)
        return torch.cat([pa.grad, pb.grad])

    U = torch.nn.utils
    tensors.append(("clip.value.out", clipped(lambda pa, pb: U.clip_grad_value_([pa, pb], 0.5))))
    tensors.append(("clip.norm.out", clipped(lambda pa, pb: (U.clip_grad_norm_([pa], 1.0),
                                                             U.clip_grad_norm_([pb], 1.0)))))
    tensors.append(("clip.global.out", clipped(lambda pa, pb: U.clip_grad_norm_([pa, pb], 1.5))))
    meta["clip.limits"] = "value 0.5, norm 1.0 per tensor, global norm 1.5"
    return write_safetensors(os.path.join(RUNTIME_OUT, "training.safetensors"), tensors, meta)


def make_gan():
    """Three alternating GAN steps (GanTrainer's recipe) on a small dense generator (noise 4 ->
    Dense 8 relu -> Dense 6 tanh) and discriminator (6 -> Dense 5 leaky relu 0.2 -> Dense 1 sigmoid,
    binary cross-entropy), each with Adam(lr 1e-2, betas (0.5, 0.999), eps 1e-7). Per step: the
    fakes G(noise) in training mode; one discriminator step on the real batch (label 1), one on the
    detached fakes (label 0); then the loss of the updated discriminator on the fakes against label
    1, back-propagated through it into the generator, and one generator step. Tensors: the initial
    weights (g.* and d.*, PyTorch's names), real.k [8, 6] and noise.k [8, 4] for k = 0..2, the
    losses per step (loss.real, loss.fake, loss.generator [3]) and the weights after each step
    (after.k.g.*, after.k.d.*)."""
    g = gen(4242)
    generator = nn.Sequential()
    generator.add_module("hidden", nn.Linear(4, 8))
    generator.add_module("hidden_act", nn.ReLU())
    generator.add_module("output", nn.Linear(8, 6))
    generator.add_module("output_act", nn.Tanh())
    discriminator = nn.Sequential()
    discriminator.add_module("hidden", nn.Linear(6, 5))
    discriminator.add_module("hidden_act", nn.LeakyReLU(0.2))
    discriminator.add_module("output", nn.Linear(5, 1))
    discriminator.add_module("output_act", nn.Sigmoid())
    generator.train()
    discriminator.train()

    def weights(prefix):
        out = []
        for tag, module in (("g", generator), ("d", discriminator)):
            for name, t in module.state_dict().items():
                out.append(("%s%s.%s" % (prefix, tag, name), t.clone()))
        return out

    tensors = weights("")
    steps = 3
    batch = 8
    # Real samples: two clusters inside (-1, 1), the generator's tanh range.
    reals = []
    noises = []
    for k in range(steps):
        centre = torch.tensor([0.6, -0.4, 0.2, 0.8, -0.7, 0.1])
        sign = torch.where(torch.rand(batch, 1, generator=g) < 0.5, -1.0, 1.0)
        reals.append(torch.clamp(sign * centre + 0.1 * torch.randn(batch, 6, generator=g), -0.95, 0.95))
        noises.append(torch.randn(batch, 4, generator=g))
    for k in range(steps):
        tensors.append(("real.%d" % k, reals[k]))
        tensors.append(("noise.%d" % k, noises[k]))

    opt_g = torch.optim.Adam(generator.parameters(), lr=1e-2, betas=(0.5, 0.999), eps=1e-7)
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-2, betas=(0.5, 0.999), eps=1e-7)
    bce = nn.BCELoss()
    ones = torch.ones(batch, 1)
    zeros = torch.zeros(batch, 1)
    loss_real, loss_fake, loss_gen = [], [], []
    after = []
    for k in range(steps):
        fake = generator(noises[k])
        opt_d.zero_grad()
        l_real = bce(discriminator(reals[k]), ones)
        l_real.backward()
        opt_d.step()
        opt_d.zero_grad()
        l_fake = bce(discriminator(fake.detach()), zeros)
        l_fake.backward()
        opt_d.step()
        opt_g.zero_grad()
        opt_d.zero_grad()
        l_gen = bce(discriminator(fake), ones)
        l_gen.backward()
        opt_g.step()  # the discriminator's gradients from this pass are never used
        loss_real.append(l_real.item())
        loss_fake.append(l_fake.item())
        loss_gen.append(l_gen.item())
        after.extend(weights("after.%d." % k))
    tensors.append(("loss.real", torch.tensor(loss_real)))
    tensors.append(("loss.fake", torch.tensor(loss_fake)))
    tensors.append(("loss.generator", torch.tensor(loss_gen)))
    tensors.extend(after)
    meta = base_metadata()
    meta["batch"] = str(batch)
    meta["steps"] = str(steps)
    meta["recipe"] = ("G(noise) train mode; D step on real (1); D step on G(noise).detach() (0); "
                      "G step on BCE(D(G(noise)), 1); Adam lr 1e-2 betas (0.5, 0.999) eps 1e-7 for both")
    path = os.path.join(PROCESSOR_OUT, "gan.safetensors")
    print("gan        losses real %s fake %s generator %s" % (
        ["%.5f" % v for v in loss_real], ["%.5f" % v for v in loss_fake], ["%.5f" % v for v in loss_gen]))
    return path, write_safetensors(path, tensors, meta)


# --------------------------------------------------------------------------
# weighted losses: Keras's sample_weight and class_weight (reduction "sum_over_batch_size")
# --------------------------------------------------------------------------

# (fixture net, sample weights, class weights or None). Each list has a 0 and fractions; the
# class weights differ per class so that a wrong label would show.
WEIGHTED = [
    ("iris", [1.0, 0.5, 2.0, 0.0, 1.5, 1.0], [1.0, 3.0, 0.5]),
    ("sparse", [0.5, 1.0, 2.0, 1.0, 0.0, 1.5, 1.0], [2.0, 1.0, 0.5, 1.5]),
    ("adagrad", [1.0, 2.0, 0.5, 0.0, 1.0, 1.5], [1.0, 4.0]),
    ("layernorm", [2.0, 0.0, 1.0, 0.5, 1.5], None),
    ("logits", [1.0, 0.25, 2.0, 1.0, 0.0, 1.5], [0.5, 1.0, 2.0]),
    ("smooth", [1.5, 1.0, 0.0, 0.5, 2.0, 1.0], [2.0, 0.5, 1.0]),
]

# A softmax classifier with label smoothing 0.1, only in a weighted fixture.
SMOOTH_NET = dict(name="smooth", n_in=4,
                  layers=[("h", "dense", 5, ("tanh", None)), ("out", "dense", 3, ("softmax", None))],
                  loss="cce_smooth", opt_str="sgd(lr=0.1)",
                  opt_ctor=lambda p: torch.optim.SGD(p, lr=0.1, foreach=False),
                  make_data=lambda g: (torch.randn(6, 4, generator=g), onehot([0, 1, 2, 2, 0, 1], 3)),
                  seed=4401, noise_seed=None)
SMOOTHING = 0.1


def per_sample_loss(loss, pre, out, y):
    """Each sample's loss with PyTorch's reduction='none': a sample's mean over its values for the
    element-wise losses (MSE, binary cross-entropy), as Keras reduces before weighting."""
    n = y.shape[0]
    if loss == "mse":
        return F.mse_loss(out, y, reduction="none").reshape(n, -1).mean(dim=1)
    if loss == "cce":  # fused softmax: from the logits
        return F.cross_entropy(pre, y, reduction="none")
    if loss == "cce_smooth":
        return F.cross_entropy(pre, y, reduction="none", label_smoothing=SMOOTHING)
    if loss == "sparse_cce":
        return F.cross_entropy(pre, y[:, 0].long(), reduction="none")
    if loss == "bce":  # fused sigmoid: from the logits
        return F.binary_cross_entropy_with_logits(pre, y, reduction="none").reshape(n, -1).mean(dim=1)
    if loss == "cce_logits":
        return F.cross_entropy(out, y, reduction="none")
    raise ValueError(loss)


def class_labels(loss, y):
    """Keras's label of each sample for class_weight: argmax of a one-hot row, the index of a sparse
    target, the rounded 0/1 target of one binary output."""
    if loss == "sparse_cce":
        return y[:, 0].long()
    if loss == "bce":
        assert y.shape[1] == 1
        return (y[:, 0] > 0.5).long()
    return y.argmax(dim=1)


def make_weighted(spec, sample_weights, class_weights):
    """The fixture net's batch with a weighted loss: sum_i w_i l_i / n, w_i = sample weight times
    the class weight of sample i's label (Keras multiplies the two). Penalties are not weighted."""
    g = gen(spec["seed"])
    model = Net(spec["n_in"], spec["layers"], g)
    x, y = spec["make_data"](g)
    n = x.shape[0]
    sw = torch.tensor(sample_weights, dtype=torch.float32)
    assert sw.shape == (n,)
    w = sw.clone()
    if class_weights is not None:
        w = sw * torch.tensor(class_weights, dtype=torch.float32)[class_labels(spec["loss"], y)]
    initial_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if spec["loss"] != "cce_smooth":  # unweighted, the per-sample losses average to the net's loss
        with torch.no_grad():
            model.training_mode = False
            pre, out = model(x)
            mean = per_sample_loss(spec["loss"], pre, out, y).mean().item()
            assert abs(mean - net_loss(spec["loss"], spec["layers"][-1][3], pre, out, y).item()) < 1e-6

    def forward_loss(training):
        model.training_mode = training
        pre, out = model(x)
        return (per_sample_loss(spec["loss"], pre, out, y) * w).sum() / n + model.penalty()

    with torch.no_grad():
        loss_inference = forward_loss(False)
    loss = forward_loss(True)
    model.zero_grad()
    loss.backward()
    grads = [("expected.grad." + k, p.grad.detach().clone()) for k, p in model.named_parameters()]
    model.load_state_dict(initial_state)
    opt = spec["opt_ctor"](list(model.parameters()))
    for _ in range(3):
        opt.zero_grad()
        forward_loss(True).backward()
        opt.step()
    with torch.no_grad():
        loss3 = forward_loss(False)
    step3 = [("expected.step3." + k, v.detach().clone()) for k, v in model.state_dict().items()]
    tensors = list(initial_state.items())
    tensors += [("input.x", x), ("input.y", y), ("input.sample_weight", sw), ("input.weight", w)]
    if class_weights is not None:
        tensors.append(("input.class_weight", torch.tensor(class_weights, dtype=torch.float32)))
    tensors += [("expected.inference_loss", loss_inference.reshape(1)), ("expected.loss", loss.reshape(1))]
    tensors += grads + step3 + [("expected.step3.loss", loss3.reshape(1))]
    meta = base_metadata()
    meta.update({"input": str(spec["n_in"]), "layers": layers_str(spec["layers"]), "loss": spec["loss"],
                 "optimizer": spec["opt_str"], "batch": str(n), "steps": "3",
                 "weighting": "sum_i w_i * loss_i / n (reduction='none'); w = sample_weight"
                              + (" * class_weight[label]" if class_weights is not None else "")})
    if spec["loss"] == "cce_smooth":
        meta["label_smoothing"] = str(SMOOTHING)
    path = os.path.join(PROCESSOR_OUT, "weighted_%s.safetensors" % spec["name"])
    size = write_safetensors(path, tensors, meta)
    return path, size, float(loss), float(loss3)


def make_all_weighted():
    sizes = []
    by_name = {spec["name"]: spec for spec in NETS + [SMOOTH_NET]}
    for name, sample_weights, class_weights in WEIGHTED:
        path, size, l0, l3 = make_weighted(by_name[name], sample_weights, class_weights)
        assert l3 < l0, "weighted_%s: loss did not decrease (%g -> %g)" % (name, l0, l3)
        print("weighted_%-9s loss %.6f -> %.6f" % (name, l0, l3))
        sizes.append((path, size))
    return sizes


def main():
    if sys.argv[1:] == ["weighted"]:  # only the weighted-loss fixtures, which read nothing else
        for path, size in make_all_weighted():
            print("%7d  %s" % (size, os.path.relpath(path, ROOT)))
        return
    sizes = []
    sizes.append((os.path.join(RUNTIME_OUT, "training.safetensors"), make_training()))
    sizes.append((os.path.join(RUNTIME_OUT, "activations.safetensors"), make_activations()))
    sizes.append((os.path.join(RUNTIME_OUT, "losses.safetensors"), make_losses()))
    sizes.append((os.path.join(RUNTIME_OUT, "optimizers.safetensors"), make_optimizers()))
    for spec in NETS:
        path, size, l0, l3 = make_net(spec)
        assert l3 < l0, "net_%s: loss did not decrease (%g -> %g)" % (spec["name"], l0, l3)
        sizes.append((path, size))
        print("net_%-9s loss %.6f -> %.6f" % (spec["name"], l0, l3))
    for spec in GRAPH_NETS:
        path, size, l0, l3 = make_graph_net(spec)
        assert l3 < l0, "net_%s: loss did not decrease (%g -> %g)" % (spec["name"], l0, l3)
        sizes.append((path, size))
        print("net_%-9s loss %.6f -> %.6f" % (spec["name"], l0, l3))
    for spec in CONV_NETS:
        path, size, l0, l3 = make_conv_net(spec)
        assert l3 < l0, "net_%s: loss did not decrease (%g -> %g)" % (spec["name"], l0, l3)
        sizes.append((path, size))
        print("net_%-9s loss %.6f -> %.6f" % (spec["name"], l0, l3))
    sizes.append(make_trained_w5())
    sizes += make_trained_recurrent("lstm", 4301)
    sizes += make_trained_recurrent("gru", 4302)
    sizes.append(make_gan())
    sizes += make_all_weighted()
    # net_xor's initial weights alone, as a class-path resource for the @Weights test network.
    xor_tensors, _, _ = read_safetensors(os.path.join(PROCESSOR_OUT, "net_xor.safetensors"))
    weights_dir = os.path.normpath(os.path.join(PROCESSOR_OUT, "..", "dev", "kiln", "processor", "functional"))
    os.makedirs(weights_dir, exist_ok=True)
    weights_path = os.path.join(weights_dir, "xor-weights.safetensors")
    keep = ["hidden.weight", "hidden.bias", "output.weight", "output.bias"]
    size = write_safetensors(weights_path, [(k, torch.from_numpy(xor_tensors[k].copy())) for k in keep],
                             base_metadata())
    sizes.append((weights_path, size))
    for path, size in sizes:
        print("%7d  %s" % (size, os.path.relpath(path, ROOT)))
    print("torch", torch.__version__)


if __name__ == "__main__":
    sys.exit(main())
