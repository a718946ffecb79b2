#!/usr/bin/python3
"""W1-W4 in PyTorch, for a same-machine comparison with `kiln-samples.jar bench W1..W4 --json`.

The workloads of Bench.java, with its keys:
  W1  FashionMlp (784-256 ReLU-128 ReLU-10, He-normal hidden kernels, Glorot-uniform output kernel,
      zero biases), cross-entropy, Adam 1e-3 (epsilon 1e-7 as Kiln's), batch 64 with the last,
      partial batch kept, reshuffled every epoch: 5 epochs, seconds_per_epoch the median of epochs
      2-4, first_epoch_seconds, test_accuracy; at 1 and 2 threads.
  W2  the same network, untrained, one test image per call (softmax included, as Kiln's predict),
      traced and frozen TorchScript under torch.no_grad: 50,000 timed calls after 20,000 untimed
      ones; mean_us, p50_us, p99_us.
  W3  the same frozen network at batch 256 (the first 256 test images): samples_per_second, the
      median of 5 runs of 0.4 s after 200 untimed batches; at 1 and 2 threads.
  W4  the seed's XOR (2-2 leaky ReLU 0.2-1, mean squared error, Adam 0.05, batch 4) and Iris
      (4-10 ReLU-3 softmax, SGD 0.1, one batch of the 120 training rows), 1000 epochs each in plain
      PyTorch training loops: the first run in this process (cold) and the median of runs 6-15
      (warm), in seconds. Iris's rows: a stratified 80% of iris.csv (the samples jar's copy),
      standardized; Kiln's split (IrisData) picks other rows of the same sizes.

"Threads" means both of PyTorch's pools: torch.set_num_threads for its own kernels and the same
count for the BLAS Debian's PyTorch calls for products (OpenBLAS, which otherwise takes every core
whatever torch.set_num_threads says: W3 "at 1 thread" read 318k samples/s on 2 cores, 188k on one).
OpenMP workers sleep when idle (OMP_WAIT_POLICY=PASSIVE): spinning, they took the cores from
OpenBLAS's threads (W1 on 2 threads 4.96 s/epoch against 1.16 on one).

Run with Debian's PyTorch: /usr/bin/python3 samples/src/test/python/bench_w1_w4.py [--quick]
(--quick: 1,024 training images, 2 epochs, few calls: checks that it works).
"""
import argparse
import csv
import ctypes
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read when OpenMP loads, with torch

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# W5's twin shares the data reader, training epoch, accuracy and timing loops.
from bench_w5 import accuracy, batch1_latencies, batch256_rate, idx, train_epoch  # noqa: E402

IRIS = Path(__file__).resolve().parents[2] / "main/resources/dev/kiln/samples/iris.csv"


