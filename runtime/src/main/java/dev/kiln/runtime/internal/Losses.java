package dev.kiln.runtime.internal;

/**
 * Losses over a batch of {@code n} rows of {@code width} values, each returning the mean loss and,
 * when {@code grad} is not null, writing the gradient of that mean with respect to the predictions
 * (or, for the fused forms, the logits). Sums run in double: they are O(n * width), negligible next
 * to the layers, and the reported loss should not depend on summation order.
 *
 * <p>The fused forms take the logits and the probabilities the forward pass already computed: their
 * loss comes from the logits (stable for any logit) and their gradient is (p - y) / count.
 *
 * <p><b>Weights.</b> Every loss takes {@code weights}: one value per row (a sample's weight repeated
 * over its positions for a sequence or image output), or null when every row weighs 1. Keras's
 * {@code sum_over_batch_size}: each row's loss (or each of its values') is multiplied by its
 * weight and the sum is divided by the same count as without weights, not by the sum of the
 * weights. The weight multiplies each term last, so weights of 1 give the unweighted bits, and
 * rows of weight 0 add nothing to the loss or the gradient.
 */
public final class Losses {
  /** Probabilities are clipped to [EPSILON, 1 - EPSILON] before a log, as Keras does. */
  public static final double EPSILON = 1e-7;

  private Losses() {}

  private static float weight(float[] weights, int row) {
    return weights == null ? 1f : weights[row];
  }

  /** mean((p - y)^2) over all n * width values. */
  public static double meanSquaredError(int n, int width, float[] p, float[] y, float[] grad) {
    return meanSquaredError(n, width, p, y, null, grad);
  }

  /** As above, each row's squared errors multiplied by its weight. */
  public static double meanSquaredError(int n, int width, float[] p, float[] y, float[] weights, float[] grad) {
    int count = n * width;
    double sum = 0;
    float scale = 2f / count;
    for (int r = 0; r < n; r++) {
      float w = weight(weights, r);
      float rowScale = scale * w;
      for (int i = r * width; i < (r + 1) * width; i++) {
        float diff = p[i] - y[i];
        sum += (double) diff * diff * w;
        if (grad != null) {
          grad[i] = rowScale * diff;
        }
      }
    }
    return sum / count;
  }

  /** mean(|p - y|) over all n * width values; the gradient at p == y is 0. */
  public static double meanAbsoluteError(int n, int width, float[] p, float[] y, float[] grad) {
    return meanAbsoluteError(n, width, p, y, null, grad);
  }

  /** As above, each row's absolute errors multiplied by its weight. */
  public static double meanAbsoluteError(int n, int width, float[] p, float[] y, float[] weights, float[] grad) {
    int count = n * width;
    double sum = 0;
    float scale = 1f / count;
    for (int r = 0; r < n; r++) {
      float w = weight(weights, r);
      float rowScale = scale * w;
      for (int i = r * width; i < (r + 1) * width; i++) {
        float diff = p[i] - y[i];
        sum += Math.abs(diff) * (double) w;
        if (grad != null) {
          grad[i] = diff > 0 ? rowScale : diff < 0 ? -rowScale : 0f;
        }
      }
    }
    return sum / count;
  }

  /** Binary cross-entropy on probabilities, mean over all n * width values. */
  public static double binaryCrossEntropy(int n, int width, float[] p, float[] y, float[] grad) {
    return binaryCrossEntropy(n, width, p, y, 0f, null, grad);
  }

  /** As above, weighted per row. */
  public static double binaryCrossEntropy(int n, int width, float[] p, float[] y, float[] weights, float[] grad) {
    return binaryCrossEntropy(n, width, p, y, 0f, weights, grad);
  }

  /** As above with label smoothing: targets become y (1 - s) + s / 2 (Keras's definition). */
  public static double binaryCrossEntropy(int n, int width, float[] p, float[] y, float smoothing, float[] grad) {
    return binaryCrossEntropy(n, width, p, y, smoothing, null, grad);
  }

