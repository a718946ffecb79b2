"""Reference values for dev.kiln.runtime.Metrics from scikit-learn.

Run by hand with Debian's python3-sklearn (/usr/bin/python3 runtime/src/test/python/make_metric_fixtures.py);
writes runtime/src/test/resources/metrics/sklearn_metrics.txt, which is committed. One line per
array: a name, then its values (float32 values as their shortest round-trip repr).
"""
import os

import numpy as np
import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix, mean_absolute_error,
                             precision_recall_fscore_support, roc_auc_score, top_k_accuracy_score)

rng = np.random.default_rng(20261126)
lines = ["# scikit-learn " + sklearn.__version__ + ", numpy " + np.__version__]


def put(name, values):
    values = np.asarray(values).ravel()
    if values.dtype == np.float32:
        text = " ".join(str(v) for v in values)  # numpy prints the shortest round-trip float32
    elif np.issubdtype(values.dtype, np.integer):
        text = " ".join(str(int(v)) for v in values)
    else:
        text = " ".join(repr(float(v)) for v in values)
    lines.append(name + " " + text)


# Multi-class: 200 samples, 5 classes, softmax probabilities; the truth agrees with the argmax
# about 60% of the time, and class 4 is rare, so per-class values differ.
n, c = 200, 5
logits = rng.normal(size=(n, c)).astype(np.float32) * 1.5
p = np.exp(logits - logits.max(axis=1, keepdims=True))
p = (p / p.sum(axis=1, keepdims=True)).astype(np.float32)
y = np.where(rng.random(n) < 0.6, p.argmax(axis=1), rng.integers(0, c, size=n))
y = np.where((y == 4) & (rng.random(n) < 0.7), 3, y)
pred = p.argmax(axis=1)
labels = list(range(c))
put("multi.p", p)
put("multi.y", y)
prec, rec, f1, _ = precision_recall_fscore_support(y, pred, labels=labels, average=None, zero_division=0)
put("multi.precision", prec)
put("multi.recall", rec)
put("multi.f1", f1)
mp, mr, mf, _ = precision_recall_fscore_support(y, pred, labels=labels, average="macro", zero_division=0)
put("multi.macro", [mp, mr, mf])
put("multi.accuracy", [accuracy_score(y, pred)])
put("multi.top2", [top_k_accuracy_score(y, p, k=2, labels=labels)])
put("multi.top3", [top_k_accuracy_score(y, p, k=3, labels=labels)])
put("multi.auc", [roc_auc_score(y, p.astype(np.float64), multi_class="ovr", average="macro", labels=labels)])
put("multi.confusion", confusion_matrix(y, pred, labels=labels))

# Binary: one sigmoid output, scores rounded to 2 decimals so that ties occur.
nb = 150
s = np.round(rng.random(nb), 2).astype(np.float32)
yb = (rng.random(nb) < 0.3 + 0.5 * s).astype(np.int64)
predb = (s > 0.5).astype(np.int64)
put("binary.p", s)
put("binary.y", yb)
bp, br, bf, _ = precision_recall_fscore_support(yb, predb, labels=[0, 1], average=None, zero_division=0)
put("binary.precision", bp)
put("binary.recall", br)
put("binary.f1", bf)
put("binary.auc", [roc_auc_score(yb, s.astype(np.float64))])
put("binary.confusion", confusion_matrix(yb, predb, labels=[0, 1]))

# Regression: 40 samples x 2 outputs.
r_pred = rng.normal(size=(40, 2)).astype(np.float32)
r_true = rng.normal(size=(40, 2)).astype(np.float32)
put("regression.p", r_pred)
put("regression.y", r_true)
put("regression.mae", [mean_absolute_error(r_true.astype(np.float64), r_pred.astype(np.float64))])

out = os.path.join(os.path.dirname(__file__), "..", "resources", "metrics", "sklearn_metrics.txt")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote", os.path.normpath(out))