def fashion():
    def images(name):  # [n, 784] in [0, 1]
        return torch.from_numpy(idx(name).astype(np.float32).reshape(-1, 784) / 255.0).contiguous()

    def labels(name):
        return torch.from_numpy(idx(name).astype(np.int64))

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def blas_library():
    """The BLAS this process loaded, if it is OpenBLAS (it exports openblas_set_num_threads)."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "blas" in line and line.rstrip().endswith(".so.3")
                 or "openblas" in line and ".so" in line}
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        if hasattr(library, "openblas_set_num_threads"):
            return library
    return None


def set_threads(threads):
    torch.set_num_threads(threads)
    library = blas_library()
    if library is not None:
        library.openblas_set_num_threads(threads)


def mlp():
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    for i, layer in enumerate(l for l in model if isinstance(l, torch.nn.Linear)):
        if i < 2:
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")  # He normal, fan in
        else:
            torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    return model


def w1(threads, data, epochs):
    set_threads(threads)
    torch.manual_seed(42)
    train_x, train_y, test_x, test_y = data
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    seconds = [train_epoch(model, optimizer, train_x, train_y, torch.Generator().manual_seed(1000 + e))
               for e in range(epochs)]
    timed = seconds[1:4] if len(seconds) > 1 else seconds
    return {"workload": "W1", "threads": threads, "torch": torch.__version__,
            "seconds_per_epoch": statistics.median(timed), "first_epoch_seconds": seconds[0],
            "test_accuracy": accuracy(model, test_x, test_y)}


def w2(images, warm_up, calls):
    set_threads(1)
    torch.manual_seed(42)
    nanos = batch1_latencies(mlp(), images, warm_up, calls)
    return {"workload": "W2", "threads": 1, "torch": torch.__version__, "calls": calls,
            "mean_us": sum(nanos) / len(nanos) / 1e3, "p50_us": nanos[len(nanos) // 2] / 1e3,
            "p99_us": nanos[len(nanos) * 99 // 100] / 1e3}


def w3(threads, images, warm_up, runs, run_seconds):
    set_threads(threads)
    torch.manual_seed(42)
    return {"workload": "W3", "threads": threads, "torch": torch.__version__, "batch": 256,
            "samples_per_second": batch256_rate(mlp(), images, warm_up, runs, run_seconds)}


def iris():
    """A stratified 80% of iris.csv, standardized with its own mean and deviation; one-hot targets."""
    with open(IRIS, newline="") as f:
        rows = [r for r in csv.reader(line for line in f if not line.startswith("#"))][1:]
    features = np.array([[float(v) for v in r[:4]] for r in rows], dtype=np.float32)
    species = np.array([int(r[4]) for r in rows])
    train = np.concatenate([np.flatnonzero(species == s)[:40] for s in range(3)])
    x = features[train]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = np.eye(3, dtype=np.float32)[species[train]]
    return torch.from_numpy(x), torch.from_numpy(y)


def fit_xor(x, y):
    torch.manual_seed(4)
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.LeakyReLU(0.2), torch.nn.Linear(2, 1))
    torch.nn.init.kaiming_normal_(model[0].weight)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05, eps=1e-7)
    start = time.perf_counter()
    for _ in range(1000):
        optimizer.zero_grad()
        F.mse_loss(model(x), y).backward()
        optimizer.step()
    return time.perf_counter() - start


def fit_iris(x, y):
    torch.manual_seed(42)
    model = torch.nn.Sequential(torch.nn.Linear(4, 10), torch.nn.ReLU(), torch.nn.Linear(10, 3))
    torch.nn.init.kaiming_normal_(model[0].weight, nonlinearity="relu")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    start = time.perf_counter()
    for _ in range(1000):
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()  # probabilities as targets: the one-hot rows
        optimizer.step()
    return time.perf_counter() - start


def w4():
    set_threads(1)
    xor_x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    xor_y = torch.tensor([[0.], [1.], [1.], [0.]])
    iris_x, iris_y = iris()
    figures = {"workload": "W4", "threads": 1, "torch": torch.__version__,
               "xor_cold_seconds": fit_xor(xor_x, xor_y), "iris_cold_seconds": fit_iris(iris_x, iris_y)}
    xor, iris_runs = [], []
    for _ in range(15):
        xor.append(fit_xor(xor_x, xor_y))
        iris_runs.append(fit_iris(iris_x, iris_y))
    figures["xor_warm_seconds"] = statistics.median(xor[5:])
    figures["iris_warm_seconds"] = statistics.median(iris_runs[5:])
    return figures


def main():
    parser = argparse.ArgumentParser(description="Bench W1-W4 in PyTorch")
    parser.add_argument("--quick", action="store_true",
                        help="1,024 training images, 2 epochs, few calls: checks that it works")
    arguments = parser.parse_args()
    data = fashion()
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # loads the BLAS, so that its threads can be set
    if arguments.quick:
        data = (data[0][:1024], data[1][:1024], data[2], data[3])
    epochs = 2 if arguments.quick else 5
    for threads in (1, 2):
        print(json.dumps(w1(threads, data, epochs)), flush=True)
    print(json.dumps(w2(data[2], *((100, 500) if arguments.quick else (20_000, 50_000)))), flush=True)
    for threads in (1, 2):
        print(json.dumps(w3(threads, data[2], *((5, 2, 0.05) if arguments.quick else (200, 5, 0.4)))), flush=True)
    print(json.dumps(w4()), flush=True)


if __name__ == "__main__":
    main()
