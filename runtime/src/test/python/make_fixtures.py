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
    """Kiln's noise stream (runtime kernels/Noise.java), bit for bit: dropout masks match."""
    MASK = (1 << 64) - 1

    def __init__(self, seed):
        self.state = seed & self.MASK

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
    grads = [("expected.grad." + k, p.grad.detach().clone()) for k, p in model.named_parameters()]
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
    grads = [("expected.grad." + k, p.grad.detach().clone()) for k, p in model.named_parameters()]
    input_grads = {k: v.grad.detach().clone() for k, v in x_req.items()}
    check_input_grad(spec["name"], model, initial_state, lambda: None,
                     lambda m, inp, yd: net_loss(spec["loss"], last_act, *m(inp), yd) + m.penalty(),
                     x, y, input_grads if multi else input_grads["x"])

    model.load_state_dict(initial_state)
    opt = spec["opt_ctor"](list(model.parameters()))
    for _ in range(3):
        opt.zero_grad()
        _, l = forward_loss(True, x)
        l.backward()
        opt.step()
    with torch.no_grad():
        _, loss3 = forward_loss(False, x)
    step3 = [("expected.step3." + k, v.detach().clone()) for k, v in model.state_dict().items()]

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


def main():
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
