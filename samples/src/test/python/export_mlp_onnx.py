#!/usr/bin/python3
"""Writes W2's and W3's network (Bench's FashionMlp: 784-256 ReLU-128 ReLU-10, softmax) as ONNX, for
OnnxBench.java. Weights as bench_w1_w4.py starts them (torch.manual_seed(42)): timing does not
depend on their values. The batch axis is dynamic, so one file serves batch 1 and batch 256.

Run with Debian's PyTorch: /usr/bin/python3 samples/src/test/python/export_mlp_onnx.py OUT.onnx
"""
import sys

import torch

import bench_w1_w4
from bench_w5 import Probabilities


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: export_mlp_onnx.py OUT.onnx")
    torch.manual_seed(42)
    model = Probabilities(bench_w1_w4.mlp()).eval()
    torch.onnx.export(model, torch.zeros(1, 784), sys.argv[1], input_names=["image"],
                      output_names=["probabilities"], dynamic_axes={"image": {0: "batch"},
                                                                    "probabilities": {0: "batch"}},
                      opset_version=13)
    print("wrote " + sys.argv[1])


if __name__ == "__main__":
    main()