  /** With label smoothing and per-row weights. */
  public static double binaryCrossEntropy(int n, int width, float[] p, float[] y, float smoothing, float[] weights,
      float[] grad) {
    int count = n * width;
    double sum = 0;
    for (int r = 0; r < n; r++) {
      double w = weight(weights, r);
      for (int i = r * width; i < (r + 1) * width; i++) {
        double q = clip(p[i]);
        double t = y[i] * (1.0 - smoothing) + 0.5 * smoothing;
        sum -= (t * Math.log(q) + (1 - t) * Math.log(1 - q)) * w;
        if (grad != null) {
          // Zero where clipping is active, as for the clipped function itself.
          boolean clipped = p[i] < EPSILON || p[i] > 1 - EPSILON;
          grad[i] = clipped ? 0f : (float) ((q - t) / (q * (1 - q)) / count * w);
        }
      }
    }
    return sum / count;
  }

  /** Categorical cross-entropy on probabilities against one-hot (or soft) targets. */
  public static double categoricalCrossEntropy(int n, int width, float[] p, float[] y, float[] grad) {
    return categoricalCrossEntropy(n, width, p, y, null, grad);
  }

  /** As above, each row's loss multiplied by its weight. */
  public static double categoricalCrossEntropy(int n, int width, float[] p, float[] y, float[] weights,
      float[] grad) {
    double sum = 0;
    for (int r = 0; r < n; r++) {
      double w = weight(weights, r);
      for (int i = r * width; i < (r + 1) * width; i++) {
        double q = Math.max(p[i], EPSILON);
        sum -= y[i] * Math.log(q) * w;
        if (grad != null) {
          grad[i] = p[i] < EPSILON ? 0f : (float) (-y[i] / q / n * w);
        }
      }
    }
    return sum / n;
  }

  /** Categorical cross-entropy on probabilities against class indices (one per row). */
  public static double sparseCategoricalCrossEntropy(
      int n, int width, float[] p, float[] labels, float[] grad) {
    return sparseCategoricalCrossEntropy(n, width, p, labels, null, grad);
  }

  /** As above, each row's loss multiplied by its weight. */
  public static double sparseCategoricalCrossEntropy(
      int n, int width, float[] p, float[] labels, float[] weights, float[] grad) {
    if (grad != null) {
      java.util.Arrays.fill(grad, 0, n * width, 0f);
    }
    double sum = 0;
    for (int r = 0; r < n; r++) {
      double w = weight(weights, r);
      int i = r * width + (int) labels[r];
      double q = Math.max(p[i], EPSILON);
      sum -= Math.log(q) * w;
      if (grad != null) {
        grad[i] = p[i] < EPSILON ? 0f : (float) (-1 / q / n * w);
      }
    }
    return sum / n;
  }

  /**
   * Softmax + categorical cross-entropy from the logits: -sum y * log softmax(z * invT), mean over
   * rows; gradient with respect to the logits (p - y) * invT / n.
   */
  public static double softmaxCrossEntropy(
      int n, int width, float invTemperature, float[] logits, float[] p, float[] y, float[] grad) {
    return softmaxCrossEntropy(n, width, invTemperature, logits, p, y, 0f, null, grad);
  }

  /** As above, each row's loss and gradient multiplied by its weight. */
  public static double softmaxCrossEntropy(int n, int width, float invTemperature, float[] logits, float[] p,
      float[] y, float[] weights, float[] grad) {
    return softmaxCrossEntropy(n, width, invTemperature, logits, p, y, 0f, weights, grad);
  }

  /**
   * As above with label smoothing: targets become y (1 - s) + s / width (Keras's and PyTorch's
   * definition), so the gradient is (p - y') invT / n.
   */
  public static double softmaxCrossEntropy(int n, int width, float invTemperature, float[] logits, float[] p,
      float[] y, float smoothing, float[] grad) {
    return softmaxCrossEntropy(n, width, invTemperature, logits, p, y, smoothing, null, grad);
  }

