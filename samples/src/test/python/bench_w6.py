#!/usr/bin/python3
"""W6 in PyTorch, for a same-machine comparison with `kiln-samples.jar bench W6 --json`.

The workload of samples/.../Bench.java: the files of /usr/share/common-licenses in name order
(symbolic links count as the files they name), read as UTF-8 and concatenated; vocabulary = its
distinct characters. One-hot input -> LSTM(128) over 64 steps -> Linear(V) + softmax at every
step, cross-entropy over all steps, Adam 2e-3 (epsilon 1e-7 as Kiln's), batch 32; 16 batches at
random offsets prepared up front (as Bench does), cycled.

Prints one JSON line per thread count (1 and 2) with Bench's keys:
  train_chars_per_second  batch x 64 characters per step; median of 3 timed runs of 100 steps
                          after 10 warm-up steps (torch.set_num_threads(n))
  generate_*_us           one character at batch 1 carrying (h, c): a TorchScript step plus
                          drawing the next character (torch.multinomial on the softmax), over
                          2,000 characters after 500 untimed ones

Run with Debian's PyTorch: /usr/bin/python3 samples/src/test/python/bench_w6.py [--quick]
(--quick: a few steps only, to check that it works).
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DIRECTORY = "/usr/share/common-licenses"
STEPS, BATCH, UNITS = 64, 32, 128


def corpus():
    text = ""
    for name in sorted(os.listdir(DIRECTORY)):
        path = os.path.join(DIRECTORY, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                text += f.read()
    characters = sorted(set(text))
    index = {c: i for i, c in enumerate(characters)}
    return text, characters, np.array([index[c] for c in text], dtype=np.int64)


class CharLstm(torch.nn.Module):
    def __init__(self, vocabulary):
        super().__init__()
        self.lstm = torch.nn.LSTM(vocabulary, UNITS, batch_first=True)
        self.next = torch.nn.Linear(UNITS, vocabulary)

    def forward(self, x):  # logits at every step
        return self.next(self.lstm(x)[0])


class Step(torch.nn.Module):
    """One character at batch 1: probabilities of the next and the new (h, c)."""

    def __init__(self, model):
        super().__init__()
        self.lstm = model.lstm
        self.next = model.next

    def forward(self, x, h, c):
        out, (h, c) = self.lstm(x, (h, c))
        return torch.softmax(self.next(out[:, -1]), dim=-1), h, c


def batches(ids, vocabulary, count, rng):
    result = []
    for _ in range(count):
        starts = rng.integers(0, len(ids) - STEPS - 1, size=BATCH)
        window = np.stack([ids[s:s + STEPS + 1] for s in starts])
        x = F.one_hot(torch.from_numpy(window[:, :-1]), vocabulary).float()
        y = torch.from_numpy(window[:, 1:]).contiguous()
        result.append((x, y))
    return result


def run(threads, text, characters, ids, quick):
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    vocabulary = len(characters)
    model = CharLstm(vocabulary)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, eps=1e-7)
    data = batches(ids, vocabulary, 16, np.random.default_rng(6))
    warm_up, runs, per_run = (2, 3, 5) if quick else (10, 3, 100)
    step = 0
    loss = None

    def train_step():
        nonlocal step, loss
        x, y = data[step % len(data)]
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x).reshape(-1, vocabulary), y.reshape(-1))
        loss.backward()
        optimizer.step()
        step += 1

    for _ in range(warm_up):
        train_step()
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(per_run):
            train_step()
        seconds.append(time.perf_counter() - start)
    per_run_seconds = statistics.median(seconds)

    generate_warm_up, generate_timed = (50, 200) if quick else (500, 2000)
    step_module = torch.jit.script(Step(model).eval())
    generator = torch.Generator().manual_seed(6)
    nanos = []
    with torch.no_grad():
        h = torch.zeros(1, 1, UNITS)
        c = torch.zeros(1, 1, UNITS)
        x = torch.zeros(1, 1, vocabulary)
        current = 0
        for i in range(generate_warm_up + generate_timed):
            start = time.perf_counter_ns()
            x[0, 0, current] = 1
            probabilities, h, c = step_module(x, h, c)
            x[0, 0, current] = 0
            current = int(torch.multinomial(probabilities[0], 1, generator=generator))
            elapsed = time.perf_counter_ns() - start
            if i >= generate_warm_up:
                nanos.append(elapsed)
    nanos.sort()
    return {
        "workload": "W6",
        "threads": threads,
        "torch": torch.__version__,
        "vocabulary": vocabulary,
        "corpus_characters": len(text),
        "train_chars_per_second": per_run * BATCH * STEPS / per_run_seconds,
        "train_step_ms": per_run_seconds / per_run * 1e3,
        "loss_after_310_steps" if not quick else "loss_after_17_steps": float(loss),
        "generate_mean_us": sum(nanos) / len(nanos) / 1e3,
        "generate_p50_us": nanos[len(nanos) // 2] / 1e3,
        "generate_p99_us": nanos[len(nanos) * 99 // 100] / 1e3,
        "generate_includes": "step and sampling",
    }


def main():
    quick = "--quick" in sys.argv[1:]
    text, characters, ids = corpus()
    for threads in (1, 2):
        print(json.dumps(run(threads, text, characters, ids, quick)), flush=True)


if __name__ == "__main__":
    main()
