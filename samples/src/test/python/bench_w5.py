#!/usr/bin/python3
"""W5 in PyTorch, for a same-machine comparison with `kiln-samples.jar bench W5 --json`.

The workload of samples/.../FashionCnn.java: Fashion-MNIST (the gzip IDX files of Debian's
dataset-fashion-mnist) scaled to [0, 1]; Conv2d(1, 32, 3) ReLU - MaxPool2d(2) - Conv2d(32, 64, 3)
ReLU - MaxPool2d(2) - Flatten - Linear(1600, 128) ReLU - Linear(128, 10), NCHW; cross-entropy,
Adam 1e-3 (epsilon 1e-7 as Kiln's and Keras's), batch 64 with the last, partial batch kept (as
Kiln's fit does), reshuffled every epoch. Weights start as Kiln's do: Glorot-uniform kernels, zero
biases.

Prints one JSON line per thread count (torch.set_num_threads(1) and (2)) with Bench W5's keys:
  seconds_per_epoch    median of epochs 2..N of N (--epochs, 3 by default)
  first_epoch_seconds  epoch 1
  test_accuracy        on the 10,000 test images after training
  batch1_p50_us, batch1_p99_us
                       one image per call through the trained network, softmax included (as
                       Kiln's predict), traced and frozen TorchScript under torch.no_grad, over
                       5,000 calls after 2,000 untimed ones; inputs prepared up front
and figures Bench W5 does not print (yet):
  batch1_mean_us       the mean of the same 5,000 calls
  batch256_samples_per_second
                       the same frozen network at batch 256 (the first 256 test images): median
                       of 5 runs of 0.4 s after 200 untimed batches, as Bench W3 times the MLP

Run with Debian's PyTorch: /usr/bin/python3 samples/src/test/python/bench_w5.py [--epochs N] [--quick]
(--quick: 512 training images, 1 epoch and a few hundred latency calls, to check that it works).
"""
import argparse
import gzip
import json
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

DIRECTORY = "/usr/share/datasets/fashion-mnist"
BATCH = 64


def idx(name):
    """An IDX file as a numpy array: images [n, 28, 28] or labels [n], unsigned bytes."""
    with gzip.open(f"{DIRECTORY}/{name}.gz", "rb") as f:
        data = f.read()
    dimensions = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dimensions)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def load():
    def images(name):  # [n, 1, 28, 28] in [0, 1]
        return torch.from_numpy(idx(name).astype(np.float32) / 255.0).unsqueeze(1).contiguous()

    def labels(name):
        return torch.from_numpy(idx(name).astype(np.int64))

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def network():
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(1600, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))
    for layer in model:
        if isinstance(layer, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
    return model


class Probabilities(torch.nn.Module):
    """The network with the softmax Kiln's predict applies (training folds it into the loss)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return torch.softmax(self.model(x), dim=1)


def frozen(model, example):
    with torch.no_grad():
        return torch.jit.freeze(torch.jit.trace(Probabilities(model).eval(), example))


def train_epoch(model, optimizer, x, y, generator):
    model.train()
    order = torch.randperm(len(x), generator=generator)
    start = time.perf_counter()
    for first in range(0, len(x), BATCH):
        batch = order[first:first + BATCH]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def accuracy(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for first in range(0, len(x), 1000):
            correct += int((model(x[first:first + 1000]).argmax(dim=1) == y[first:first + 1000]).sum())
    return correct / len(x)


def batch1_latencies(model, images, warm_up, calls):
    """Nanoseconds of each of `calls` batch-1 predictions after `warm_up` untimed ones, sorted."""
    # Both loops cycle through the test images from the first, as Bench's batchOneLatencies does.
    samples = [images[i:i + 1] for i in range(min(len(images), max(warm_up, calls)))]
    predict = frozen(model, samples[0])
    nanos = []
    with torch.no_grad():
        for i in range(warm_up):
            predict(samples[i % len(samples)])
        for i in range(calls):
            x = samples[i % len(samples)]
            start = time.perf_counter_ns()
            predict(x)
            nanos.append(time.perf_counter_ns() - start)
    nanos.sort()
    return nanos


def batch256_rate(model, images, warm_up, runs, run_seconds):
    x = images[:256].contiguous()
    predict = frozen(model, x)
    rates = []
    with torch.no_grad():
        for _ in range(warm_up):
            predict(x)
        for _ in range(runs):
            batches = 0
            start = time.perf_counter()
            while True:
                predict(x)
                batches += 1
                elapsed = time.perf_counter() - start
                if elapsed >= run_seconds:
                    break
            rates.append(batches * 256 / elapsed)
    return statistics.median(rates)


def run(threads, data, epochs, quick):
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    train_x, train_y, test_x, test_y = data
    if quick:
        train_x, train_y = train_x[:512], train_y[:512]
    model = network()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    seconds = [train_epoch(model, optimizer, train_x, train_y, torch.Generator().manual_seed(1000 + e))
               for e in range(epochs)]
    test_accuracy = accuracy(model, test_x, test_y)
    warm_up, calls = (50, 200) if quick else (2_000, 5_000)
    nanos = batch1_latencies(model, test_x, warm_up, calls)
    rate = batch256_rate(model, test_x, *((5, 2, 0.05) if quick else (200, 5, 0.4)))
    return {
        "workload": "W5",
        "threads": threads,
        "torch": torch.__version__,
        "epochs": epochs,
        "train_images": len(train_x),
        "seconds_per_epoch": statistics.median(seconds[1:]) if epochs > 1 else seconds[0],
        "first_epoch_seconds": seconds[0],
        "test_accuracy": test_accuracy,
        "batch1_mean_us": sum(nanos) / len(nanos) / 1e3,
        "batch1_p50_us": nanos[len(nanos) // 2] / 1e3,
        "batch1_p99_us": nanos[len(nanos) * 99 // 100] / 1e3,
        "batch256_samples_per_second": rate,
    }


def main():
    parser = argparse.ArgumentParser(description="W5 (the Fashion-MNIST CNN) in PyTorch")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="512 training images, 1 epoch, few latency calls: checks that it works")
    arguments = parser.parse_args()
    epochs = 1 if arguments.quick else arguments.epochs
    if epochs < 1:
        parser.error(f"--epochs must be at least 1, got {epochs}")
    data = load()
    for threads in (1, 2):
        print(json.dumps(run(threads, data, epochs, arguments.quick)), flush=True)


if __name__ == "__main__":
    main()