  /** With label smoothing and per-row weights. */
  public static double softmaxCrossEntropy(int n, int width, float invTemperature, float[] logits, float[] p,
      float[] y, float smoothing, float[] weights, float[] grad) {
    double sum = 0;
    float scale = invTemperature / n;
    float keep = 1f - smoothing;
    float spread = smoothing / width;
    for (int r = 0; r < n; r++) {
      int row = r * width;
      float w = weight(weights, r);
      float rowScale = scale * w;
      double logSumExp = logSumExpFromSoftmax(logits, p, row, width, invTemperature);
      for (int c = 0; c < width; c++) {
        int i = row + c;
        float target = y[i] * keep + spread;
        if (target != 0) {
          sum -= target * ((double) logits[i] * invTemperature - logSumExp) * w;
        }
        if (grad != null) {
          grad[i] = (p[i] - target) * rowScale;
        }
      }
    }
    return sum / n;
  }

  /** As {@link #softmaxCrossEntropy} with class-index targets. */
  public static double sparseSoftmaxCrossEntropy(
      int n, int width, float invTemperature, float[] logits, float[] p, float[] labels, float[] grad) {
    return sparseSoftmaxCrossEntropy(n, width, invTemperature, logits, p, labels, 0f, null, grad);
  }

  /** As above, weighted per row. */
  public static double sparseSoftmaxCrossEntropy(int n, int width, float invTemperature, float[] logits, float[] p,
      float[] labels, float[] weights, float[] grad) {
    return sparseSoftmaxCrossEntropy(n, width, invTemperature, logits, p, labels, 0f, weights, grad);
  }

  /** With label smoothing: the one-hot target becomes (1 - s) onehot + s / width (PyTorch's definition). */
  public static double sparseSoftmaxCrossEntropy(int n, int width, float invTemperature, float[] logits, float[] p,
      float[] labels, float smoothing, float[] grad) {
    return sparseSoftmaxCrossEntropy(n, width, invTemperature, logits, p, labels, smoothing, null, grad);
  }

  /** With label smoothing and per-row weights. */
  public static double sparseSoftmaxCrossEntropy(int n, int width, float invTemperature, float[] logits, float[] p,
      float[] labels, float smoothing, float[] weights, float[] grad) {
    double sum = 0;
    float scale = invTemperature / n;
    float spread = smoothing / width;
    for (int r = 0; r < n; r++) {
      int row = r * width;
      int label = (int) labels[r];
      float w = weight(weights, r);
      float rowScale = scale * w;
      double logSumExp = logSumExpFromSoftmax(logits, p, row, width, invTemperature);
      sum -= (1.0 - smoothing) * ((double) logits[row + label] * invTemperature - logSumExp) * w;
      if (smoothing != 0) {
        for (int c = 0; c < width; c++) {
          sum -= spread * ((double) logits[row + c] * invTemperature - logSumExp) * w;
        }
      }
      if (grad != null) {
        for (int c = 0; c < width; c++) {
          float target = (c == label ? 1f - smoothing : 0f) + spread;
          grad[row + c] = (p[row + c] - target) * rowScale;
        }
      }
    }
    return sum / n;
  }

  /**
   * Sigmoid + binary cross-entropy from the logits, mean over all values: max(z, 0) - z y + log(1 +
   * e^-|z|); gradient with respect to the logits (p - y) / count.
   */
  public static double sigmoidBinaryCrossEntropy(
      int n, int width, float[] logits, float[] p, float[] y, float[] grad) {
    return sigmoidBinaryCrossEntropy(n, width, logits, p, y, 0f, null, grad);
  }

  /** As above, weighted per row. */
  public static double sigmoidBinaryCrossEntropy(
      int n, int width, float[] logits, float[] p, float[] y, float[] weights, float[] grad) {
    return sigmoidBinaryCrossEntropy(n, width, logits, p, y, 0f, weights, grad);
  }

  /** With label smoothing: targets become y (1 - s) + s / 2 (Keras's definition). */
  public static double sigmoidBinaryCrossEntropy(
      int n, int width, float[] logits, float[] p, float[] y, float smoothing, float[] grad) {
    return sigmoidBinaryCrossEntropy(n, width, logits, p, y, smoothing, null, grad);
  }

  /** With label smoothing and per-row weights. */
  public static double sigmoidBinaryCrossEntropy(int n, int width, float[] logits, float[] p, float[] y,
      float smoothing, float[] weights, float[] grad) {
    int count = n * width;
    double sum = 0;
    float scale = 1f / count;
    float keep = 1f - smoothing;
    float half = 0.5f * smoothing;
    for (int r = 0; r < n; r++) {
      float w = weight(weights, r);
      float rowScale = scale * w;
      for (int i = r * width; i < (r + 1) * width; i++) {
        double z = logits[i];
        float target = y[i] * keep + half;
        sum += (Math.max(z, 0) - z * target + Math.log1p(Math.exp(-Math.abs(z)))) * w;
        if (grad != null) {
          grad[i] = (p[i] - target) * rowScale;
        }
      }
    }
    return sum / count;
  }

  /**
   * Categorical cross-entropy from logits held in a LINEAR output ({@code fromLogits}): the value of
   * {@link #softmaxCrossEntropy} at temperature 1, with the softmax computed here (there is no
   * probability buffer); gradient with respect to the logits (softmax(z) - y) / n.
   */
  public static double softmaxCrossEntropyFromLogits(int n, int width, float[] logits, float[] y, float[] grad) {
    return softmaxCrossEntropyFromLogits(n, width, logits, y, 0f, null, grad);
  }

  /** As above, weighted per row. */
  public static double softmaxCrossEntropyFromLogits(int n, int width, float[] logits, float[] y, float[] weights,
      float[] grad) {
    return softmaxCrossEntropyFromLogits(n, width, logits, y, 0f, weights, grad);
  }

  /** As above with label smoothing (targets y (1 - s) + s / width). */
  public static double softmaxCrossEntropyFromLogits(int n, int width, float[] logits, float[] y, float smoothing,
      float[] grad) {
    return softmaxCrossEntropyFromLogits(n, width, logits, y, smoothing, null, grad);
  }

  /** With label smoothing and per-row weights. */
  public static double softmaxCrossEntropyFromLogits(int n, int width, float[] logits, float[] y, float smoothing,
      float[] weights, float[] grad) {
    double sum = 0;
    float scale = 1f / n;
    float keep = 1f - smoothing;
    float spread = smoothing / width;
    for (int r = 0; r < n; r++) {
      int row = r * width;
      float w = weight(weights, r);
      float rowScale = scale * w;
      double logSumExp = logSumExp(logits, row, width, 1f);
      for (int c = 0; c < width; c++) {
        int i = row + c;
        float target = y[i] * keep + spread;
        double logP = logits[i] - logSumExp;
        if (target != 0) {
          sum -= target * logP * w;
        }
        if (grad != null) {
          grad[i] = ((float) Math.exp(logP) - target) * rowScale;
        }
      }
    }
    return sum / n;
  }

  /** As {@link #softmaxCrossEntropyFromLogits} with class-index targets. */
  public static double sparseSoftmaxCrossEntropyFromLogits(int n, int width, float[] logits, float[] labels,
      float[] grad) {
    return sparseSoftmaxCrossEntropyFromLogits(n, width, logits, labels, 0f, null, grad);
  }

  /** As above, weighted per row. */
  public static double sparseSoftmaxCrossEntropyFromLogits(int n, int width, float[] logits, float[] labels,
      float[] weights, float[] grad) {
    return sparseSoftmaxCrossEntropyFromLogits(n, width, logits, labels, 0f, weights, grad);
  }

  /** With label smoothing: the one-hot target becomes (1 - s) onehot + s / width. */
  public static double sparseSoftmaxCrossEntropyFromLogits(int n, int width, float[] logits, float[] labels,
      float smoothing, float[] grad) {
    return sparseSoftmaxCrossEntropyFromLogits(n, width, logits, labels, smoothing, null, grad);
  }

  /** With label smoothing and per-row weights. */
  public static double sparseSoftmaxCrossEntropyFromLogits(int n, int width, float[] logits, float[] labels,
      float smoothing, float[] weights, float[] grad) {
    double sum = 0;
    float scale = 1f / n;
    float spread = smoothing / width;
    for (int r = 0; r < n; r++) {
      int row = r * width;
      int label = (int) labels[r];
      float w = weight(weights, r);
      float rowScale = scale * w;
      double logSumExp = logSumExp(logits, row, width, 1f);
      for (int c = 0; c < width; c++) {
        float target = (c == label ? 1f - smoothing : 0f) + spread;
        double logP = logits[row + c] - logSumExp;
        if (target != 0) {
          sum -= target * logP * w;
        }
        if (grad != null) {
          grad[row + c] = ((float) Math.exp(logP) - target) * rowScale;
        }
      }
    }
    return sum / n;
  }

  /**
   * Binary cross-entropy from logits held in a LINEAR output ({@code fromLogits}), mean over all
   * values: the value of {@link #sigmoidBinaryCrossEntropy}, with the sigmoid computed here;
   * gradient with respect to the logits (sigmoid(z) - y) / count.
   */
  public static double sigmoidBinaryCrossEntropyFromLogits(int n, int width, float[] logits, float[] y,
      float[] grad) {
    return sigmoidBinaryCrossEntropyFromLogits(n, width, logits, y, 0f, null, grad);
  }

  /** As above, weighted per row. */
  public static double sigmoidBinaryCrossEntropyFromLogits(int n, int width, float[] logits, float[] y,
      float[] weights, float[] grad) {
    return sigmoidBinaryCrossEntropyFromLogits(n, width, logits, y, 0f, weights, grad);
  }

  /** With label smoothing: targets become y (1 - s) + s / 2. */
  public static double sigmoidBinaryCrossEntropyFromLogits(int n, int width, float[] logits, float[] y,
      float smoothing, float[] grad) {
    return sigmoidBinaryCrossEntropyFromLogits(n, width, logits, y, smoothing, null, grad);
  }

  /** With label smoothing and per-row weights. */
  public static double sigmoidBinaryCrossEntropyFromLogits(int n, int width, float[] logits, float[] y,
      float smoothing, float[] weights, float[] grad) {
    int count = n * width;
    double sum = 0;
    float scale = 1f / count;
    float keep = 1f - smoothing;
    float half = 0.5f * smoothing;
    for (int r = 0; r < n; r++) {
      float w = weight(weights, r);
      float rowScale = scale * w;
      for (int i = r * width; i < (r + 1) * width; i++) {
        double z = logits[i];
        float target = y[i] * keep + half;
        double e = Math.exp(-Math.abs(z));
        sum += (Math.max(z, 0) - z * target + Math.log1p(e)) * w;
        if (grad != null) {
          float p = (float) (z >= 0 ? 1 / (1 + e) : e / (1 + e));
          grad[i] = (p - target) * rowScale;
        }
      }
    }
    return sum / count;
  }

  /**
   * {@link #logSumExp} of a row whose softmax {@code p} the forward pass has computed: for the
   * row's most probable class c, {@code z_c invT - log p_c} (p_c is at least 1 / width, so it
   * never underflows): one log a row instead of an exp a class, within the float rounding of p
   * (~1e-7) of the exact value. Iris's training spent a quarter of its time exponentiating every
   * logit a second time here. Where p is not a probability (NaN), the exact sum.
   */
  private static double logSumExpFromSoftmax(float[] z, float[] p, int from, int width, float invTemperature) {
    int best = from;
    for (int c = from + 1; c < from + width; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    float top = p[best];
    if (!(top > 0f && top <= 1f)) {
      return logSumExp(z, from, width, invTemperature);
    }
    return (double) z[best] * invTemperature - Math.log(top);
  }

  private static double logSumExp(float[] z, int from, int width, float invTemperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < width; c++) {
      max = Math.max(max, (double) z[from + c] * invTemperature);
    }
    double sum = 0;
    for (int c = 0; c < width; c++) {
      sum += Math.exp((double) z[from + c] * invTemperature - max);
    }
    return max + Math.log(sum);
  }

  private static double clip(float p) {
    return Math.min(Math.max(p, EPSILON), 1 - EPSILON);
  }
}
